"""Issue #19, break 12 — README "Anti-ban pipeline → Bulk sends": "green goes (spread over spread_minutes)" and
"contact hours 09:00–20:00 Mon–Sat except national holidays: outside them the row waits". A green bulk send
created outside contact hours is spread from the next opening, never all at 09:00; one that runs into closing
time continues at the next opening instead of landing after 20:00."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from antiban.bulk import bulk_send_create
from antiban.filters import contact_hours_next_open
from antiban.models import OutboxMessage, OutboxState, Priority
from tests.factories import LeadFactory, LeadSourceFactory, TeamFactory, consultant, supervisor
from whatsapp.models import Template

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
TUESDAY = (2026, 3, 10)  # an ordinary working Tuesday (no national holiday that week)


@pytest.fixture
def contact_hours(settings):
    """The README's defaults, stated explicitly so the test does not depend on the environment."""
    settings.ANTIBAN_CONTACT_HOURS = ["09:00", "20:00"]
    settings.ANTIBAN_CONTACT_DAYS = [0, 1, 2, 3, 4, 5]
    settings.ANTIBAN_SKIP_HOLIDAYS = True


@pytest.fixture
def reminder(wa):
    return Template.objects.create(
        account=wa.number.account,
        name="lembrete_visita",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {"type": "BODY", "text": "Olá {{1}}, sua visita está confirmada."},
            {"type": "FOOTER", "text": "Responda SAIR para não receber mais mensagens."},
        ],
    )


def _audience(n: int) -> list[dict]:
    return [{"lead_id": None, "contact": f"+55119876501{i:02d}", "name": f"Pessoa {i}"} for i in range(n)]


def _schedule(bulk) -> list[datetime]:
    rows = OutboxMessage.objects.filter(bulk=bulk).order_by("pk")
    assert {row.state for row in rows} == {OutboxState.QUEUED}
    return [timezone.localtime(row.not_before, SP) for row in rows]


def _assert_spread_inside_contact_hours(moments: list[datetime]) -> None:
    assert len(set(moments)) == len(moments), moments  # distinct
    assert moments == sorted(moments)  # increasing, in audience order
    for moment in moments:
        assert contact_hours_next_open(moment) is None, moment  # every one inside contact hours


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        # 22:00: closed — the four sends start at Wednesday's opening, 15 minutes apart (60 min / 4)
        ((22, 0), [(11, 9, 0), (11, 9, 15), (11, 9, 30), (11, 9, 45)]),
        # 19:50: ten minutes are left today; the rest continues at Wednesday's opening, never after 20:00
        ((19, 50), [(10, 19, 50), (11, 9, 5), (11, 9, 20), (11, 9, 35)]),
    ],
)
def test_a_green_bulk_send_outside_contact_hours_is_spread_from_the_next_opening(
    wa, reminder, contact_hours, clock, expected
):
    """Break 12, with an explicit clock (``now``) at 22:00 and at 19:50 on a Tuesday: distinct, increasing
    ``not_before`` values, each inside contact hours, over ``spread_minutes`` of open time."""
    now = datetime(*TUESDAY, *clock, tzinfo=SP)
    bulk = bulk_send_create(
        name="Confirmações",
        variants=[{"name": reminder.name, "language": "pt_BR"}],
        audience=_audience(4),
        priority=Priority.UTILITY,
        spread_minutes=60,
        now=now,
    )
    assert (bulk.light, bulk.status) == ("green", "released"), bulk.light_reasons
    moments = _schedule(bulk)
    assert moments == [datetime(2026, 3, day, hour, minute, tzinfo=SP) for day, hour, minute in expected]
    _assert_spread_inside_contact_hours(moments)


def test_a_supervisor_s_bulk_send_made_while_contact_hours_are_closed_is_spread_not_a_burst(
    wa, reminder, settings, login
):
    """Break 12 through the screen (``/antiban/bulk/new/``): with today outside the contact days, the green send's
    rows wait for the next opening and are spread from there, continuing at the opening after when the hours
    close (a half-hour window here), none at the same moment and none outside contact hours."""
    today = timezone.localtime().weekday()
    settings.ANTIBAN_CONTACT_DAYS = [(today + 2) % 7]  # today and tomorrow are closed, whatever the real clock says
    settings.ANTIBAN_CONTACT_HOURS = ["09:00", "09:30"]
    settings.ANTIBAN_SKIP_HOLIDAYS = False
    boss, seller = supervisor(username="chefe"), consultant(username="vendas")
    team = TeamFactory(name="Equipe", supervisor=boss, members=[seller])
    source = LeadSourceFactory(name="Feira")
    for _ in range(4):
        LeadFactory(owner=seller, team=team, source=source)
    browser = login(boss)
    response = browser.post(
        "/antiban/bulk/new/",
        {
            "name": "Confirmações da feira",
            "priority": Priority.UTILITY,
            "templates": [f"{reminder.name}|pt_BR"],
            "source": source.pk,
            "spread_minutes": 60,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    rows = OutboxMessage.objects.filter(campaign="Confirmações da feira")
    assert rows.count() == 4
    moments = _schedule(rows.first().bulk)
    _assert_spread_inside_contact_hours(moments)
    opening = timezone.localtime(contact_hours_next_open(timezone.now()), SP)
    assert moments[0] == opening and moments[1] == opening + timedelta(minutes=15)
    assert moments[2] == opening + timedelta(days=7)  # 09:30 closed the window: next week's opening
    assert moments[3] == opening + timedelta(days=7, minutes=15)
