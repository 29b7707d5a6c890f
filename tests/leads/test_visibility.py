"""Who sees which lead: consultants their own, supervisors their teams', 404 for the rest, HTML and API alike."""

import pytest
from django.urls import reverse

from leads.models import LeadEvent, LeadStage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ids(response_json):
    return {row["id"] for row in response_json["results"]}


def test_consultant_lists_only_their_own_leads_in_html_and_api(client, world, api_for):
    ana = world["ana"]
    own = {lead.pk for lead in world["leads"]["ana"]}
    client.force_login(ana)

    html = client.get(reverse("leads:list"))
    api = api_for(ana).get("/api/v1/leads/")

    assert {lead.pk for lead in html.context_data["page"]} == own
    assert _ids(api.json()) == own


@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("get", "leads:detail", None),
        ("post", "leads:note_create", {"text": "bisbilhotando"}),
        ("post", "leads:stage_change", {"stage": "lost"}),
        ("get", "leads:whatsapp_panel", None),
        ("post", "leads:whatsapp_text", {"body": "oi"}),
        ("post", "leads:whatsapp_template", {"template": "1"}),
    ],
)
def test_consultant_asking_for_another_consultants_lead_gets_404_in_html(client, world, method, url_name, data):
    foreign = world["leads"]["bruno"][0]
    client.force_login(world["ana"])

    response = getattr(client, method)(reverse(url_name, args=[foreign.pk]), data or {})

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.stage == LeadStage.NEW
    assert not LeadEvent.objects.filter(lead=foreign).exists()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/leads/{id}/", None),
        ("patch", "/api/v1/leads/{id}/", {"city": "Recife"}),
        ("get", "/api/v1/leads/{id}/timeline/", None),
        ("post", "/api/v1/leads/{id}/notes/", {"text": "oi"}),
        ("post", "/api/v1/leads/{id}/stage/", {"stage": "lost"}),
    ],
)
def test_consultant_asking_for_another_consultants_lead_gets_404_in_the_api(world, api_for, method, path, data):
    foreign = world["leads"]["carla"][0]
    response = getattr(api_for(world["ana"]), method)(path.format(id=foreign.pk), data or {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    foreign.refresh_from_db()
    assert (foreign.city, foreign.stage) == ("São Paulo", LeadStage.NEW)


def test_supervisor_sees_their_teams_leads_including_unassigned_but_not_other_teams(client, world, api_for):
    expected = {lead.pk for name in ("ana", "bruno") for lead in world["leads"][name]} | {world["unassigned_a"].pk}
    client.force_login(world["sup_a"])

    assert {lead.pk for lead in client.get(reverse("leads:list")).context_data["page"]} == expected
    assert _ids(api_for(world["sup_a"]).get("/api/v1/leads/").json()) == expected
    foreign = world["leads"]["carla"][0]
    assert client.get(reverse("leads:detail", args=[foreign.pk])).status_code == 404


def test_integrator_sees_every_lead_and_a_user_without_role_sees_none(world, integrator, api_for, client):
    assert api_for(integrator).get("/api/v1/leads/").json()["count"] == 9
    nobody = UserFactory(username="nobody")
    assert api_for(nobody).get("/api/v1/leads/").json()["count"] == 0
    client.force_login(nobody)
    assert client.get(reverse("leads:list")).status_code == 404


def test_anonymous_users_are_sent_to_log_in_or_get_401_json(client, world):
    response = client.get(reverse("leads:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    api = client.get("/api/v1/leads/")
    assert api.status_code == 401
    assert api.json()["code"] == "not_authenticated"


def test_supervisors_see_contacts_masked_in_lists_and_consultants_in_full(client, world, api_for):
    phone = world["leads"]["ana"][0].contact_points.get().value
    supervisor_rows = api_for(world["sup_a"]).get("/api/v1/leads/", {"q": phone}).json()["results"]
    consultant_rows = api_for(world["ana"]).get("/api/v1/leads/", {"q": phone}).json()["results"]
    assert supervisor_rows[0]["contact_points"][0]["value"] == f"+55 {phone[3:5]} {phone[5]}****-{phone[-4:]}"
    assert consultant_rows[0]["contact_points"][0]["value"] == phone
    client.force_login(world["sup_a"])
    html = client.get(
        "/leads/", {"q": phone}, headers={"HX-Request": "true", "HX-Target": "lead-results"}
    ).content.decode()  # the results partial (the search box would echo the query)
    assert phone not in html
    assert phone[-4:] in html


def test_the_django_admin_is_for_the_admin_role_only(client, world):
    staff_supervisor = world["sup_a"]
    staff_supervisor.is_staff = True
    staff_supervisor.save()
    client.force_login(staff_supervisor)
    assert client.get("/admin/").status_code == 302  # sent to the admin login
