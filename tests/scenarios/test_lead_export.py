"""Issue #19, break 13: the filtered lead list can be exported to CSV and XLSX — from the list page (a link that keeps
the filters) and from the API — masked by role, formula-safe, audited, streamed. README: "phones and e-mails masked
for supervisors in lists", "formula-safe CSV/XLSX exports", "Audit log: … exports"."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from compliance.models import AuditCategory, AuditEntry
from compliance.roles import Role
from leads.models import ContactKind, ContactPoint, Lead
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def _csv_rows(response, delimiter: str = ";") -> list[list[str]]:
    """A person's download splits on ";" (Excel in pt-BR opened a "," file in one column: user test); the API's
    file keeps ","."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=delimiter))


def _export_link(page: str, kind: str) -> str:
    links = re.findall(r'href="(/leads/export/\?[^"]*format=' + kind + ')"', page)
    assert links, "the lead list shows no export link"
    return html.unescape(links[0])


def test_a_supervisor_exports_the_filtered_list_from_the_page_with_contacts_masked_and_the_export_audited(world, login):
    """The list page's export link keeps the current filter; the CSV holds exactly the filtered leads of the
    supervisor's team, phones and e-mails masked as the list masks them; one audit entry names the filters and the
    row count and no personal data."""
    ana_lead = world["leads"]["ana"][0]
    ContactPoint.objects.create(lead=ana_lead, kind=ContactKind.EMAIL, value="ana.cliente@example.com", is_primary=True)
    browser = login(world["sup_a"])

    page = browser.get("/leads/", {"owner": world["ana"].pk}).content.decode()
    link = _export_link(page, "csv")
    assert f"owner={world['ana'].pk}" in link
    response = browser.get(link)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["ID", "Nome", "Telefone", "E-mail"]  # split on ";": one column each in Excel pt-BR
    assert sorted(int(r[0]) for r in body) == sorted(lead.pk for lead in world["leads"]["ana"])
    phone = ana_lead.contact_points.get(kind=ContactKind.PHONE).value
    exported = next(r for r in body if int(r[0]) == ana_lead.pk)
    assert phone[-4:] in exported[2] and "****" in exported[2] and phone not in exported[2]
    assert exported[2].startswith("+55 ")  # a phone number is no formula: no apostrophe in front (issue #21)
    assert exported[3] == "a***@example.com"

    entry = AuditEntry.objects.filter(category=AuditCategory.EXPORT, action="lead.exported").get()
    assert entry.actor_id == world["sup_a"].pk
    assert entry.details == {"format": "csv", "filters": {"owner": str(world["ana"].pk)}, "rows": 2}
    assert phone not in str(entry.details) and ana_lead.full_name not in str(entry.details)


def test_a_supervisor_cannot_export_another_teams_leads(world, login):
    """Visibility is the list's: another team's consultant as the filter is refused, an unfiltered export holds
    only the supervisor's own team."""
    browser = login(world["sup_a"])
    refused = browser.get("/leads/export/", {"format": "csv", "owner": world["carla"].pk})
    assert refused.status_code == 400
    everything = _csv_rows(browser.get("/leads/export/", {"format": "csv"}))[1:]
    ids = {int(r[0]) for r in everything}
    team_b = {lead.pk for name in ("carla", "diego") for lead in world["leads"][name]}
    assert ids and not ids & team_b
    assert world["unassigned_a"].pk in ids


def test_a_consultant_exports_only_their_own_leads_to_xlsx_and_formulas_are_neutralised(world, login):
    """A consultant's XLSX holds only their own leads, with their phones in full; a name that would run as a formula
    is plain text in the sheet (issue break 10: neutralise it on export)."""
    ana = world["ana"]
    trap = LeadFactory(owner=ana, team=world["team_a"], source=world["source"], full_name='=HYPERLINK("http://x")')
    browser = login(ana)
    page = browser.get("/leads/").content.decode()
    response = browser.get(_export_link(page, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    ids = {row[0] for row in rows[1:]}
    assert ids == {lead.pk for lead in world["leads"]["ana"]} | {trap.pk}
    trap_row = next(row for row in rows[1:] if row[0] == trap.pk)
    # An XLSX text cell is text: it never runs, so it is written as it is, without an apostrophe (issue #21).
    assert trap_row[1] == '=HYPERLINK("http://x")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert trap_row[2].startswith("+55 11 9")  # full phone for people
    assert AuditEntry.objects.filter(category=AuditCategory.EXPORT, details__rows=3, details__format="xlsx").exists()


def test_an_integrator_exports_through_the_api_with_scope_leads_read(world, api_for):
    """``GET /api/v1/leads/export/`` needs ``leads:read``; an integrator gets every matching lead unmasked; a wrong
    format or filter is a JSON 400 that says what to fix."""
    integrator = UserFactory(username="integrador", role=Role.INTEGRATOR)
    without_scope = api_for(integrator, scopes=("leads:write",))
    assert without_scope.get("/api/v1/leads/export/", {"format": "csv"}).status_code == 403

    api = api_for(integrator, scopes=("leads:read",))
    response = api.get("/api/v1/leads/export/", {"format": "csv", "owner": world["carla"].pk})
    assert response.status_code == 200
    rows = _csv_rows(response, ",")[1:]
    assert {int(r[0]) for r in rows} == {lead.pk for lead in world["leads"]["carla"]}
    phone = world["leads"]["carla"][0].contact_points.get(kind=ContactKind.PHONE).value
    assert any("****" not in r[2] and r[2].lstrip("'").replace(" ", "").replace("-", "") == phone for r in rows)

    wrong = api.get("/api/v1/leads/export/", {"format": "pdf"})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_export_format"
    bad_filter = api.get("/api/v1/leads/export/", {"format": "csv", "created_after": "ontem"})
    assert bad_filter.status_code == 400
    assert "created_after" in bad_filter.json()["details"]


def test_a_long_list_is_streamed_in_chunks(world, api_for):
    """A large export is not built in memory: the CSV arrives as a stream of several chunks, every row there."""
    source = world["source"]
    leads = Lead.objects.bulk_create(
        [Lead(full_name=f"Pessoa {i}", source=source, team=world["team_a"]) for i in range(1200)]
    )
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(lead=lead, kind=ContactKind.PHONE, value=f"+55119{70000000 + i:08d}", is_primary=True)
            for i, lead in enumerate(leads)
        ]
    )
    admin = UserFactory(username="chefe", role=Role.ADMIN)
    response = api_for(admin, scopes=("leads:read",)).get("/api/v1/leads/export/", {"format": "csv"})
    assert response.status_code == 200
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))[1:]
    assert len(rows) == Lead.objects.count()
    assert int(response["X-Export-Rows"]) == len(rows)
