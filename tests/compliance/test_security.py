"""SSRF refusal, formula-safe exports, uploads checked by content."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from compliance.security import (
    OutboundUrlRefused,
    UploadRefused,
    cell_safe,
    csv_export,
    outbound_url_check,
    upload_sniff,
    xlsx_export,
)

REFUSED_URLS = [
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://10.0.0.5/x",
    "https://172.16.3.4/x",
    "https://192.168.1.10/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/x",
    "https://0.0.0.0/x",
    "https://2130706433/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://100.64.0.1/x",
    "https://224.0.0.1/x",
    "http://8.8.8.8/x",
    "file:///etc/passwd",
    "gopher://8.8.8.8/",
    "https://user:pw@8.8.8.8/x",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_outbound_urls_to_internal_addresses_are_refused(url):
    with pytest.raises(OutboundUrlRefused):
        outbound_url_check(url)


def test_public_https_addresses_are_allowed():
    assert outbound_url_check("https://8.8.8.8/webhook") == "https://8.8.8.8/webhook"
    assert outbound_url_check("http://1.1.1.1/x", allow_http=True)


DANGEROUS = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_cells_that_could_run_as_formulas_are_neutralized(value):
    assert cell_safe(value) == "'" + value


PHONES = [
    "+5511988887777",
    "+55 11 98888-7777",
    "+55 (11) 98888-7777",
    "+55 11 9****-7777",
    "+1 212.555.0100",
    "+55 11 98888-7777, +55 21 3333-4444",
]


@pytest.mark.parametrize("value", PHONES)
def test_phone_numbers_are_not_formulas_and_stay_as_they_are(value):
    assert cell_safe(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "+1+2",
        "+5511988887777+SUM(A1)",
        "+55 11 9888\t",
        "+55 11 98888-7777\r=1",
        "+cmd|' /C calc'!A0",
        "+55 11 98888-7777, =1",
    ],
)
def test_values_that_only_start_like_a_phone_are_still_neutralized(value):
    assert cell_safe(value) == "'" + value


def test_csv_and_xlsx_exports_neutralize_every_text_cell_and_keep_numbers():
    rows = [["=1+1", 350000, "Maria"], ["@cmd", -5, "+55 11 98888-7777"]]
    parsed = list(csv.reader(io.StringIO(b"".join(csv_export(["nome", "valor", "fone"], rows)).decode("utf-8-sig"))))
    assert parsed[1] == ["'=1+1", "350000", "Maria"]
    assert parsed[2] == ["'@cmd", "-5", "+55 11 98888-7777"]

    # In an XLSX every text cell is a string cell, which never runs: the text is kept exactly, no apostrophe.
    sheet = load_workbook(io.BytesIO(xlsx_export({"Leads": (["=x", "valor"], rows)}))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["=x", "valor"]
    assert values[1] == ["=1+1", 350000, "Maria"]
    assert values[2] == ["@cmd", -5, "+55 11 98888-7777"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def _xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["Nome", "Telefone"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_uploads_are_judged_by_content_not_name():
    assert upload_sniff(_xlsx_bytes(), allowed={"xlsx", "csv"}) == "xlsx"
    assert upload_sniff("Nome;Telefone\nJoão;11988887777\n".encode("cp1252"), allowed={"xlsx", "csv"}) == "csv"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(UploadRefused, match="png"):
        upload_sniff(png, allowed={"xlsx", "csv"})  # a picture renamed leads.xlsx
    with pytest.raises(UploadRefused):
        upload_sniff(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, allowed={"csv"})  # an .exe renamed .csv
