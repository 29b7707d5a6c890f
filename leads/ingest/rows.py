"""One spreadsheet row → a normalized lead, or a rejection that names the column and the reason. Pure: no ORM.

Cells are text: one that starts like a formula (``=1+2``, ``@SUM(A1:A2)``, ``-x``) is stored exactly as typed and
never refuses its row; every spreadsheet Fluxo writes (error reports, exports) neutralises such cells on the way out
(``compliance.security.cell_safe``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from leads.normalization import (
    NormalizedEmail,
    NormalizedPhone,
    budget_parse,
    city_canonical,
    cpf_digits,
    cpf_is_valid,
    ddd_state,
    email_normalize,
    interest_extract,
    name_clean,
    name_key,
    phone_normalize,
    state_normalize,
)

NO_NAME = "(sem nome)"


@dataclass
class LeadRow:
    line: int
    full_name: str = ""
    name_key: str = ""
    phones: list[NormalizedPhone] = field(default_factory=list)
    emails: list[NormalizedEmail] = field(default_factory=list)
    document: str = ""
    city: str = ""
    state: str = ""
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    interest_type: str = ""
    campaign_ref: str = ""
    ad_ref: str = ""
    external_ref: str | None = None
    notes: str = ""
    origin: str = ""
    attributes: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def valid_phones(self) -> list[str]:
        return [p.e164 for p in self.phones if p.is_valid]

    @property
    def valid_emails(self) -> list[str]:
        return [e.value for e in self.emails if e.is_valid]


@dataclass(frozen=True)
class RowRejected:
    line: int
    column: str
    reason: str
    raw: dict


def row_normalize(line: int, raw: dict[str, str], mapping: dict[str, str]) -> LeadRow | RowRejected:
    row = LeadRow(line=line, raw=raw)
    first = last = ""
    for header, value in raw.items():
        target = mapping.get(header, "attribute")
        value = (value or "").strip()
        if not value or target == "ignore":
            continue
        if target == "full_name":
            row.full_name = name_clean(value)
        elif target == "first_name":
            first = value
        elif target == "last_name":
            last = value
        elif target in ("phone", "phone2"):
            for part in value.replace("/", ";").split(";"):
                if part.strip():
                    row.phones.append(phone_normalize(part))
        elif target == "email":
            for part in value.replace(",", ";").split(";"):
                if part.strip():
                    row.emails.append(email_normalize(part))
        elif target == "document":
            digits = cpf_digits(value)
            if cpf_is_valid(digits):
                row.document = digits
            else:
                row.flags.append(_("invalid CPF in column %(column)s") % {"column": header})
        elif target == "city":
            row.city = value
        elif target == "state":
            row.state = state_normalize(value) or ""
            if not row.state:
                row.flags.append(_("unknown state “%(value)s”") % {"value": value})
        elif target == "budget":
            parsed = budget_parse(value)
            if parsed:
                row.budget_min, row.budget_max = parsed
            else:
                row.flags.append(_("budget not understood: “%(value)s”") % {"value": value[:40]})
        elif target == "interest":
            row.interest_type = interest_extract(value)
            row.attributes["interesse"] = value
        elif target == "origin":
            row.origin = value
        elif target == "notes":
            row.notes = value
            row.interest_type = row.interest_type or interest_extract(value)
        elif target == "campaign_ref":
            row.campaign_ref = value[:120]
        elif target == "ad_ref":
            row.ad_ref = value[:120]
        elif target == "external_ref":
            row.external_ref = value[:120]
        else:
            row.attributes[header[:60]] = value[:500]
    if not row.full_name and (first or last):
        row.full_name = name_clean(f"{first} {last}")
    if row.city:
        match = city_canonical(row.city, row.state)
        if match:
            row.city, row.state = match.name, match.state
        else:
            row.flags.append(_("city not found in the IBGE list: “%(value)s”") % {"value": row.city[:60]})
            row.city = row.city[:120]
    if not row.valid_phones and not row.valid_emails:
        bad = [p.raw for p in row.phones] + [e.raw for e in row.emails]
        column = next((h for h, t in mapping.items() if t in ("phone", "phone2", "email") and raw.get(h)), "")
        reason = (
            _("no valid phone or e-mail (%(values)s)") % {"values": ", ".join(bad)[:80]}
            if bad
            else _("no phone or e-mail")
        )
        return RowRejected(line, column, reason, raw)
    for phone in row.phones:
        if not phone.is_valid:
            row.flags.append(_("invalid phone kept for reference: %(value)s") % {"value": phone.raw[:30]})
    for email in row.emails:
        if not email.is_valid:
            row.flags.append(_("invalid e-mail kept for reference: %(value)s") % {"value": email.raw[:60]})
    if row.state and row.valid_phones:
        ddd_uf = ddd_state(row.valid_phones[0])
        if ddd_uf and ddd_uf != row.state:
            row.flags.append(
                _("phone area code is from %(ddd)s but the state is %(uf)s") % {"ddd": ddd_uf, "uf": row.state}
            )
    row.full_name = (row.full_name or NO_NAME)[:200]
    row.name_key = name_key(row.full_name) if row.full_name != NO_NAME else ""
    return row
