"""Issue #19, break 10 / README "Importing leads" (cells are text): a spreadsheet row is never dropped for its name. A
supervisor uploads a workbook or a CSV through the import page (real HTTP, the mapping step, the import task) whose
names start like formulas — ``@SUM(A1:A2)``, ``=1+2``, ``+55 fulano``, ``-x`` — with valid phones and e-mails: every
person is kept with the name stored exactly as typed, as text. What Fluxo writes back out (the .xlsx error report)
neutralises such cells so they cannot run in Excel."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from leads.models import ImportJob, ImportStatus, Lead
from tests.factories import supervisor

NAMES = ["@SUM(A1:A2)", "=1+2", "+55 fulano", "-x"]
KEPT = [[name, f"(11) 99111-000{i}", f"pessoa{i}@exemplo.com.br"] for i, name in enumerate(NAMES)]
# No valid contact: rejected for that reason (not for its name), so it shows up in the error report.
REJECTED_NAME = '=HYPERLINK("http://evil.example/x","clique")'
ROWS = [*KEPT, [REJECTED_NAME, "123", ""]]
HEADER = ["Nome", "Celular", "E-mail"]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for line, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=column, value=value)
            cell.data_type = "s"  # text cells, as a CRM export or a cell typed with a leading apostrophe
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(browser, name: str, content: bytes) -> ImportJob:
    """The supervisor's path: upload on /leads/imports/, confirm the suggested mapping, the import runs."""
    file = io.BytesIO(content)
    file.name = name
    response = browser.post("/leads/imports/", {"file": file, "source_name": "Feira de nomes"})
    assert response.status_code == 302, response.content[:500]
    detail = response["Location"]
    job_id = int(re.search(r"/imports/(\d+)/", detail).group(1))
    confirmed = browser.post(detail, {})
    assert confirmed.status_code == 302
    return ImportJob.objects.get(pk=job_id)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_names_that_start_like_formulas_keep_their_person_and_are_neutralised_on_export(kind, login, celery_eager):
    """Break 10: `@SUM(A1:A2)` was rejected whole although phone and e-mail were valid, `=1+2` lost its name."""
    browser = login(supervisor(username="sup_nomes"))
    content = _xlsx(ROWS) if kind == "xlsx" else _csv(ROWS)

    job = _upload(browser, f"nomes.{kind}", content)

    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 4, 1)
    page = browser.get(f"/leads/imports/{job.pk}/").content.decode()
    assert re.search(r"<strong>4</strong>", page) and f"/leads/imports/{job.pk}/report.xlsx" in page
    stored = {
        lead.full_name: sorted(lead.contact_points.values_list("value", flat=True))
        for lead in Lead.objects.filter(source=job.source)
    }
    assert stored == {
        name: sorted([f"+55119911100{i:02d}", f"pessoa{i}@exemplo.com.br"]) for i, name in enumerate(NAMES)
    }

    # The error report lists the rejected row with its name as inert text: prefixed, a string, never a formula.
    report = browser.get(f"/leads/imports/{job.pk}/report.xlsx")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    name_cell = row[header.index("Nome")]
    # a text cell, never a formula: the name as it came, no apostrophe (that would be data in an .xlsx)
    assert name_cell.data_type == "s" and name_cell.value == REJECTED_NAME
    assert row[header.index("Celular")].value == "123"


@pytest.mark.django_db
def test_a_workbook_formula_cell_without_a_shown_value_keeps_its_text(login, celery_eager):
    """Break 10: a real formula cell (a file written by a program, never calculated, so no value to show) used to
    leave the person without a name; its text is kept instead."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["=1+2", "11991110009", "formula@exemplo.com.br"])  # openpyxl writes a formula, no cached value
    out = io.BytesIO()
    workbook.save(out)
    browser = login(supervisor(username="sup_formula"))

    job = _upload(browser, "formula.xlsx", out.getvalue())

    job.refresh_from_db()
    assert (job.created, job.rejected) == (1, 0)
    assert Lead.objects.get(source=job.source).full_name == "=1+2"
