"""Hardening helpers used by every app: outbound URL checks (SSRF), safe spreadsheet cells, upload sniffing."""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import socket
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from common.errors import ApplicationError


class OutboundUrlRefused(ApplicationError):
    code = "outbound_url_refused"


def url_origin(url: str) -> str:
    """``HTTP://Host:80/x`` → ``http://host:80``; the default port is written out, so origins compare equal."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme, 0)
    except ValueError:
        return ""
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def outbound_url_check(url: str, *, allow_http: bool = False, trusted_origins: Iterable[str] = ()) -> str:
    """Refuse URLs Fluxo must never call (webhooks, media fetches): non-HTTPS, credentials in the URL, and any host
    that resolves to a private, loopback, link-local, multicast, reserved or unspecified address. An URL on one of
    ``trusted_origins`` or ``settings.OUTBOUND_TRUSTED_ORIGINS`` (``scheme://host:port``, configured by the operator:
    the Graph simulator on loopback) passes — the same host on another port or scheme does not."""
    parts = urlsplit(url)
    trusted = {url_origin(o) for o in (*trusted_origins, *getattr(settings, "OUTBOUND_TRUSTED_ORIGINS", ())) if o}
    if not (parts.username or parts.password) and url_origin(url) in trusted - {""}:
        return url
    if parts.scheme not in (("https", "http") if allow_http else ("https",)):
        raise OutboundUrlRefused(_("Only https:// URLs are allowed (got “%(scheme)s”).") % {"scheme": parts.scheme})
    if parts.username or parts.password:
        raise OutboundUrlRefused(_("URLs with credentials are not allowed."))
    host = parts.hostname
    if not host:
        raise OutboundUrlRefused(_("The URL has no host."))
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundUrlRefused(_("The host “%(host)s” does not resolve.") % {"host": host}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise OutboundUrlRefused(
                _("“%(host)s” points to a private or reserved address (%(address)s): refused.")
                % {"host": host, "address": address}
            )
    return url


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A phone number as people and our lists write it — E.164 or formatted, perhaps masked: "+5511988887777",
# "+55 (11) 98888-7777", "+55 11 9****-7777" — and a few of them joined by ", ". Only digits, separators and
# stars: no function, no reference, nothing a spreadsheet could run.
_PHONE = r"\+\d{1,3}(?:[ .\-]?(?:\(\d{1,4}\)|[\d*]{1,6}))+"
_PHONES = re.compile(rf"{_PHONE}(?:, {_PHONE})*")
_PHONE_SYMBOLS_MIN, _PHONE_SYMBOLS_MAX = 8, 15


def _is_phone_list(value: str) -> bool:
    if not _PHONES.fullmatch(value):
        return False
    return all(
        _PHONE_SYMBOLS_MIN <= len(re.sub(r"[^\d*]", "", phone)) <= _PHONE_SYMBOLS_MAX for phone in value.split(", ")
    )


def cell_safe(value):
    """A CSV cell that cannot run as a formula (CSV/formula injection, as OWASP describes it): text starting with
    = + - @ tab or CR is prefixed with an apostrophe — except a phone number ("+55 11 98888-7777"), which is kept
    as it is. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_phone_list(value):
        return "'" + value
    return value


class _LineBuffer:
    """A file-like target for ``csv.writer`` that hands back what was written, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_export(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> Iterator[bytes]:
    """Formula-safe CSV, streamed: yields UTF-8 bytes (a BOM first, so Excel reads UTF-8) a few hundred rows at a
    time, never holding the whole file. ``b"".join(csv_export(...))`` for a small one. ``delimiter=";"`` is what
    Excel in Portuguese (Brazil) splits columns on: with "," the whole row lands in one column."""
    writer = csv.writer(_LineBuffer(), delimiter=delimiter)
    chunk = ["\ufeff", writer.writerow([cell_safe(h) for h in header])]
    for row in rows:
        chunk.append(writer.writerow([cell_safe(_plain(v)) for v in row]))
        if len(chunk) >= 500:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def xlsx_export_to(target, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> None:
    """Write ``{"Sheet": (header, rows)}`` as .xlsx into ``target`` (a path or binary file) with openpyxl's
    write-only mode: rows go to disk as they come, so memory stays flat however long the list. Every text cell is a
    string cell (never a formula, whatever it starts with), so the text is written exactly as it is."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)

    def cells(sheet, values):
        out = []
        for value in values:
            value = _plain(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # openpyxl reads a leading "=" as a formula: this is text
                value = cell
            out.append(value)
        return out

    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(cells(sheet, header))
        for row in rows:
            sheet.append(cells(sheet, row))
    workbook.save(target)


def xlsx_export(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """``{"Sheet": (header, rows)}`` → an .xlsx whose text cells are all text, never formulas."""
    out = io.BytesIO()
    xlsx_export_to(out, sheets)
    return out.getvalue()


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class UploadRefused(ApplicationError):
    code = "upload_refused"


SPREADSHEET_KINDS = {"xlsx", "csv"}


def upload_sniff(head: bytes, *, allowed: set[str]) -> str:
    """The real kind of an upload from its first bytes (never its name): ``xlsx`` or ``csv``."""
    guess = filetype.guess(head)
    if guess is not None:
        kind = guess.extension
        if kind == "zip" and b"[Content_Types].xml" in head[:2048] and b"xl/" in head:
            kind = "xlsx"
        if kind in allowed:
            return kind
        raise UploadRefused(
            _("This file is a “%(kind)s” whatever its name says; allowed: %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(sorted(allowed))}
        )
    if "csv" in allowed and b"\x00" not in head[:4096]:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                head[:4096].decode(encoding)
                return "csv"
            except UnicodeDecodeError:
                continue
    raise UploadRefused(_("Unrecognised file content; allowed: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))})
