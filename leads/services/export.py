"""Export of the filtered lead list (CSV or XLSX): the same visibility and filters as the list, contacts masked
by role as lists mask them, every text cell formula-safe, one audit entry per export (the filters and the row
count, never personal data), rows streamed so a long list never sits in memory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.roles import contacts_unmasked_in_lists
from compliance.security import csv_export, xlsx_export_to
from compliance.services.audit import audit_export
from compliance.services.consent import contact_mask
from leads import selectors
from leads.errors import LeadError
from leads.models import ContactKind, Lead
from leads.normalization import phone_display

EXPORT_FORMATS = ("csv", "xlsx")
CHUNK_ROWS = 2000
# Filters whose value could be a person's data (a name, a phone typed into the search box): the audit entry says
# that they were used, not what they were.
_PERSONAL_FILTERS = {"q"}
_NOT_FILTERS = {"format", "page", "page_size"}


class LeadExportFormatInvalid(LeadError):
    code = "invalid_export_format"


@dataclass
class LeadExport:
    file_format: str
    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes] | None = None  # CSV: streamed
    file: object | None = None  # XLSX: a spooled temporary file, rewound


def _header() -> list[str]:
    return [
        _("ID"),
        _("Name"),
        _("Phone"),
        _("E-mail"),
        _("City"),
        _("State"),
        _("Stage"),
        _("Source"),
        _("Owner"),
        _("Team"),
        _("Tags"),
        _("Budget from"),
        _("Budget up to"),
        _("Times interest was shown"),
        _("Priority"),
        _("Created at"),
    ]


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _row(lead: Lead, *, unmasked: bool) -> list:
    phones, emails = [], []
    for point in lead.primary_contacts:
        if point.kind == ContactKind.PHONE:
            phones.append(phone_display(point.value) if unmasked else contact_mask(point.value, point.kind))
        elif point.kind == ContactKind.EMAIL:
            emails.append(point.value if unmasked else contact_mask(point.value, point.kind))
    owner = lead.owner.get_full_name() or lead.owner.get_username() if lead.owner else ""
    return [
        lead.pk,
        lead.full_name,
        ", ".join(phones),
        ", ".join(emails),
        lead.city,
        lead.state,
        str(lead.get_stage_display()),
        lead.source.name,
        owner,
        lead.team.name if lead.team else "",
        ", ".join(tag.path for tag in lead.tag_list),
        _number(lead.budget_min),
        _number(lead.budget_max),
        lead.recurrence_count,
        lead.priority,
        timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
    ]


def _audit_filters(filters) -> dict:
    """The filters as the audit log keeps them: names and values, except free text that may name a person."""
    kept = {}
    items = filters.lists() if hasattr(filters, "lists") else ((k, [v]) for k, v in filters.items())
    for key, values in items:
        values = [str(v) for v in values if str(v).strip()]
        if key in _NOT_FILTERS or not values:
            continue
        kept[key] = "(given)" if key in _PERSONAL_FILTERS else (values if len(values) > 1 else values[0])
    return kept


def lead_export(*, user, filters, file_format: str, delimiter: str = ",") -> LeadExport:
    """The visible leads matching ``filters`` (the list's filters) as a CSV stream or an XLSX file.

    Raises LeadFilterInvalid for a bad filter and LeadExportFormatInvalid for an unknown format, before anything
    is written or audited."""
    file_format = (file_format or "csv").lower()
    if file_format not in EXPORT_FORMATS:
        raise LeadExportFormatInvalid(
            _("Unknown export format “%(format)s”: use csv or xlsx.") % {"format": file_format[:20]},
            details={"format": list(EXPORT_FORMATS)},
        )
    leads = selectors.lead_list(user=user, filters=filters)
    count = leads.count()
    audit_export(
        object_type="leads.lead",
        details={"format": file_format, "filters": _audit_filters(filters), "rows": count},
        actor=user,
    )
    unmasked = contacts_unmasked_in_lists(user)
    rows = (_row(lead, unmasked=unmasked) for lead in leads[:count].iterator(chunk_size=CHUNK_ROWS))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"leads-{stamp}.{file_format}"
    if file_format == "csv":
        chunks = csv_export(_header(), rows, delimiter=delimiter)
        return LeadExport("csv", filename, "text/csv; charset=utf-8", count, chunks=chunks)
    # An .xlsx is a zip whose directory comes last: it is written to a temporary file (openpyxl's write-only
    # mode keeps memory flat) and then streamed from disk.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    xlsx_export_to(target, {_("Leads"): (_header(), rows)})
    target.seek(0)
    return LeadExport(
        "xlsx",
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        count,
        file=target,
    )
