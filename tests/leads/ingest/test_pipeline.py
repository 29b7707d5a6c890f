"""Spreadsheet imports end to end: mapping, normalization, dedup in the file and against the base, reviews,
rejections with line/column/reason, bad files refused with a clear message, resume after a crash."""

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from leads.ingest.pipeline import import_job_create, import_job_run
from leads.ingest.reader import FileRejected
from leads.models import (
    ContactPoint,
    DuplicateReview,
    EventKind,
    ImportJob,
    ImportStatus,
    Lead,
    LeadEvent,
    LeadSource,
)
from leads.services import lead_create

pytestmark = pytest.mark.django_db
HEADER = ["Nome", "Celular", "E-mail", "CPF", "Cidade", "UF", "Orçamento", "Observações", "Cor favorita"]
ROWS = [
    [
        "MARIA DA SILVA",
        "(11) 8888-7777",
        "Maria@X.com",
        "529.982.247-25",
        "sao paulo",
        "SP",
        "350 mil",
        "quer apto",
        "azul",
    ],
    ["Maria Silva", "11988887777", "", "", "", "", "", "", "verde"],  # same person: ninth-digit variant
    ["João Souza", "123", "", "", "", "", "", "", ""],  # no valid contact: rejected
    ["José Lima", "21 99999-1111", "jose@lima.com", "", "Niteroi", "RJ", "entre 200 e 300 mil", "", ""],
    ["Ana Lima", "21 99999-1111", "", "", "", "", "", "", ""],  # José's phone, another name: review
    ['=HYPERLINK("http://x")', "11977776666", "", "", "", "", "", "", ""],  # formula-like name: kept as text
]


def _xlsx(path: Path, rows=ROWS, header=HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _csv(path: Path, rows=ROWS, header=HEADER, delimiter=";", encoding="utf-8") -> Path:
    lines = [delimiter.join(header)] + [
        delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in r) for r in rows
    ]
    path.write_bytes("\n".join(lines).encode(encoding))
    return path


@pytest.fixture
def source():
    return LeadSource.objects.create(name="Feira 2025", kind="manual_import")


def _run(path: Path, source, **kwargs) -> ImportJob:
    return import_job_run(job_id=import_job_create(path=path, original_name=path.name, source=source, **kwargs).pk)


@pytest.mark.parametrize("maker", ["xlsx", "csv-utf8-semicolon", "csv-cp1252-comma", "csv-tab"])
def test_a_messy_file_becomes_clean_deduplicated_leads(tmp_path, source, maker):
    path = {
        "xlsx": lambda: _xlsx(tmp_path / "f.xlsx"),
        "csv-utf8-semicolon": lambda: _csv(tmp_path / "f.csv"),
        "csv-cp1252-comma": lambda: _csv(tmp_path / "f.csv", delimiter=",", encoding="cp1252"),
        "csv-tab": lambda: _csv(tmp_path / "f.csv", delimiter="\t"),
    }[maker]()

    job = _run(path, source)

    # A name that starts like a formula is text: the person is kept with it, exactly as typed (issue #19, break 10).
    # In a workbook a formula cell without a shown value keeps its formula text. Exports neutralise such cells.
    assert (job.status, job.rows_total, job.created, job.merged, job.review, job.rejected) == (
        ImportStatus.DONE,
        6,
        3,
        1,
        1,
        1,
    )
    assert Lead.objects.filter(full_name__startswith="=HYPERLINK(").exists()
    maria = Lead.objects.get(full_name="Maria da Silva")
    assert (maria.city, maria.state, maria.document, maria.budget_min, maria.interest_type) == (
        "São Paulo",
        "SP",
        "52998224725",
        350000,
        "apartment",
    )
    assert maria.attributes["Cor favorita"] == "azul"
    assert maria.recurrence_count == 2
    assert set(maria.contact_points.values_list("value", flat=True)) == {"+5511988887777", "maria@x.com"}
    again = LeadEvent.objects.get(lead=maria, kind=EventKind.INTEREST_AGAIN)
    assert again.payload["raw"]["Cor favorita"] == "verde"
    assert again.payload["source"] == "Feira 2025"
    review = DuplicateReview.objects.get()
    assert (review.lead.full_name, review.candidate.full_name) == ("José Lima", "Ana Lima")
    assert [(e["line"], e["column"]) for e in job.errors] == [(4, "Celular")]
    report = load_workbook(job.error_report.path).active
    assert [c.value for c in next(report.iter_rows(min_row=2, max_row=2))][:2] == [4, "Celular"]
    assert LeadSource.objects.get(pk=source.pk).column_mapping["Celular"] == "phone"  # the next file maps itself


def test_rows_matching_the_existing_base_merge_and_record_the_new_interest(tmp_path, source):
    existing = lead_create(actor=None, source=source, full_name="José de Lima", phones=["+5521999991111"])
    job = _run(_csv(tmp_path / "f.csv", rows=[ROWS[3]]), source)
    assert (job.created, job.merged) == (0, 1)
    existing.refresh_from_db()
    assert (existing.recurrence_count, existing.priority, existing.city) == (2, 1, "Niterói")
    assert set(existing.contact_points.values_list("value", flat=True)) == {"+5521999991111", "jose@lima.com"}


def test_the_same_file_twice_is_detected(tmp_path, source):
    path = _csv(tmp_path / "f.csv")
    _run(path, source)
    with pytest.raises(FileRejected, match=r"(?i)already imported|já foi importado"):
        import_job_create(path=path, original_name="f.csv", source=source)


BAD_FILES = {
    "empty": lambda p: p.write_bytes(b""),
    "picture": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    "password": lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    "corrupt_xlsx": lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200),
    "no_columns": lambda p: p.write_bytes(b"Cor;Tamanho\nazul;M\n"),
    "no_header": lambda p: p.write_bytes(b";;;\n"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_are_refused_with_a_message_and_nothing_is_written(tmp_path, source, case):
    path = tmp_path / "bad.xlsx"
    BAD_FILES[case](path)
    with pytest.raises(FileRejected) as refused:
        _run(path, source)
    assert refused.value.message
    assert not Lead.objects.exists()


def _zip_with(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_zip_and_xml_bombs_are_refused(tmp_path, source):
    bomb = _zip_with(tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": b"<a>" + b"0" * 50_000_000 + b"</a>"})
    with pytest.raises(FileRejected, match="zip"):
        import_job_create(path=bomb, original_name="bomb.xlsx", source=source)
    laughs = _zip_with(
        tmp_path / "lol.xlsx",
        {
            "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE lolz ['
            b'<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><sst>&lol2;</sst>'
        },
    )
    with pytest.raises(FileRejected, match="XML"):
        import_job_create(path=laughs, original_name="lol.xlsx", source=source)


def test_files_over_the_row_limit_are_refused_and_leave_nothing(tmp_path, source, settings):
    settings.FLUXO_IMPORT_MAX_ROWS = 3
    settings.FLUXO_IMPORT_CHUNK_ROWS = 2
    with pytest.raises(FileRejected, match="3"):
        _run(_csv(tmp_path / "f.csv"), source)
    assert ImportJob.objects.get().status == ImportStatus.FAILED


def test_a_crashed_import_resumes_after_its_last_committed_chunk(tmp_path, source, settings):
    settings.FLUXO_IMPORT_CHUNK_ROWS = 2
    path = _csv(tmp_path / "f.csv")
    job = import_job_create(path=path, original_name="f.csv", source=source)
    # As if the worker died after committing the first two chunks (4 rows): the job says RUNNING, rows_done=4.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, rows_done=4)
    job = import_job_run(job_id=job.pk)
    assert job.rows_total == 6
    assert (job.created, job.rejected) == (2, 0)  # only lines 6-7 were read: Ana and the formula-like name (new)
    assert Lead.objects.filter(full_name="Ana Lima").exists()
    assert Lead.objects.filter(full_name__startswith="=HYPERLINK(").exists()
    assert not Lead.objects.filter(full_name="Maria da Silva").exists()
    assert import_job_run(job_id=job.pk).rows_done == 6  # a finished job is left as it is


def test_import_leads_command_prints_json(tmp_path, source):
    out = StringIO()
    call_command("import_leads", str(_csv(tmp_path / "f.csv")), "--source", "Feira 2025", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert {k: summary[k] for k in ("created", "merged", "review", "rejected", "rows")} == {
        "created": 3,
        "merged": 1,
        "review": 1,
        "rejected": 1,
        "rows": 6,
    }
    assert summary["error_report"].endswith(".xlsx") and summary["seconds"] >= 0
    with pytest.raises(CommandError, match=r"(?i)phone|telefone"):
        bad = tmp_path / "x.csv"
        bad.write_text("Cor;Tamanho\nazul;M\n")
        call_command("import_leads", str(bad), "--source", "Feira 2025", stdout=StringIO())


def test_an_explicit_mapping_overrides_the_suggestion(tmp_path, source):
    path = _csv(tmp_path / "f.csv", header=["Cliente", "Zap", "Mail"], rows=[["Rita", "11977770000", "r@x.com"]])
    job = _run(path, source, mapping={"Cliente": "full_name", "Zap": "phone", "Mail": "email"})
    assert job.created == 1
    assert ContactPoint.objects.filter(value="+5511977770000").exists()
