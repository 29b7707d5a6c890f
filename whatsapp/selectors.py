"""Reads of the WhatsApp gateway."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
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
    from django.db.models import Count, Q

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
    from django.db.models import Count, Exists, OuterRef, Q

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
    from django.db.models import Count

    rows = (
        Message.objects.filter(direction="out", created_at__gte=since, status__in=("sent", "delivered", "read"))
        .values_list("number_id")
        .annotate(n=Count("pk"))
        .values_list("number_id", "n")
    )
    return dict(rows)


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
    ``before``: keyset paging on the last message's time. One query."""
    from django.db.models import Exists, OuterRef

    latest = (
        Message.objects.filter(contact__in=contacts)
        .order_by("contact", "-created_at", "-id")
        .distinct("contact")
        .values("pk")
    )
    rows = Message.objects.filter(pk__in=latest).select_related("number")
    if waiting:
        rows = rows.filter(direction="in")
    if unread:
        rows = rows.filter(
            Exists(Message.objects.filter(direction="in", read_at__isnull=True, contact=OuterRef("contact")))
        )
    if closing_within is not None:
        now = timezone.now()
        closing = ServiceWindow.objects.filter(
            contact=OuterRef("contact"), expires_at__gt=now, expires_at__lte=now + closing_within
        )
        later = ServiceWindow.objects.filter(contact=OuterRef("contact"), expires_at__gt=now + closing_within)
        rows = rows.filter(Exists(closing)).exclude(Exists(later))
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    return list(rows.order_by("-created_at", "-id")[:limit])


def windows_open_until(*, contacts: list[str]) -> dict[str, datetime]:
    """When each contact's latest customer-service window closes (on any number); closed ones are absent."""
    from django.db.models import Max

    rows = (
        ServiceWindow.objects.filter(contact__in=contacts, expires_at__gt=timezone.now())
        .values("contact")
        .annotate(until=Max("expires_at"))
        .values_list("contact", "until")
    )
    return dict(rows)


def unread_counts(*, contacts: list[str]) -> dict[str, int]:
    from django.db.models import Count

    rows = unread_inbound(contacts=contacts).values("contact").annotate(n=Count("pk")).values_list("contact", "n")
    return dict(rows)
