"""Issue #19, break 3 — "Visibility is not one rule". Each test drives Fluxo over HTTP the way a supervisor,
a consultant or an integrator would (the real login form, API tokens) with two teams, and checks what they see.

README: "Visibility by role is one rule: admins and integrators see every lead; supervisors see their teams' leads;
consultants see their own" — now also for the duplicate-review queue, import error reports, assignment through the
API and lead creation through the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assignment.models import Assignment
from compliance.roles import Role
from leads.models import ContactKind, ContactPoint, DuplicateReview, ImportJob, Lead, ReviewStatus
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_CSV = (
    "Nome;Telefone;E-mail\n"
    "José Lima;21999991111;jose@lima.com\n"
    "Ana Lima;21999991111;ana@lima.com\n"
    "Rejeitada Sem Contato;123;\n"
)


def _import_as(browser, name: str = "feira.csv") -> ImportJob:
    """Upload a spreadsheet through the import page, map its columns and let the import task run."""
    upload = SimpleUploadedFile(name, IMPORT_CSV.encode(), content_type="text/csv")
    response = browser.post("/leads/imports/", {"file": upload, "source_name": "Feira"})
    assert response.status_code == 302, response.content[:300]
    job = ImportJob.objects.get(original_name=name)
    browser.post(
        f"/leads/imports/{job.pk}/",
        {"map::Nome": "full_name", "map::Telefone": "phone", "map::E-mail": "email"},
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def team_a_pair(world):
    """A possible duplicate inside team A: two of Ana's leads sharing an e-mail."""
    first = LeadFactory(full_name="Heloísa Equipe-A", owner=world["ana"], team=world["team_a"], phone="+5511987651234")
    second = LeadFactory(full_name="Heloisa Equipe A", owner=world["ana"], team=world["team_a"])
    ContactPoint.objects.create(lead=first, kind=ContactKind.EMAIL, value="heloisa@equipe-a.com", is_primary=True)
    return DuplicateReview.objects.create(lead=first, candidate=second, reason="same e-mail", confidence=0.9)


def test_another_teams_supervisor_neither_sees_nor_decides_a_duplicate_pair(world, team_a_pair, login):
    """Break 3a: the duplicate-review queue of team B's supervisor does not show team A's people, and deciding
    team A's pair is a 404 that leaves it pending; team A's supervisor sees it with contacts masked as in lists."""
    sup_b = login(world["sup_b"])
    queue = sup_b.get("/leads/duplicates/").content.decode()
    assert "Heloísa Equipe-A" not in queue and "Heloisa Equipe A" not in queue
    assert "987651234" not in queue and "heloisa@equipe-a.com" not in queue
    assert "Nothing to review" in queue or "Nada para revisar" in queue

    refused = sup_b.post(f"/leads/duplicates/{team_a_pair.pk}/decide/", {"decision": "merge"})
    assert refused.status_code == 404
    team_a_pair.refresh_from_db()
    assert team_a_pair.status == ReviewStatus.PENDING
    assert Lead.objects.get(pk=team_a_pair.candidate_id).merged_into_id is None

    sup_a = login(world["sup_a"])
    queue = sup_a.get("/leads/duplicates/").content.decode()
    assert "Heloísa Equipe-A" in queue and "Heloisa Equipe A" in queue
    assert "+55 11 9****-1234" in queue and "h***@equipe-a.com" in queue  # masked like the lead list
    assert "+5511987651234" not in queue and "heloisa@equipe-a.com" not in queue
    decided = sup_a.post(f"/leads/duplicates/{team_a_pair.pk}/decide/", {"decision": "keep"})
    assert decided.status_code == 302
    team_a_pair.refresh_from_db()
    assert team_a_pair.status == ReviewStatus.KEPT_SEPARATE


def test_an_admin_sees_every_pair_unmasked(world, team_a_pair, login):
    """Break 3a: admins see every pair, contacts in full (as in their lists)."""
    admin = login(UserFactory(username="chefe", role=Role.ADMIN, is_staff=True))
    queue = admin.get("/leads/duplicates/").content.decode()
    assert "Heloísa Equipe-A" in queue and "+5511987651234" in queue and "heloisa@equipe-a.com" in queue


def test_an_import_report_and_its_pairs_stay_with_the_team_that_imported(world, login, celery_eager):
    """Break 3b: another team's supervisor cannot download an import's error report (names, phones, e-mails), open
    the import or see its pairs; the supervisor who imported can, and so can an admin."""
    sup_a = login(world["sup_a"])
    job = _import_as(sup_a)
    assert (job.created, job.review, job.rejected) == (1, 1, 1)

    report = sup_a.get(f"/leads/imports/{job.pk}/report.xlsx")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert "Rejeitada Sem Contato" in str(list(sheet.values))
    assert "Ana Lima" in sup_a.get("/leads/duplicates/").content.decode()

    sup_b = login(world["sup_b"])
    assert sup_b.get(f"/leads/imports/{job.pk}/report.xlsx").status_code == 404
    assert sup_b.get(f"/leads/imports/{job.pk}/").status_code == 404
    assert "feira.csv" not in sup_b.get("/leads/imports/").content.decode()
    queue = sup_b.get("/leads/duplicates/").content.decode()
    assert "Ana Lima" not in queue and "José Lima" not in queue
    review = DuplicateReview.objects.get(import_job=job)
    assert sup_b.post(f"/leads/duplicates/{review.pk}/decide/", {"decision": "merge"}).status_code == 404

    admin = login(UserFactory(username="chefe", role=Role.ADMIN, is_staff=True))
    assert admin.get(f"/leads/imports/{job.pk}/report.xlsx").status_code == 200


def test_the_api_assigns_only_within_the_supervisors_teams_like_the_lead_page(world, api_for, login):
    """Break 3c: `POST /api/v1/leads/{id}/assignment/` refuses another team's consultant, as the lead page does
    (one rule, in the service); a consultant of the supervisor's own team is accepted."""
    lead = world["unassigned_a"]
    api = api_for(world["sup_a"])
    refused = api.post(f"/api/v1/leads/{lead.pk}/assignment/", {"consultant_id": world["carla"].pk}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_team"
    lead.refresh_from_db()
    assert lead.owner_id is None and not Assignment.objects.filter(lead=lead).exists()

    page = login(world["sup_a"]).post(
        f"/atribuicao/leads/{lead.pk}/atribuir/", {"consultant": world["carla"].pk}, headers={"HX-Request": "true"}
    )
    assert "not in one of your teams" in page.content.decode() or "não está em uma das suas equipes" in (
        page.content.decode()
    )
    lead.refresh_from_db()
    assert lead.owner_id is None

    other_team_lead = world["leads"]["carla"][0]
    assert (
        api.post(
            f"/api/v1/leads/{other_team_lead.pk}/assignment/", {"consultant_id": world["ana"].pk}, format="json"
        ).status_code
        == 404
    )
    other_team_lead.refresh_from_db()
    assert other_team_lead.owner == world["carla"]

    accepted = api.post(f"/api/v1/leads/{lead.pk}/assignment/", {"consultant_id": world["bruno"].pk}, format="json")
    assert accepted.status_code == 200, accepted.json()
    lead.refresh_from_db()
    assert lead.owner == world["bruno"]


def test_a_consultant_cannot_create_a_lead_for_someone_else(world, api_for):
    """Break 3d: a consultant's `POST /api/v1/leads/` with `owner` set to someone else is refused before anything
    is written (it used to answer 404 and create the lead); without an owner the lead is theirs."""
    api = api_for(world["ana"])
    body = {"full_name": "Rafaela Presente", "source": world["source"].pk, "phones": ["11 98888-1212"]}
    refused = api.post("/api/v1/leads/", {**body, "owner": world["carla"].pk}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "owner_not_allowed" and "owner" in refused.json()["details"]
    assert not Lead.objects.filter(full_name="Rafaela Presente").exists()

    refused = api.post("/api/v1/leads/", {**body, "owner": world["bruno"].pk}, format="json")
    assert refused.status_code == 403  # a teammate's neither: consultants own what they create
    assert not Lead.objects.filter(full_name="Rafaela Presente").exists()

    created = api.post("/api/v1/leads/", body, format="json")
    assert created.status_code == 201
    assert created.json()["owner"]["id"] == world["ana"].pk and created.json()["team"] == "Equipe A"
    assert api.get(f"/api/v1/leads/{created.json()['id']}/").status_code == 200


def test_a_supervisor_creates_leads_for_their_team_and_sees_them(world, api_for):
    """Break 3d: a supervisor's new lead is one they can see — for a consultant of their team, or held by their
    team when unowned; another team's consultant is refused and nothing is written."""
    api = api_for(world["sup_a"])
    body = {"source": world["source"].pk, "phones": ["11 97777-1313"]}
    refused = api.post("/api/v1/leads/", {**body, "full_name": "Para Carla", "owner": world["carla"].pk}, format="json")
    assert refused.status_code == 403
    assert not Lead.objects.filter(full_name="Para Carla").exists()

    unowned = api.post("/api/v1/leads/", {**body, "full_name": "Sem Dono"}, format="json")
    assert unowned.status_code == 201
    assert unowned.json()["team"] == "Equipe A" and unowned.json()["owner"] is None
    assert api.get(f"/api/v1/leads/{unowned.json()['id']}/").status_code == 200


def test_lists_mask_contacts_by_one_rule_in_html_and_api(world, login, api_for):
    """Break 3 ("one rule"): the lead list masks phones for supervisors and shows them to the consultant who calls
    them, the same in the HTML list, the duplicate queue and the API (``contacts_unmasked_in_lists``)."""
    lead = world["leads"]["ana"][0]
    phone = lead.contact_points.get(kind=ContactKind.PHONE).value
    masked = f"+55 {phone[3:5]} {phone[5]}****-{phone[-4:]}"

    ana_page = login(world["ana"]).get("/leads/").content.decode()
    assert phone in ana_page
    ana_api = api_for(world["ana"]).get("/api/v1/leads/").json()["results"]
    assert phone in str(ana_api)

    sup_page = login(world["sup_a"]).get("/leads/").content.decode()
    assert lead.full_name in sup_page and masked in sup_page and phone not in sup_page
    sup_api = api_for(world["sup_a"]).get("/api/v1/leads/").json()["results"]
    assert masked in str(sup_api) and phone not in str(sup_api)
