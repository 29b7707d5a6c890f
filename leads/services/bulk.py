"""Bulk actions of the lead list (tag, change stage) over a selection the caller has already checked against
``leads.selectors.lead_ids_for_bulk``. Each lead gets its own timeline event, as a one-by-one change would."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from leads.models import EventChannel, EventKind, Lead, LeadStage
from leads.services.lead import lead_change_stage_by_hand, stage_reason_check
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


@transaction.atomic
def leads_tag_add(*, lead_ids, actor, path: str) -> int:
    """Add the tag ``path`` (created with its ancestors if new) to every selected lead that lacks it; returns how
    many leads got it."""
    ids = _checked(lead_ids)
    try:
        tag = tag_get_or_create_path(path.strip().lstrip("#"))
    except ValueError:
        raise BulkSelectionInvalid(
            _("Give the tag to add, e.g. interesse/casa."), details={"tag": [_("Required.")]}
        ) from None
    missing = list(Lead.objects.filter(pk__in=ids).exclude(tags=tag).order_by("pk"))
    Lead.tags.through.objects.bulk_create([Lead.tags.through(lead_id=lead.pk, tag_id=tag.pk) for lead in missing])
    for lead in missing:
        timeline_event_record(
            lead=lead,
            kind=EventKind.TAGS_CHANGED,
            channel=EventChannel.WEB,
            actor=actor,
            payload={"added": [tag.path], "removed": [], "bulk": True},
        )
    return len(missing)


def leads_stage_change(*, lead_ids, actor, stage: str, reason: str = "") -> dict:
    """Move every selected lead to ``stage`` (one transaction per lead, through ``lead_change_stage`` so that the
    apps above hear of each move); leads already there are left as they are. Returns {moved, unchanged}."""
    ids = _checked(lead_ids)
    if stage not in LeadStage.values:
        raise BulkSelectionInvalid(_("Choose the stage to move the leads to."), details={"stage": [_("Required.")]})
    stage_reason_check(stage=stage, reason=reason)  # before any lead moves: all of them or none
    moved = unchanged = 0
    for lead in Lead.objects.filter(pk__in=ids).order_by("pk"):
        if lead.stage == stage:
            unchanged += 1
            continue
        lead_change_stage_by_hand(lead=lead, actor=actor, stage=stage, reason=reason)
        moved += 1
    return {"moved": moved, "unchanged": unchanged}
