"""Budget roles from a fifth writer's error classes (issue #20), in new words: a price from an ad or one the person
turns down later, a deal already done, an age or a reference number are not the lead's budget; a floor someone else
quoted above the person's own limit never makes an impossible range."""

from __future__ import annotations

import pytest

from ai_middleware.budget import budget_extract
from ai_middleware.local import local_engine


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("achei no olx uma casa de 3 quartos por 455 mil, ainda está à venda?", (None, None)),
        ("o sobrado de 610 mil do folder tem escritura?", (None, None)),
        ("690 mil num apartamento sem elevador? passo", (None, None)),
        ("até gostei, mas 720 mil nessa casa não compensa pra mim", (None, None)),
        ("já comprei com outra construtora por 410 mil, obrigado", (None, None)),
        ("acabamos de assinar, 530 mil, valeu pela ajuda", (None, None)),
        ("quantos anos de financiamento dá pra fazer? tenho 47", (None, None)),
        ("segue o protocolo 58.214 da vistoria", (None, None)),
        ("vendi meu apartamento e tenho 640 mil pra dar numa casa", (640_000.0, 640_000.0)),
        ("vi o folheto: 'a partir de 520 mil'. não chego lá, até 430 eu consigo", (None, 430_000.0)),
    ],
)
def test_amounts_that_are_not_the_leads_budget(text, expected):
    assert budget_extract(text) == expected


def test_a_quoted_floor_above_the_own_limit_never_breaks_the_extraction():
    """The whole extraction used to fail validation (min > max) on such a message."""
    result = local_engine().warm().extract('Vi o anúncio: casas "a partir de 780 mil". Não chego nisso, até 600 dá')
    assert (result.budget_min, result.budget_max) == (None, 600_000.0)
