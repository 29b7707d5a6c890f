"""Pure normalization rules, with property tests (hypothesis) for phones and budgets; CPF check digits."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.normalization import (
    budget_parse,
    city_canonical,
    cpf_is_valid,
    ddd_state,
    email_normalize,
    interest_extract,
    name_clean,
    phone_display,
    phone_normalize,
    state_normalize,
)

CPF = "529.982.247-25"


@pytest.mark.parametrize(
    "raw",
    ["(11) 98888-7777", "11988887777", "+55 11 9 8888 7777", "5511988887777", "+55 (11) 98888-7777", "011 98888 7777"],
)
def test_common_brazilian_mobile_formats_become_one_e164(raw):
    phone = phone_normalize(raw)
    assert (phone.e164, phone.is_valid, phone.is_mobile) == ("+5511988887777", True, True)


def test_landline_is_valid_but_not_mobile_and_garbage_is_invalid():
    landline = phone_normalize("(11) 3333-4444")
    assert (landline.e164, landline.is_valid, landline.is_mobile) == ("+551133334444", True, False)
    assert phone_normalize("12").is_valid is False
    assert phone_normalize("abc").is_valid is False


def test_email_is_lower_cased_and_checked_without_network():
    assert email_normalize(" Fulano@Exemplo.COM.br ").value == "fulano@exemplo.com.br"
    assert email_normalize("fulano@").is_valid is False


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  maria   DA silva ", "Maria da Silva"),
        ("JOSÉ DOS SANTOS", "José dos Santos"),
        ("João McDonald", "João McDonald"),
        ("ana d'ávila", "Ana D'Ávila"),
    ],
)
def test_names_get_spacing_and_capitalization_fixed_and_keep_accents(raw, clean):
    assert name_clean(raw) == clean


def test_phone_display_is_human_readable():
    assert phone_display("+5511988887777") == "+55 11 98888-7777"


@pytest.mark.parametrize(
    ("cpf", "valid"),
    [(CPF, True), ("52998224725", True), ("529.982.247-24", False), ("111.111.111-11", False), ("123", False)],
)
def test_cpf_check_digits(cpf, valid):
    assert cpf_is_valid(cpf) is valid


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
