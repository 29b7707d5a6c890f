"""The outbound pipeline's filters, each with its reason: content, recipient and contact hours."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from antiban.filters import contact_hours_next_open, content_checks, recipient_checks
from antiban.models import ContentRule, Priority
from compliance.services.consent import suppression_add_by_consultant

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
LEAD = "+5511987654321"


def _failed(checks):
    return {c.name for c in checks if not c.passed}


def test_content_checks_say_why():
    assert _failed(content_checks("OLÁ CLIENTE, APROVEITE A SUPER PROMOÇÃO DE HOJE!!!", Priority.UTILITY)) == {
        "shouting"
    }
    links = "veja https://a.com https://b.com https://c.com"
    assert "link_count" in _failed(content_checks(links, Priority.UTILITY))
    assert "url_shortener" in _failed(content_checks("veja https://bit.ly/x", Priority.UTILITY))
    marketing = _failed(content_checks("Lançamento com desconto!", Priority.MARKETING))
    assert {"opt_out_instruction", "business_identification"} <= marketing
    assert not _failed(
        content_checks("Fluxo: lançamento com desconto. Responda SAIR para não receber.", Priority.MARKETING)
    )
    ContentRule.objects.create(name="garantia", pattern=r"lucro garantido", reason="Promessa de retorno é proibida.")
    checks = content_checks("Lucro GARANTIDO em 12 meses", Priority.UTILITY)
    assert [c.reason for c in checks if not c.passed] == ["Promessa de retorno é proibida."]


def test_recipient_checks_refuse_invalid_opted_out_and_unconsented_marketing():
    assert "valid_mobile" in _failed(recipient_checks("+551133334444", Priority.UTILITY))  # a landline
    assert "consent" in _failed(recipient_checks(LEAD, Priority.MARKETING))  # no legal basis recorded
    assert "consent" not in _failed(recipient_checks(LEAD, Priority.REPLY))  # answering is service
    suppression_add_by_consultant(contact=LEAD, kind="phone", actor_id=None, note="pediu")
    assert "consent" in _failed(recipient_checks(LEAD, Priority.REPLY))


@pytest.mark.parametrize(
    ("local", "opens"),
    [
        (datetime(2026, 11, 24, 10, 0), None),  # Tuesday morning: open
        (datetime(2026, 11, 24, 21, 0), datetime(2026, 11, 25, 9, 0)),  # Tuesday night → Wednesday 09:00
        (datetime(2026, 11, 29, 12, 0), datetime(2026, 11, 30, 9, 0)),  # Sunday → Monday
        (datetime(2026, 11, 20, 12, 0), datetime(2026, 11, 21, 9, 0)),  # Black Consciousness Day (national) → Sat
        (datetime(2026, 12, 24, 7, 30), datetime(2026, 12, 24, 9, 0)),  # early → same day 09:00
    ],
)
def test_contact_hours(local, opens, settings):
    settings.ANTIBAN_CONTACT_HOURS, settings.ANTIBAN_CONTACT_DAYS = ["09:00", "20:00"], [0, 1, 2, 3, 4, 5]
    result = contact_hours_next_open(local.replace(tzinfo=SP))
    assert (result.astimezone(SP).replace(tzinfo=None) if result else None) == opens
