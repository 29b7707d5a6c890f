"""Pure normalization rules (the ingestion issue adds property tests over the full rule set)."""

import pytest

from leads.normalization import email_normalize, name_clean, phone_display, phone_normalize


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
