"""Bulk actions of the lead list (tag, untag, change stage) over a selection the caller has already checked against
``leads.selectors.lead_ids_for_bulk``. Each lead gets its own timeline event, as a one-by-one change would. Each
change is kept as a ``BulkChange`` so that the person who made it (or an admin) can undo it: undo puts back exactly
what each lead had before, for the leads nothing happened to since."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import ApplicationError, NotFoundError
from compliance.roles import Role, user_has_role
from compliance.services.audit import audit_change
from leads.models import BulkChange, BulkChangeKind, EventChannel, EventKind, Lead, LeadEvent, LeadStage, Tag
from leads.services.lead import lead_change_stage, lead_change_stage_by_hand, lead_lock, stage_reason_check
from leads.services.tags import tag_get_or_create_path
from leads.services.timeline import timeline_event_record

BULK_LIMIT = 5000


class BulkSelectionInvalid(ApplicationError):
    code = "bulk_selection_invalid"


def _checked(lead_ids) -> list[int]:
    ids = list(lead_ids)
    if not ids:
        raise BulkSelectionInvalid(_("Select at least one lead (or all the leads matching the filters)."))
    if len(ids) > BULK_LIMIT:
        raise BulkSelectionInvalid(_("At most %(limit)d leads at a time: narrow the filters.") % {"limit": BULK_LIMIT})
    return ids


def _tag_path(path: str) -> str:
    """What the user typed (``#Interesse/Casa``) → the tag's path as stored (``interesse/casa``); "" when empty."""
    parts = [slugify(p.strip(), allow_unicode=True) for p in path.strip().lstrip("#").strip("/").split("/")]
    return "/".join(p for p in parts if p)


def _tag_required() -> BulkSelectionInvalid:
    return BulkSelectionInvalid(_("Give the tag to add, e.g. interesse/casa."), details={"tag": [_("Required.")]})


def _recorded(*, kind: str, actor, value: str, entries: list[dict]) -> BulkChange | None:
    if not entries:
        return None
    return BulkChange.objects.create(kind=kind, actor=actor, value=value, entries=entries)


def _tag_events(leads, *, actor, added: list[str], removed: list[str]) -> list[dict]:
    """One timeline event per lead for a bulk tag change; the undo entries ({lead, event}) that name them."""
    entries = []
    for lead in leads:
        event = timeline_event_record(
            lead=lead,
            kind=EventKind.TAGS_CHANGED,
            channel=EventChannel.WEB,
            actor=actor,
            payload={"added": added, "removed": removed, "bulk": True},
        )
        entries.append({"lead": lead.pk, "event": event.pk})
    return entries


@transaction.atomic
def leads_tag_add(*, lead_ids, actor, path: str) -> dict:
    """Add the tag ``path`` (created with its ancestors if new) to every selected lead that lacks it. Returns
    {changed (how many leads got it), change (the undoable ``BulkChange``, None when no lead changed)}."""
    ids = _checked(lead_ids)
    try:
        tag = tag_get_or_create_path(path.strip().lstrip("#"))
    except ValueError:
        raise _tag_required() from None
    missing = list(Lead.objects.filter(pk__in=ids, merged_into__isnull=True).exclude(tags=tag).order_by("pk"))
    Lead.tags.through.objects.bulk_create([Lead.tags.through(lead_id=lead.pk, tag_id=tag.pk) for lead in missing])
    entries = _tag_events(missing, actor=actor, added=[tag.path], removed=[])
    change = _recorded(kind=BulkChangeKind.TAG_ADD, actor=actor, value=tag.path, entries=entries)
    return {"changed": len(missing), "change": change}


@transaction.atomic
def leads_tag_remove(*, lead_ids, actor, path: str) -> dict:
    """Take the tag ``path`` off every selected lead that has it (the tag itself stays). Returns {changed, change}
    as ``leads_tag_add``."""
    ids = _checked(lead_ids)
    tag_path = _tag_path(path)
    if not tag_path:
        raise BulkSelectionInvalid(_("Give the tag to remove, e.g. interesse/casa."), details={"tag": [_("Required.")]})
    tag = Tag.objects.filter(path=tag_path).first()
    if tag is None:
        return {"changed": 0, "change": None}
    having = list(Lead.objects.filter(pk__in=ids, merged_into__isnull=True, tags=tag).order_by("pk"))
    Lead.tags.through.objects.filter(tag_id=tag.pk, lead_id__in=[lead.pk for lead in having]).delete()
    entries = _tag_events(having, actor=actor, added=[], removed=[tag.path])
    change = _recorded(kind=BulkChangeKind.TAG_REMOVE, actor=actor, value=tag.path, entries=entries)
    return {"changed": len(having), "change": change}


def _last_stage_event_id(lead_id: int) -> int | None:
    return (
        LeadEvent.objects.filter(lead_id=lead_id, kind=EventKind.STAGE_CHANGED)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )


def leads_stage_change(*, lead_ids, actor, stage: str, reason: str = "") -> dict:
    """Move every selected lead to ``stage`` (one transaction per lead, through ``lead_change_stage`` so that the
    apps above hear of each move); leads already there are left as they are. Returns {moved, unchanged, change}."""
    ids = _checked(lead_ids)
    if stage not in LeadStage.values:
        raise BulkSelectionInvalid(_("Choose the stage to move the leads to."), details={"stage": [_("Required.")]})
    stage_reason_check(stage=stage, reason=reason)  # before any lead moves: all of them or none
    unchanged = 0
    entries = []
    for lead in Lead.objects.filter(pk__in=ids, merged_into__isnull=True).order_by("pk"):
        if lead.stage == stage:
            unchanged += 1
            continue
        with transaction.atomic():  # the lead stays locked until its event is known: the entry is exact
            previous = lead.stage
            lead_change_stage_by_hand(lead=lead, actor=actor, stage=stage, reason=reason)
            entries.append({"lead": lead.pk, "from": previous, "event": _last_stage_event_id(lead.pk)})
    change = _recorded(kind=BulkChangeKind.STAGE, actor=actor, value=stage, entries=entries)
    return {"moved": len(entries), "unchanged": unchanged, "change": change}


def bulk_change_undo(*, change_id: int, actor) -> dict:
    """Undo a bulk tag or stage change: each lead gets back exactly what it had before (its previous stage; the tag
    taken off again or put back), only if nothing happened since to that stage or that tag (a later move, a later
    tag change, a merge): such leads are skipped and named in the result. Only the person who made the change (or an
    admin) may undo it; undoing twice changes nothing the second time. Audited. Returns {restored, skipped (lead
    ids), already (True when it had been undone before)}."""
    with transaction.atomic():
        change = BulkChange.objects.select_for_update().filter(pk=change_id).first()
        if change is None or not (change.actor_id == actor.pk or user_has_role(actor, Role.ADMIN)):
            raise NotFoundError(_("This change does not exist."), code="bulk_change_not_found")
        if change.undone_at is not None:
            return {**change.undo_result, "already": True}
        reason = _("Undone: %(what)s of %(when)s") % {
            "what": change.get_kind_display(),
            "when": timezone.localtime(change.created_at).strftime("%d/%m %H:%M"),
        }
        undo = _stage_entry_undo if change.kind == BulkChangeKind.STAGE else _tag_entry_undo
        restored, skipped = 0, []
        for entry in change.entries:
            try:
                with transaction.atomic():
                    done = undo(change, entry, actor=actor, reason=reason)
            except ApplicationError:
                done = False
            if done:
                restored += 1
            else:
                skipped.append(entry["lead"])
        change.undone_at = timezone.now()
        change.undo_result = {"restored": restored, "skipped": skipped}
        change.save(update_fields=["undone_at", "undo_result"])
        audit_change(
            action="bulkchange.undone",
            obj=change,
            details={"kind": change.kind, "restored": restored, "skipped": len(skipped)},
            actor=actor,
        )
    return {"restored": restored, "skipped": skipped, "already": False}


def _stage_entry_undo(change: BulkChange, entry: dict, *, actor, reason: str) -> bool:
    lead = lead_lock(lead_id=entry["lead"])
    if lead is None or lead.stage != change.value or _last_stage_event_id(lead.pk) != entry["event"]:
        return False  # moved since (or merged away): leave it where it is
    lead_change_stage(lead=lead, actor=actor, stage=entry["from"], reason=reason, channel=EventChannel.WEB)
    return True


def _tag_entry_undo(change: BulkChange, entry: dict, *, actor, reason: str) -> bool:
    lead = lead_lock(lead_id=entry["lead"])
    if lead is None:
        return False
    touched_since = (
        LeadEvent.objects.filter(lead_id=lead.pk, kind=EventKind.TAGS_CHANGED, pk__gt=entry["event"])
        .filter(Q(payload__added__contains=[change.value]) | Q(payload__removed__contains=[change.value]))
        .exists()
    )
    if touched_since:
        return False
    added = change.kind == BulkChangeKind.TAG_ADD
    tag = Tag.objects.filter(path=change.value).first() if added else tag_get_or_create_path(change.value)
    has_it = tag is not None and lead.tags.filter(pk=tag.pk).exists()
    if has_it != added:
        return False
    if added:
        lead.tags.remove(tag)
    else:
        lead.tags.add(tag)
    timeline_event_record(
        lead=lead,
        kind=EventKind.TAGS_CHANGED,
        channel=EventChannel.WEB,
        actor=actor,
        payload={
            "added": [] if added else [change.value],
            "removed": [change.value] if added else [],
            "bulk": True,
            "reason": reason,
        },
    )
    return True


def bulk_change_undo_text(result: dict) -> str:
    """“Desfeito: 12 leads voltaram …; 2 mudaram depois e ficaram como estão.”"""
    restored = result.get("restored", 0)
    text = ngettext(
        "Undone: %(n)d lead is back as it was before.", "Undone: %(n)d leads are back as they were before.", restored
    ) % {"n": restored}
    skipped = len(result.get("skipped", []))
    if skipped:
        text += " " + ngettext(
            "%(n)d changed since and was left as it is.", "%(n)d changed since and were left as they are.", skipped
        ) % {"n": skipped}
    return text
