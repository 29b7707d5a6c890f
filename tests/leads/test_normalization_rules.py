"""Normalization rules for ingestion, with property tests (hypothesis) for phones and budgets."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.normalization import (
    budget_parse,
    city_canonical,
    ddd_state,
    interest_extract,
    phone_normalize,
    state_normalize,
)

DDDS = ["11", "19", "21", "31", "41", "48", "51", "61", "71", "81", "85", "92"]


def _br(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@settings(max_examples=300, deadline=None)
@given(
    ddd=st.sampled_from(DDDS),
    body=st.integers(min_value=6000_0000, max_value=9999_9999),
    layout=st.sampled_from(
        [
            "({ddd}) 9{a}-{b}",
            "{ddd}9{a}{b}",
            "+55 {ddd} 9 {a} {b}",
            "55{ddd}9{a}{b}",
            "0{ddd} 9{a}-{b}",
            "({ddd}) {a}-{b}",
            "55{ddd}{a}{b}",
            "+55 ({ddd}) 9{a}.{b}",
        ]
    ),
)
def test_every_common_mobile_format_with_or_without_the_ninth_digit_gives_one_e164(ddd, body, layout):
    digits = f"{body:08d}"
    raw = layout.format(ddd=ddd, a=digits[:4], b=digits[4:])
    phone = phone_normalize(raw)
    assert phone.e164 == f"+55{ddd}9{digits}"
    assert phone.is_valid and phone.is_mobile


@settings(max_examples=200, deadline=None)
@given(ddd=st.sampled_from(DDDS), body=st.integers(min_value=2000_0000, max_value=5999_9999))
def test_landlines_keep_eight_digits_and_are_not_mobile(ddd, body):
    phone = phone_normalize(f"({ddd}) {body:08d}")
    assert phone.e164 == f"+55{ddd}{body:08d}"
    assert not phone.is_mobile


@settings(max_examples=300, deadline=None)
@given(thousands=st.integers(min_value=50, max_value=999))
def test_budgets_in_thousands_parse_the_same_in_every_notation(thousands):
    amount = Decimal(thousands * 1000)
    for text in (
        f"R$ {thousands} mil",
        f"{thousands}k",
        f"{thousands} MIL",
        f"R$ {_br(thousands * 1000)},00",
        f"R${_br(thousands * 1000)}",
        f"{thousands * 1000}",
        f"{thousands}.000",
    ):
        assert budget_parse(text) == (amount, amount), text


@settings(max_examples=200, deadline=None)
@given(whole=st.integers(min_value=1, max_value=20), tenth=st.integers(min_value=0, max_value=9))
def test_budgets_in_millions_with_decimal_commas(whole, tenth):
    amount = Decimal(whole * 1_000_000 + tenth * 100_000)
    word = "milhão" if whole == 1 and tenth == 0 else "milhões"
    assert budget_parse(f"{whole},{tenth} {word}") == (amount, amount)
    assert budget_parse(f"{whole}.{tenth}mi") == (amount, amount)


@settings(max_examples=200, deadline=None)
@given(low=st.integers(min_value=100, max_value=500), gap=st.integers(min_value=10, max_value=400))
def test_budget_ranges_share_the_last_unit(low, gap):
    high = low + gap
    expected = (Decimal(low * 1000), Decimal(high * 1000))
    assert budget_parse(f"entre {low} e {high} mil") == expected
    assert budget_parse(f"{low} a {high} mil") == expected
    assert budget_parse(f"{low}-{high}k") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("até 500 mil", (None, Decimal(500_000))),
        ("no máximo 400k", (None, Decimal(400_000))),
        ("a partir de 1 milhão", (Decimal(1_000_000), None)),
        ("acima de 2 milhões", (Decimal(2_000_000), None)),
        ("sem orçamento definido", None),
        ("", None),
    ],
)
def test_open_ended_and_missing_budgets(text, expected):
    assert budget_parse(text) == expected


@pytest.mark.parametrize(
    ("text", "state", "name", "uf"),
    [
        ("sao paulo", "", "São Paulo", "SP"),
        ("SÃO PAULO", "sp", "São Paulo", "SP"),
        ("Campinas - SP", "", "Campinas", "SP"),
        ("Niteroi/RJ", "", "Niterói", "RJ"),
        ("Floripa", "", "Florianópolis", "SC"),
        ("BH", "", "Belo Horizonte", "MG"),
        ("Ribeirao Preta", "", "Ribeirão Preto", "SP"),
        ("santos", "SP", "Santos", "SP"),
    ],
)
def test_cities_get_the_ibge_spelling_and_state(text, state, name, uf):
    match = city_canonical(text, state)
    assert (match.name, match.state) == (name, uf)
    assert match.ibge_code > 1_000_000


def test_unknown_cities_and_states():
    assert city_canonical("Xyzópolis do Norte") is None
    assert city_canonical("Santos", "AM") is None  # no Santos in Amazonas: not silently moved to SP
    assert (state_normalize("Minas Gerais"), state_normalize("rj"), state_normalize("Narnia")) == ("MG", "RJ", "")


def test_ddd_tells_the_state_for_cross_field_checks():
    assert ddd_state("+5511988887777") == "SP"
    assert ddd_state("+5571988887777") == "BA"
    assert ddd_state("+14155552671") == ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Quero um apto de 2 dorms", "apartment"),
        ("cobertura duplex", "apartment"),
        ("casa em condomínio", "house"),
        ("lote na praia", "land"),
        ("sala comercial no centro", "commercial"),
        ("quero investir na planta", "investment"),
        ("bom dia", ""),
    ],
)
def test_interest_is_extracted_from_keywords(text, kind):
    assert interest_extract(text) == kind
