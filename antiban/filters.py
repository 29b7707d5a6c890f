"""The preventive layer: content and recipient checks. Each check says whether it passed and, when it did not,
why, in words a consultant can act on; the outbox keeps every answer in its decision log."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta

import holidays
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from antiban.models import ContentRule, OutboxMessage, OutboxState, Priority, RuleAction
from common.contacts import phone_normalize
from compliance.services.consent import ConsentChannel, ConsentPurpose, contact_preferences_many, may_contact_many
from whatsapp.selectors import contact_error_codes

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SHORTENERS = ("bit.ly", "tinyurl.com", "cutt.ly", "encurtador.com.br", "t.co/", "goo.gl", "is.gd", "ow.ly", "rb.gy")
OPT_OUT_HINT = re.compile(r"\b(sair|parar|pare|descadastr\w*|stop)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    reason: str = ""
    fatal: bool = True  # a failed fatal check refuses the message; a non-fatal one is a warning
    wait_until: datetime | None = None  # a check that says "not now" rather than "never"
    code: str = ""  # the decision behind a failed check (consent: "no_basis", "suppressed", "revoked"…)

    def as_log(self) -> dict:
        data = asdict(self)
        data["wait_until"] = self.wait_until.isoformat() if self.wait_until else None
        return data


def body_hash(text: str) -> str:
    """The same text however it is spaced or capitalised: what spam filters see as one body sent to many."""
    return hashlib.md5(" ".join(text.lower().split()).encode(), usedforsecurity=False).hexdigest()


def content_checks(text: str, priority: int, *, templated: bool = False) -> list[Check]:
    marketing = priority == Priority.MARKETING
    checks: list[Check] = []
    if text and not templated and priority != Priority.REPLY:
        same = OutboxMessage.objects.filter(
            body_hash=body_hash(text), created_at__gte=timezone.now() - timedelta(hours=1)
        ).count()
        limit = settings.ANTIBAN_IDENTICAL_PER_HOUR
        checks.append(
            Check(
                "identical_bodies",
                same < limit,
                _("The same text went to %(n)s people in the last hour: vary it or use template variants.")
                % {"n": same},
                fatal=marketing,
            )
        )
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    checks.append(Check("shouting", not shouting, _("Most of the text is in capitals: it reads as shouting."), False))
    links = URL.findall(text)
    checks.append(
        Check("link_count", len(links) <= 2, _("More than two links (%(n)s): spam filters notice.") % {"n": len(links)})
    )
    short = [link for link in links if any(s in link.lower() for s in SHORTENERS)]
    checks.append(Check("url_shortener", not short, _("Link shorteners hide the destination; use the full address.")))
    if marketing:
        checks.append(
            Check(
                "opt_out_instruction",
                bool(OPT_OUT_HINT.search(text)),
                _("Marketing messages must say how to stop receiving them (e.g. “Responda SAIR”)."),
            )
        )
        name = settings.FLUXO_BUSINESS_NAME
        checks.append(
            Check(
                "business_identification",
                templated or name.lower() in text.lower(),  # a template shows the verified business name
                _("Marketing messages must identify the business (“%(name)s”).") % {"name": name},
            )
        )
    for rule in ContentRule.objects.filter(is_active=True):
        if rule.applies_to_marketing_only and not marketing:
            continue
        try:
            matched = re.search(rule.pattern, text, re.IGNORECASE)
        except re.error:
            continue  # a broken admin rule must not stop every send; the admin form validates new ones
        checks.append(Check(f"rule:{rule.name}", not matched, rule.reason, rule.action == RuleAction.BLOCK))
    return checks


def recipient_checks(contact: str, priority: int, *, now: datetime | None = None) -> list[Check]:
    return recipient_checks_many([(contact, priority)], now=now)[0]


def recipient_checks_many(items: list[tuple[str, int]], *, now: datetime | None = None) -> list[list[Check]]:
    """The recipient checks of many (contact, priority) pairs in a handful of queries whatever their number: a
    dispatcher checks its whole claim at once, a bulk send its whole audience."""
    now = now or timezone.now()
    contacts = sorted({contact for contact, _priority in items})
    marketing = sorted({contact for contact, priority in items if priority == Priority.MARKETING})
    decisions = {
        purpose: may_contact_many(contacts=wanted, kind="phone", channel=ConsentChannel.WHATSAPP, purpose=purpose)
        for purpose, wanted in (
            (ConsentPurpose.SERVICE, sorted({c for c, p in items if p != Priority.MARKETING})),
            (ConsentPurpose.MARKETING, marketing),
        )
        if wanted
    }
    codes = contact_error_codes(contacts=contacts, since=now - timedelta(days=30))
    weekly = dict(
        OutboxMessage.objects.filter(
            contact__in=marketing,
            priority=Priority.MARKETING,
            state=OutboxState.SENT,
            created_at__gte=now - timedelta(days=7),
        )
        .values_list("contact")
        .annotate(n=Count("pk"))
        .values_list("contact", "n")
    )
    opens = contact_hours_next_open(now)
    # The person's own days and hours ("só no fim de semana", "depois das 18h"), for anything not a reply: one query.
    own = contact_preferences_many(contacts=sorted({c for c, p in items if p != Priority.REPLY}), kind="phone")
    own_opens = {
        contact: contact_hours_next_open(now, days=preference.contact_days, hours=preference.contact_hours)
        for contact, preference in own.items()
        if preference.contact_days or preference.contact_hours
    }
    return [
        _recipient_checks(contact, priority, decisions, codes[contact], weekly, own_opens.get(contact, opens))
        for contact, priority in items
    ]


def _recipient_checks(contact: str, priority: int, decisions, codes: set[int], weekly, opens) -> list[Check]:
    checks: list[Check] = []
    phone = phone_normalize(contact)
    checks.append(
        Check(
            "valid_mobile",
            bool(phone.is_valid and phone.e164 == contact and phone.is_mobile),
            _("%(contact)s is not a valid mobile number in E.164.") % {"contact": contact},
        )
    )
    purpose = ConsentPurpose.MARKETING if priority == Priority.MARKETING else ConsentPurpose.SERVICE
    decision = decisions[purpose][contact]
    blocking = not decision.allowed and (priority == Priority.MARKETING or decision.code in ("suppressed", "revoked"))
    checks.append(Check("consent", not blocking, decision.reason, code=decision.code))
    checks.append(
        Check("on_whatsapp", 131026 not in codes, _("The last messages to this number were undeliverable (131026)."))
    )
    if priority == Priority.MARKETING:
        checks.append(
            Check("marketing_stopped", 131050 not in codes, _("The person stopped marketing messages (131050)."))
        )
        week, cap = weekly.get(contact, 0), settings.ANTIBAN_MARKETING_PER_WEEK
        checks.append(
            Check(
                "weekly_cap",
                week < cap,
                _("Already %(n)s marketing messages this week (cap %(cap)s).") % {"n": week, "cap": cap},
            )
        )
    if priority != Priority.REPLY:
        checks.append(
            Check(
                "contact_hours",
                opens is None,
                _("Outside contact hours: waits until %(when)s.")
                % {"when": timezone.localtime(opens).strftime("%d/%m %H:%M") if opens else ""},
                fatal=False,
                wait_until=opens,
            )
        )
    return checks


def contact_hours_next_open(
    now: datetime, *, days: list[int] | None = None, hours: list[str] | None = None
) -> datetime | None:
    """None when ``now`` is inside contact hours (default 09:00–20:00 local, Monday–Saturday, not a national
    holiday; equal start and end mean all day); else the next moment they open. A person's own ``days`` (weekdays,
    0 = Monday) and ``hours`` ("HH:MM", "HH:MM") replace the business's where they said them."""
    try:
        start, end = (time.fromisoformat(v) for v in (hours or settings.ANTIBAN_CONTACT_HOURS)[:2])
    except (TypeError, ValueError):  # a malformed stored preference falls back to the business's hours
        start, end = (time.fromisoformat(v) for v in settings.ANTIBAN_CONTACT_HOURS)
    weekdays = set(days) if days else set(settings.ANTIBAN_CONTACT_DAYS)
    local = timezone.localtime(now)
    national = _national_holidays(local.year) if settings.ANTIBAN_SKIP_HOLIDAYS else {}

    def day_ok(moment: datetime) -> bool:
        return moment.weekday() in weekdays and moment.date() not in national

    if day_ok(local) and (start == end or start <= local.time() < end):
        return None
    if day_ok(local) and local.time() < start:
        return local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    candidate = local
    for _day in range(30):
        candidate = (candidate + timedelta(days=1)).replace(
            hour=start.hour, minute=start.minute, second=0, microsecond=0
        )
        if day_ok(candidate):
            return candidate
    return candidate


def contact_hours_close(moment: datetime) -> datetime:
    """When the contact hours that are open at ``moment`` close (all-day hours close at midnight, where the
    next day's own rule takes over)."""
    start, end = (time.fromisoformat(v) for v in settings.ANTIBAN_CONTACT_HOURS)
    local = timezone.localtime(moment)
    if start < end:
        return local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def contact_hours_spread(now: datetime, count: int, spread: timedelta) -> list[datetime]:
    """``count`` distinct, increasing moments spread evenly over ``spread`` of *open* contact time, starting now
    (or at the next opening when closed): the part that does not fit before closing continues at the next
    opening, so none lands outside contact hours."""
    step = spread / max(count, 1)
    cursor = contact_hours_next_open(now) or now
    closes = contact_hours_close(cursor)
    used = timedelta(0)  # open time consumed before ``cursor``
    moments = []
    for index in range(count):
        offset = step * index
        while cursor + (offset - used) >= closes:
            used += closes - cursor
            cursor = contact_hours_next_open(closes) or closes
            closes = contact_hours_close(cursor)
        moments.append(cursor + (offset - used))
    return moments


@functools.lru_cache(maxsize=4)
def _national_holidays(year: int):
    return holidays.Brazil(years=[year, year + 1])


def refusals(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.passed and c.fatal and c.wait_until is None]
