"""Reads of the consultant's WhatsApp desk: the inbox of conversations (not only the unread ones) and the quick
replies a person may use. Visibility is ``lead_visible_to``'s rule, like every other list of leads."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.roles import Role, user_has_role
from compliance.services.consent import suppressed_among
from compliance.teams import team_for_member, teams_managed_by
from leads.models import ContactKind, ContactPoint, Lead, QuickReply
from leads.selectors import lead_visible_to
from whatsapp import selectors as wa_selectors
from whatsapp.payloads import template_placeholders

INBOX_VIEWS = ("all", "mine", "unread", "waiting", "closing")
CLOSING_WITHIN = timedelta(hours=2)
PREVIEW_CHARS = 90
KIND_LABELS = {
    "image": _("Image"),
    "audio": _("Audio"),
    "video": _("Video"),
    "document": _("Document"),
    "sticker": _("Sticker"),
    "location": _("Location"),
    "contacts": _("Contact card"),
    "template": _("Template"),
    "interactive": _("Reply to options"),
    "button": _("Reply to options"),
    "reaction": _("Reaction"),
}


@dataclass(frozen=True)
class Conversation:
    lead: Lead
    contact: str
    last_at: datetime
    last_direction: str  # "in" (the customer wrote last) or "out"
    preview: str  # "" when the person opted out (nothing of theirs is shown in lists)
    last_kind: str
    unread: int
    window_until: datetime | None
    opted_out: bool

    @property
    def waiting(self) -> bool:
        return self.last_direction == "in"

    @property
    def window_state(self) -> str:
        if self.window_until is None:
            return "closed"
        return "closing" if self.window_until - timezone.now() <= CLOSING_WITHIN else "open"

    @property
    def window_hours_left(self) -> float | None:
        if self.window_until is None:
            return None
        return round(max(0.0, (self.window_until - timezone.now()).total_seconds()) / 3600, 1)


def inbox_conversations(
    *, user, view: str = "all", before: datetime | None = None, limit: int = 50
) -> list[Conversation]:
    """The conversations of the leads ``user`` may see, newest message first, filtered by ``view`` (all, mine,
    unread, waiting for us, window closing in under 2 h). A constant number of queries whatever the page holds."""
    leads = lead_visible_to(user).filter(merged_into__isnull=True)
    if view == "mine":
        leads = leads.filter(owner=user)
    phones = ContactPoint.objects.filter(kind=ContactKind.PHONE, lead__in=leads)
    messages = wa_selectors.conversations_latest(
        contacts=phones.values("value"),
        waiting=view == "waiting",
        unread=view == "unread",
        closing_within=CLOSING_WITHIN if view == "closing" else None,
        before=before,
        limit=limit,
    )
    contacts = [m.contact for m in messages]
    if not contacts:
        return []
    lead_by_contact: dict[str, Lead] = {}
    for point in phones.filter(value__in=contacts).select_related("lead", "lead__owner").order_by("-is_primary", "id"):
        lead_by_contact.setdefault(point.value, point.lead)
    windows = wa_selectors.windows_open_until(contacts=contacts)
    unread = wa_selectors.unread_counts(contacts=contacts)
    opted_out = {value for value, _kind in suppressed_among([(c, "phone") for c in contacts])}
    seen: set[int] = set()
    conversations = []
    for message in messages:
        lead = lead_by_contact.get(message.contact)
        if lead is None or lead.pk in seen:  # one row per lead: its most recent thread
            continue
        seen.add(lead.pk)
        hidden = message.contact in opted_out
        text = " ".join((message.text or "").split()) or str(KIND_LABELS.get(message.kind, _("Message")))
        conversations.append(
            Conversation(
                lead=lead,
                contact=message.contact,
                last_at=message.created_at,
                last_direction=message.direction,
                preview="" if hidden else text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else ""),
                last_kind=message.kind,
                unread=unread.get(message.contact, 0),
                window_until=windows.get(message.contact),
                opted_out=hidden,
            )
        )
    return conversations


# --- Quick replies ------------------------------------------------------------------------------------------------
def quick_replies_for(*, user) -> QuerySet[QuickReply]:
    """The snippets ``user`` may insert: their own, their team's, and (supervisors, admins) the teams they run."""
    scope = Q(owner=user)
    team = team_for_member(user)
    if team is not None:
        scope |= Q(team=team)
    if user_has_role(user, Role.ADMIN, Role.SUPERVISOR):
        scope |= Q(team__in=teams_managed_by(user))
    return QuickReply.objects.filter(scope).select_related("team").order_by("title", "id")


def quick_reply_teams_editable(*, user):
    """The teams whose shared snippets ``user`` may create, change and delete (supervisors theirs, admins all)."""
    if user_has_role(user, Role.ADMIN, Role.SUPERVISOR):
        return teams_managed_by(user)
    return teams_managed_by(user).none()


def quick_reply_get_editable(*, user, reply_id: int) -> QuickReply:
    """A snippet ``user`` may change: their own, or a team one they run; anything else is a 404."""
    scope = Q(owner=user) | Q(team__in=quick_reply_teams_editable(user=user))
    reply = QuickReply.objects.filter(scope, pk=reply_id).select_related("team").first()
    if reply is None:
        raise Http404
    return reply


def quick_reply_get_usable(*, user, reply_id: int) -> QuickReply:
    reply = quick_replies_for(user=user).filter(pk=reply_id).first()
    if reply is None:
        raise Http404
    return reply


# --- Names for notifications --------------------------------------------------------------------------------------
def lead_short_names(*, lead_ids: list[int]) -> dict[int, str]:
    """First name and the initial of the last ("Maria S.") of each lead, for notifications: enough to recognise the
    person without spelling out a full name in a list. One query."""
    names = {}
    for lead_id, full_name in Lead.objects.filter(pk__in=set(lead_ids)).values_list("pk", "full_name"):
        parts = (full_name or "").split()
        names[lead_id] = f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else (parts[0] if parts else "")
    return names


# --- Replies outside the customer-service window ------------------------------------------------------------------
def whatsapp_reply_route(*, lead) -> dict:
    """How a reply to ``lead`` can go now: inside an open 24-hour window as free text (``window_open``), or outside
    it only as an approved template — then the number to send from, the phone to send to and the templates (each
    with ``body_text`` and ``body_params``, the number of its parameters)."""
    phones = list(
        ContactPoint.objects.filter(lead=lead, kind=ContactKind.PHONE, is_valid=True)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
    )
    if not phones:
        return {"window_open": False, "number": None, "to": "", "templates": []}
    if wa_selectors.window_for_contacts(contacts=phones) is not None:
        return {"window_open": True, "number": None, "to": "", "templates": []}
    number = wa_selectors.numbers_usable().first()
    templates = []
    for template in wa_selectors.templates_approved(account_id=number.account_id) if number else []:
        template.body_params = range(template_placeholders(template.components).get("body", 0))
        template.body_text = next((c.get("text", "") for c in template.components if c.get("type") == "BODY"), "")
        templates.append(template)
    return {"window_open": False, "number": number, "to": phones[0], "templates": templates}


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return set(re.findall(r"[a-z]{3,}", folded))


def template_closest(*, text: str, templates: list):
    """The approved template whose text shares the most words with ``text`` (a reply the window no longer
    allows), or the first one when none shares any; None without templates."""
    if not templates:
        return None
    words = _words(text)

    def overlap(template) -> float:
        other = _words(getattr(template, "body_text", "") or template.name.replace("_", " "))
        return len(words & other) / len(words | other) if words | other else 0.0

    return max(templates, key=overlap)
