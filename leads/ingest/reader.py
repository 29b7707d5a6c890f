"""Reading spreadsheets safely: the file's real kind from its bytes, bombs and encrypted files refused with a clear
message, rows streamed (python-calamine for .xlsx, the csv module for any common encoding and delimiter)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from compliance.security import SPREADSHEET_KINDS, UploadRefused, upload_sniff


def max_rows() -> int:
    return settings.FLUXO_IMPORT_MAX_ROWS


MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB of XML inside an .xlsx
MAX_RATIO = 200  # uncompressed / compressed: far above real spreadsheets, far below zip bombs
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected .xlsx and legacy .xls


class FileRejected(ApplicationError):
    code = "file_rejected"


def file_inspect(path: Path) -> str:
    """``xlsx`` or ``csv``, or FileRejected saying what is wrong with the file and how to fix it."""
    size = path.stat().st_size
    if size == 0:
        raise FileRejected(_("The file is empty."))
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith(OLE_MAGIC):
        raise FileRejected(
            _(
                "The file is password-protected or an old .xls: open it in Excel, remove the password"
                " and save it as .xlsx or .csv."
            )
        )
    try:
        kind = upload_sniff(head, allowed=SPREADSHEET_KINDS | {"zip"})
    except UploadRefused as exc:
        raise FileRejected(exc.message) from exc
    if kind in ("xlsx", "zip"):
        _zip_check(path)
        return "xlsx"
    return kind


def _zip_check(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise FileRejected(_("This .zip is not an Excel workbook (.xlsx)."))
            total = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos) or 1
            if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
                raise FileRejected(
                    _("The file expands to %(mb)d MB: refused as a possible zip bomb.") % {"mb": total // 1_000_000}
                )
            for info in infos:  # entity declarations are how XML bombs start; real workbooks have none
                if info.filename.endswith(".xml"):
                    with archive.open(info) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise FileRejected(
                            _("The workbook declares XML entities (%(part)s): refused as unsafe.")
                            % {"part": info.filename}
                        )
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("The file is damaged: it is not a readable .xlsx.")) from exc


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phones and CPFs typed as numbers: 11988887777.0 → 11988887777
    return str(value).strip()


def rows_read(path: Path, kind: str) -> Iterator[list[str]]:
    """Every row as a list of strings, the header first."""
    for count, row in enumerate(_xlsx_rows(path) if kind == "xlsx" else _csv_rows(path), start=1):
        if count > max_rows() + 1:
            raise FileRejected(
                _("The file has more than %(n)s rows: split it into smaller files.")
                % {"n": f"{max_rows():,}".replace(",", ".")}
            )
        yield row


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula cell (``<f>``), scanning the XML as it is decompressed."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            tail = b""
            with archive.open(info) as part:
                while block := part.read(1 << 20):
                    text = tail + block
                    if b"<f>" in text or b"<f " in text or b":f>" in text or b":f " in text:
                        return True
                    tail = text[-8:]
    return False


def _xlsx_rows_keeping_formula_text(path: Path) -> Iterator[list[str]]:
    """A workbook with formulas: each cell is the value Excel shows (its cached result); a formula that has none
    (files written by programs, never opened in Excel) is kept as its text, ``=1+2``, rather than lost."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        shown = load_workbook(path, read_only=True, data_only=True)
        typed = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FileRejected(_("The workbook cannot be read (%(error)s).") % {"error": str(exc)[:200]}) from exc
    try:
        rows = zip(
            shown.worksheets[0].iter_rows(values_only=True),
            typed.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        for values, formulas in rows:
            cells = []
            for index, value in enumerate(values):
                formula = formulas[index] if index < len(formulas) else None
                if value is None and formula is not None:
                    value = getattr(formula, "text", formula)  # ArrayFormula → its text
                cells.append(_cell(value))
            yield cells
    finally:
        shown.close()
        typed.close()


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        if _has_formulas(path):
            yield from _xlsx_rows_keeping_formula_text(path)
            return
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        for row in sheet.iter_rows():
            yield [_cell(v) for v in row]
    except PasswordError as exc:
        raise FileRejected(_("The workbook is password-protected: remove the password and try again.")) from exc
    except CalamineError as exc:
        raise FileRejected(_("The workbook cannot be read (%(error)s).") % {"error": str(exc)[:200]}) from exc


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _csv_rows(path: Path) -> Iterator[list[str]]:
    text = _decode(path.read_bytes())
    for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text[:20000])):
        yield [cell.strip() for cell in row]


DELIMITERS = ";,\t|"


def _delimiter(sample: str) -> str:
    """The delimiter that splits the header into the most columns with every sampled row as wide as the header.
    (csv.Sniffer guessed ``,`` for a ``;`` file whose quoted name held commas: ``"=HYPERLINK(""a"",""b"")"``.)"""
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample cut the last line short
    best: tuple[tuple[float, int], str] | None = None
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if row]
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        score = (sum(len(row) == width for row in rows) / len(rows), width)
        if best is None or score > best[0]:
            best = (score, delimiter)
    if best:
        return best[1]
    return ";" if sample.count(";") > sample.count(",") else ","


def rows_count(path: Path, kind: str) -> int:
    """Data rows (without the header), cheaply, for the progress bar."""
    if kind == "xlsx":
        from python_calamine import CalamineWorkbook

        return max(0, CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height - 1)
    with open(path, "rb") as handle:
        return max(0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1)
