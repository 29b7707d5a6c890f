"""qualification.indicators: how an indicator's value reads in a score's explanation."""

from __future__ import annotations

from django.utils import translation

from qualification.indicators import INDICATORS


def test_an_age_reads_in_minutes_hours_or_days_as_it_is():
    """User test (#22): a lead created six minutes ago read "há 1 hora" in its explanation."""
    describe = INDICATORS["interest_age_days"].describe
    with translation.override("pt-br"):
        assert describe(6 / (24 * 60)) == "há 6 minutos"
        assert describe(0.2 / (24 * 60)) == "há 1 minuto"
        assert describe(3 / 24) == "há 3 horas"
        assert describe(2.2) == "há 2 dias"
