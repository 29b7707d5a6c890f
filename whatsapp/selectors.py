"""Reads of the WhatsApp gateway."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from whatsapp.models import Message, PhoneNumber, ServiceWindow, Template, TemplateStatus


def window_open_until(*, number: PhoneNumber, contact: str) -> datetime | None:
    """When the contact's customer-service window on ``number`` closes, or None when it is closed."""
    expires = (
        ServiceWindow.objects.filter(number=number, contact=contact, expires_at__gt=timezone.now())
        .values_list("expires_at", flat=True)
        .first()
    )
    return expires


def messages_recent(contacts: list[str], *, limit: int = 100) -> list[Message]:
    """The last ``limit`` messages of the thread, oldest first."""
    return list(messages_for_contacts(contacts).order_by("-created_at", "-id")[:limit])[::-1]


def messages_for_contacts(contacts: list[str]) -> QuerySet[Message]:
    """The thread with any of these E.164 numbers, oldest first (the lead page passes the lead's phones)."""
    return (
        Message.objects.filter(contact__in=contacts).select_related("number", "template").order_by("created_at", "id")
    )


def numbers_usable() -> QuerySet[PhoneNumber]:
    return PhoneNumber.objects.filter(is_active=True, account__is_active=True).select_related("account")


def numbers_paused() -> QuerySet[PhoneNumber]:
    """Numbers a supervisor took out of the rotation (their account still active)."""
    return PhoneNumber.objects.filter(is_active=False, account__is_active=True).order_by("display_number")


def templates_approved(*, account_id: int) -> QuerySet[Template]:
    return Template.objects.filter(account_id=account_id, status=TemplateStatus.APPROVED).order_by("name")


def window_for_contacts(*, contacts: list[str]) -> ServiceWindow | None:
    """The contact's most recent open window on any number."""
    return (
        ServiceWindow.objects.filter(contact__in=contacts, expires_at__gt=timezone.now())
        .select_related("number")
        .order_by("-expires_at")
        .first()
    )


def numbers_overview(*, since: datetime) -> QuerySet[PhoneNumber]:
    """Every number with its outbound counts since ``since`` (sent, delivered or read, failed)."""
    outbound = Q(messages__direction="out", messages__created_at__gte=since)
    return (
        PhoneNumber.objects.select_related("account")
        .annotate(
            sent_count=Count("messages", filter=outbound),
            delivered_count=Count("messages", filter=outbound & Q(messages__status__in=["delivered", "read"])),
            failed_count=Count("messages", filter=outbound & Q(messages__status="failed")),
            received_count=Count("messages", filter=Q(messages__direction="in", messages__created_at__gte=since)),
        )
        .order_by("account__name", "display_number")
    )


UNREAD_VERSION_KEY = "whatsapp_unread_version"


def unread_version() -> int:
    """A number that changes whenever an inbound message arrives or messages are marked read: counts of unread
    messages cached under it (the navigation badge) are stale once it moves on."""
    return cache.get(UNREAD_VERSION_KEY, 0)


def unread_inbound(*, contacts) -> QuerySet[Message]:
    """Inbound messages nobody in Fluxo has opened yet, from any of ``contacts`` (a list or a values() subquery)."""
    return Message.objects.filter(direction="in", read_at__isnull=True, contact__in=contacts)


def contact_error_codes(*, contacts: list[str], since: datetime) -> dict[str, set[int]]:
    """Meta error codes of messages to each of ``contacts`` since ``since`` (anti-ban reads 131026, 131050…)."""
    codes: dict[str, set[int]] = {contact: set() for contact in contacts}
    rows = (
        Message.objects.filter(contact__in=contacts, direction="out", error_code__isnull=False, created_at__gte=since)
        .values_list("contact", "error_code")
        .distinct()
    )
    for contact, code in rows:
        codes[contact].add(code)
    return codes


def template_for_send(*, account_id: int, name: str, language: str = "") -> Template | None:
    templates = Template.objects.filter(account_id=account_id, name=name)
    if language:
        templates = templates.filter(language=language)
    return templates.order_by("language").first()


def number_outcomes(*, number_id: int, since: datetime) -> dict:
    """A number's outbound outcomes since ``since``, for the anti-ban health score: counts by status, errors by
    code, distinct people messaged and how many of them wrote back afterwards."""
    outbound = Message.objects.filter(number_id=number_id, direction="out", created_at__gte=since)
    totals = outbound.aggregate(
        sent=Count("pk", filter=Q(status__in=("sent", "delivered", "read"))),
        delivered=Count("pk", filter=Q(status__in=("delivered", "read"))),
        read=Count("pk", filter=Q(status="read")),
        failed=Count("pk", filter=Q(status="failed")),
        contacts=Count("contact", distinct=True),
    )
    errors = dict(
        outbound.filter(error_code__isnull=False)
        .values_list("error_code")
        .annotate(n=Count("pk"))
        .values_list("error_code", "n")
    )
    answered = Message.objects.filter(
        number_id=number_id, direction="in", contact=OuterRef("contact"), created_at__gt=OuterRef("created_at")
    )
    replies = outbound.annotate(answered=Exists(answered)).filter(answered=True).values("contact").distinct().count()
    return {**totals, "errors": {str(code): n for code, n in errors.items()}, "replies": replies}


def numbers_sent_since(*, since: datetime) -> dict[int, int]:
    """Outbound messages handed to Meta per number since ``since`` (throughput on the health dashboard)."""
    rows = (
        Message.objects.filter(direction="out", created_at__gte=since, status__in=("sent", "delivered", "read"))
        .values_list("number_id")
        .annotate(n=Count("pk"))
        .values_list("number_id", "n")
    )
    return dict(rows)


INBOX_SCAN_CHUNK = 500
INBOX_SCAN_MAX = 20_000  # messages read newest-first for one page of the inbox, at most
_INBOX_FIELDS = ("id", "contact", "direction", "kind", "text", "created_at")
INBOX_NARROW_MAX = 10_000  # unread or closing conversations considered for one page, at most


def conversations_latest(
    *,
    contacts,
    waiting: bool = False,
    unread: bool = False,
    closing_within: timedelta | None = None,
    before: datetime | None = None,
    limit: int = 50,
) -> list[Message]:
    """The inbox: the last message of each conversation with one of ``contacts`` (a list or a values() subquery),
    newest conversation first. ``waiting``: the last message is the customer's (nobody answered yet); ``unread``:
    an inbound message nobody opened; ``closing_within``: the customer-service window closes within that time;
    ``before``: keyset paging on the last message's time.

    Messages are read newest-first (an index on the time) in chunks, keeping each contact's first — its last
    message — so a page costs about the same with ten thousand or ten million messages; unread and closing
    conversations narrow the contacts first (partial index on unread inbound messages, index on window expiry)."""
    if unread:
        narrowed = Message.objects.filter(direction="in", read_at__isnull=True, contact__in=contacts)
    elif closing_within is not None:
        now = timezone.now()
        later = ServiceWindow.objects.filter(contact=OuterRef("contact"), expires_at__gt=now + closing_within)
        narrowed = ServiceWindow.objects.filter(
            contact__in=contacts, expires_at__gt=now, expires_at__lte=now + closing_within
        ).exclude(Exists(later))
    else:
        return _conversations_scan(contacts=contacts, waiting=waiting, before=before, limit=limit)
    few = list(narrowed.order_by().values_list("contact", flat=True).distinct()[:INBOX_NARROW_MAX])
    return _conversations_of(contacts=few, waiting=waiting, before=before, limit=limit)


def _conversations_of(*, contacts: list[str], waiting: bool, before: datetime | None, limit: int) -> list[Message]:
    """The last message of each of a few ``contacts`` (one index probe each), newest first."""
    if not contacts:
        return []
    sql = f"""
        SELECT m.{", m.".join(_INBOX_FIELDS)} FROM unnest(%s::varchar[]) AS c(contact)
        CROSS JOIN LATERAL (
            SELECT {", ".join(_INBOX_FIELDS)} FROM {Message._meta.db_table} WHERE contact = c.contact
            ORDER BY created_at DESC, id DESC LIMIT 1
        ) AS m
        WHERE (%s::timestamptz IS NULL OR m.created_at < %s) AND (NOT %s OR m.direction = 'in')
        ORDER BY m.created_at DESC, m.id DESC LIMIT %s
    """  # noqa: S608 (table and column names are the model's own; every value is a parameter)
    return list(Message.objects.raw(sql, [contacts, before, before, waiting, limit]))


def _conversations_scan(*, contacts, waiting: bool, before: datetime | None, limit: int) -> list[Message]:
    seen: set[str] = set()
    found: list[Message] = []
    last: Message | None = None
    scanned = 0
    while len(found) < limit and scanned < INBOX_SCAN_MAX:
        chunk = Message.objects.filter(contact__in=contacts)
        if before is not None:
            chunk = chunk.filter(created_at__lt=before)
        if last is not None:
            chunk = chunk.filter(Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, id__lt=last.pk))
        batch = list(chunk.only(*_INBOX_FIELDS).order_by("-created_at", "-id")[:INBOX_SCAN_CHUNK])
        if not batch:
            break
        scanned += len(batch)
        last = batch[-1]
        fresh = []
        for message in batch:
            if message.contact not in seen:
                seen.add(message.contact)
                fresh.append(message)
        if before is not None and fresh:  # a contact who wrote since is on an earlier page
            newer = set(
                Message.objects.filter(contact__in=[m.contact for m in fresh], created_at__gte=before)
                .values_list("contact", flat=True)
                .distinct()
            )
            fresh = [m for m in fresh if m.contact not in newer]
        found += [m for m in fresh if m.direction == "in"] if waiting else fresh
        if len(batch) < INBOX_SCAN_CHUNK:
            break
    return found[:limit]


def windows_open_until(*, contacts: list[str]) -> dict[str, datetime]:
    """When each contact's latest customer-service window closes (on any number); closed ones are absent."""
    rows = (
        ServiceWindow.objects.filter(contact__in=contacts, expires_at__gt=timezone.now())
        .values("contact")
        .annotate(until=Max("expires_at"))
        .values_list("contact", "until")
    )
    return dict(rows)


def unread_counts(*, contacts: list[str]) -> dict[str, int]:
    rows = unread_inbound(contacts=contacts).values("contact").annotate(n=Count("pk")).values_list("contact", "n")
    return dict(rows)
