"""Merging duplicates and undoing merges. Both sides' timelines say what happened and why."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from leads.models import (
    ContactPoint,
    DuplicateReview,
    EventKind,
    Lead,
    LeadMerge,
    LeadSource,
    ReviewStatus,
)
from leads.services.lead import lead_create
from leads.services.timeline import timeline_event_record


class MergeError(ApplicationError):
    code = "merge_error"


@transaction.atomic
def leads_merge(*, into: Lead, other: Lead, actor, reason: str, confidence: float = 1.0) -> LeadMerge:
    """``other`` joins ``into``: its contact points move over, it is marked merged (kept, so undo is exact)."""
    # lock order: both lead rows at once, by id — two opposite merges of the same pair cannot deadlock
    locked = {
        lead.pk: lead for lead in Lead.objects.select_for_update().filter(pk__in=[into.pk, other.pk]).order_by("pk")
    }
    if into.pk not in locked or other.pk not in locked:
        raise Lead.DoesNotExist("lead not found")
    into, other = locked[into.pk], locked[other.pk]
    if into.pk == other.pk or other.merged_into_id or into.merged_into_id:
        raise MergeError(_("These leads cannot be merged (same lead, or one was already merged)."))
    present = set(into.contact_points.values_list("kind", "value"))
    moved, dropped = [], []
    for point in other.contact_points.all():
        if (point.kind, point.value) in present:
            dropped.append(point.pk)
        else:
            moved.append(point.pk)
    ContactPoint.objects.filter(pk__in=moved).update(lead=into, is_primary=False)
    Lead.objects.filter(pk=other.pk).update(merged_into=into, updated_at=timezone.now())
    Lead.objects.filter(pk=into.pk).update(
        recurrence_count=F("recurrence_count") + other.recurrence_count,
        priority=F("priority") + 1,
        last_interest_at=max(into.last_interest_at, other.last_interest_at),
        updated_at=timezone.now(),
    )
    merge = LeadMerge.objects.create(
        into=into,
        merged_lead_id=other.pk,
        reason=reason,
        confidence=confidence,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        snapshot={"kind": "lead", "moved_contacts": moved},
    )
    payload = {"merge": merge.pk, "reason": reason, "confidence": confidence}
    timeline_event_record(
        lead=into,
        kind=EventKind.MERGED,
        actor=actor,
        payload={**payload, "merged_lead": other.pk, "text": other.full_name},
    )
    timeline_event_record(lead=other, kind=EventKind.MERGED, actor=actor, payload={**payload, "into": into.pk})
    return merge


@transaction.atomic
def lead_merge_undo(*, merge: LeadMerge, actor) -> Lead:
    """Split a merge apart again. Returns the lead that comes back."""
    merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise MergeError(_("This merge was already undone."))
    into = Lead.objects.select_for_update().get(pk=merge.into_id)
    snapshot = merge.snapshot
    if snapshot.get("kind") == "lead":
        restored = Lead.objects.select_for_update().get(pk=merge.merged_lead_id)
        ContactPoint.objects.filter(pk__in=snapshot.get("moved_contacts", []), lead=into).update(lead=restored)
        Lead.objects.filter(pk=restored.pk).update(merged_into=None)
        decrement = restored.recurrence_count
    else:  # an imported row that had merged into ``into``: it becomes its own lead again
        contacts = [tuple(c) for c in snapshot.get("contacts", [])]
        ContactPoint.objects.filter(
            lead=into, kind__in=["phone", "email"], value__in=[v for _k, v in contacts]
        ).delete()
        shared = [] if contacts else list(into.contact_points.values_list("kind", "value")[:1])
        restored = lead_create(
            actor=actor,
            source=LeadSource.objects.get(pk=snapshot["source_id"]),
            full_name=snapshot["full_name"],
            phones=[v for k, v in contacts + shared if k == "phone"],
            emails=[v for k, v in contacts + shared if k == "email"],
            city=snapshot.get("city", ""),
            state=snapshot.get("state", ""),
            attributes=snapshot.get("attributes", {}),
        )
        decrement = 1
    Lead.objects.filter(pk=into.pk).update(recurrence_count=F("recurrence_count") - decrement)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    text = _("Merge undone")
    timeline_event_record(
        lead=into,
        kind=EventKind.CORRECTION,
        actor=actor,
        payload={"text": text, "merge": merge.pk, "restored_lead": restored.pk},
    )
    timeline_event_record(
        lead=restored,
        kind=EventKind.CORRECTION,
        actor=actor,
        payload={"text": text, "merge": merge.pk, "from_lead": into.pk},
    )
    return restored


@transaction.atomic
def review_decide(*, review: DuplicateReview, actor, merge: bool) -> DuplicateReview:
    review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise MergeError(_("This pair was already decided."))
    if merge:
        leads_merge(
            into=review.lead, other=review.candidate, actor=actor, reason=review.reason, confidence=review.confidence
        )
    review.status = ReviewStatus.MERGED if merge else ReviewStatus.KEPT_SEPARATE
    review.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    return review
