"""Quick replies: saved snippets for the WhatsApp send box, personal or shared with a team, with variables filled
from the lead and the person sending ({{nome}}, {{primeiro_nome}}, {{consultor}}, {{imovel}}, {{cidade}})."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from leads.errors import LeadError
from leads.models import InterestType, QuickReply

VARIABLES = ("nome", "primeiro_nome", "consultor", "imovel", "cidade")
_VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class QuickReplyInvalid(LeadError):
    code = "quick_reply_invalid"


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").replace("\x00", "").strip()
    if not title:
        raise QuickReplyInvalid(_("Give the quick reply a title."), details={"field": "title"})
    if len(title) > 60:
        raise QuickReplyInvalid(_("The title is too long (at most 60 characters)."), details={"field": "title"})
    if not body:
        raise QuickReplyInvalid(_("Write the text of the quick reply."), details={"field": "body"})
    if len(body) > 4096:
        raise QuickReplyInvalid(_("The text is too long (at most 4,096 characters)."), details={"field": "body"})
    unknown = sorted({name for name in _VARIABLE.findall(body) if name not in VARIABLES})
    if unknown:
        raise QuickReplyInvalid(
            _("Unknown variable %(names)s; use one of: %(known)s.")
            % {
                "names": ", ".join("{{" + n + "}}" for n in unknown),
                "known": ", ".join("{{" + n + "}}" for n in VARIABLES),
            },
            details={"field": "body"},
        )
    return title, body


def _title_taken(*, title: str, team, owner, exclude_id: int | None = None) -> None:
    """Titles are unique within a scope (one person's own snippets, or one team's), whatever the case: the send box
    lists them by title. The database holds the same rule (``quick_reply_title_unique_*``) for concurrent saves."""
    same = QuickReply.objects.filter(title__iexact=title)
    same = same.filter(team=team) if team is not None else same.filter(owner=owner, team__isnull=True)
    if exclude_id is not None:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        if team is not None:
            message = _("Team %(team)s already has a quick reply titled “%(title)s”: choose another title.") % {
                "team": team.name,
                "title": title,
            }
        else:
            message = _("You already have a quick reply titled “%(title)s”: choose another title.") % {"title": title}
        raise QuickReplyInvalid(message, details={"field": "title"})


def _save(reply: QuickReply, **save_kwargs) -> QuickReply:
    try:
        with transaction.atomic():
            reply.save(**save_kwargs)
    except IntegrityError:  # the same title saved at the same moment by someone else of the scope
        _title_taken(title=reply.title, team=reply.team, owner=reply.owner, exclude_id=reply.pk)
        raise
    return reply


def quick_reply_create(*, actor, title: str, body: str, team=None) -> QuickReply:
    """A personal snippet of ``actor``, or a team's one when ``team`` is given (the view checks that the actor
    runs that team). A title already used in that scope is refused."""
    title, body = _clean(title, body)
    owner = None if team else actor
    _title_taken(title=title, team=team, owner=owner)
    reply = QuickReply(title=title, body=body, team=team, owner=owner, created_by_id=actor.pk)
    return _save(reply, force_insert=True)


def quick_reply_update(*, reply: QuickReply, title: str, body: str) -> QuickReply:
    title, body = _clean(title, body)
    _title_taken(title=title, team=reply.team, owner=reply.owner, exclude_id=reply.pk)
    reply.title, reply.body = title, body
    return _save(reply, update_fields=["title", "body", "updated_at"])


def quick_reply_delete(*, reply: QuickReply) -> None:
    reply.delete()


def _property_word(lead) -> str:
    """``{{imovel}}``: the kind of property the lead wants ("apartamento"); a neutral "imóvel" when it is unknown or
    the catch-all "other" ("Vi seu interesse em outro em Campinas" read as nonsense)."""
    if lead.interest_type and lead.interest_type != InterestType.OTHER:
        return str(lead.get_interest_type_display()).lower()
    return str(pgettext("quick reply {{imovel}}", "property"))


def quick_reply_render(*, reply: QuickReply, lead, actor) -> str:
    """The snippet with its variables filled; a variable with nothing to fill it (no city on file) is left empty
    rather than sent as ``{{cidade}}``."""
    names = (lead.full_name or "").split()
    values = {
        "nome": lead.full_name or "",
        "primeiro_nome": names[0] if names else "",
        "consultor": (actor.first_name or actor.get_full_name() or actor.get_username()).strip(),
        "imovel": _property_word(lead),
        "cidade": lead.city or "",
    }
    return _VARIABLE.sub(lambda match: values.get(match.group(1), ""), reply.body)
