"""The leads app's personal-data provider for LGPD requests and retention (registered in LeadsConfig.ready)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Max, Q

from compliance.providers import SubjectQuery, SubjectRef
from leads.models import ContactPoint, EventKind, Lead, LeadEvent
from leads.normalization import cpf_digits, document_index
from leads.services.lead import lead_update
from leads.services.timeline import timeline_event_record

BODY_KINDS = (EventKind.NOTE, EventKind.MESSAGE_IN, EventKind.MESSAGE_OUT, EventKind.CALL, EventKind.MEETING)
REMOVED = "[removido: LGPD]"
CORRECTABLE = {"full_name", "city", "state", "document"}


def _erasure_allowed() -> None:
    """Open the timeline's erasure door for this transaction only (see leads migration 0004)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL fluxo.erasure = 'on'")


class LeadDataProvider:
    name = "leads"

    def find(self, query: SubjectQuery) -> list[SubjectRef]:
        condition = Q(pk__in=[])
        for value, kind in query.contacts:
            condition |= Q(contact_points__kind=kind, contact_points__value=value)
        if cpf_digits(query.document):
            condition |= Q(document_index=document_index(cpf_digits(query.document)))
        ids = Lead.objects.filter(condition).values_list("pk", flat=True).distinct()
        return [SubjectRef(self.name, "leads.lead", pk) for pk in sorted(ids)]

    def export(self, ref: SubjectRef) -> dict:
        lead = Lead.objects.select_related("source", "owner").prefetch_related("tags").get(pk=ref.object_id)
        return {
            "lead": {
                "id": lead.pk,
                "full_name": lead.full_name,
                "document": lead.document,
                "city": lead.city,
                "state": lead.state,
                "budget_min": lead.budget_min,
                "budget_max": lead.budget_max,
                "interest_type": lead.interest_type,
                "source": lead.source.name,
                "stage": lead.stage,
                "owner": lead.owner.get_full_name() if lead.owner else None,
                "attributes": lead.attributes,
                "created_at": lead.created_at,
                "last_interest_at": lead.last_interest_at,
                "tags": [tag.path for tag in lead.tags.all()],
            },
            "contact_points": list(lead.contact_points.values("kind", "value", "is_primary", "is_valid", "created_at")),
            "timeline": list(
                LeadEvent.objects.filter(lead=lead)
                .order_by("occurred_at", "id")
                .values("kind", "channel", "occurred_at", "payload")
            ),
        }

    def correct(self, ref: SubjectRef, changes: dict, actor) -> list[str]:
        allowed = {k: v for k, v in changes.items() if k in CORRECTABLE}
        lead_update(lead=Lead.objects.get(pk=ref.object_id), actor=actor, data=allowed)
        return sorted(allowed)

    @transaction.atomic
    def anonymize(self, ref: SubjectRef, actor) -> None:
        """Replace (not hash) every identifier; keep stage, budget, state and interest for aggregate metrics."""
        _erasure_allowed()
        lead = Lead.objects.select_for_update().get(pk=ref.object_id)
        Lead.objects.filter(pk=lead.pk).update(
            full_name=f"Anonimizado #{lead.pk}",
            document="",
            document_index="",
            city="",
            attributes={},
            external_ref=None,
            campaign_ref="",
            ad_ref="",
        )
        ContactPoint.objects.filter(lead=lead).delete()
        for event in LeadEvent.objects.filter(lead=lead):
            event.payload = _scrub(event.payload)
            event.save(update_fields=["payload"])
        timeline_event_record(lead=lead, kind=EventKind.CORRECTION, actor=actor, payload={"text": "anonymized (LGPD)"})

    @transaction.atomic
    def delete(self, ref: SubjectRef, actor) -> None:
        _erasure_allowed()
        LeadEvent.objects.filter(lead_id=ref.object_id).delete()
        Lead.objects.filter(pk=ref.object_id).delete()

    def shared_with(self, ref: SubjectRef) -> list[dict]:
        lead = Lead.objects.select_related("source", "owner", "team").get(pk=ref.object_id)
        shared = [{"entity": lead.source.name, "role": "origin of the data", "kind": lead.source.kind}]
        if lead.owner:
            shared.append({"entity": lead.owner.get_full_name() or lead.owner.username, "role": "consultant"})
        if lead.team:
            shared.append({"entity": lead.team.name, "role": "sales team"})
        return shared

    def retention_apply(self, category: str, cutoff) -> int:
        if category == "inactive_leads":
            stale = (
                Lead.objects.exclude(full_name__startswith="Anonimizado #")
                .annotate(last_event=Max("events__occurred_at"))
                .filter(Q(last_event__lt=cutoff) | Q(last_event__isnull=True, created_at__lt=cutoff))
                .values_list("pk", flat=True)
            )
            ids = list(stale[:5000])
            for pk in ids:
                self.anonymize(SubjectRef(self.name, "leads.lead", pk), actor=None)
            return len(ids)
        if category == "message_bodies":
            with transaction.atomic():
                _erasure_allowed()
                events = LeadEvent.objects.filter(kind__in=BODY_KINDS, occurred_at__lt=cutoff, payload__has_key="text")
                return events.exclude(payload__text=REMOVED).update(payload={"text": REMOVED})
        return 0


def _scrub(payload: dict) -> dict:
    """Keep the shape of the event (kinds, stages, counts), drop any free text or names."""
    kept = {
        k: v
        for k, v in payload.items()
        if k in {"from", "to", "source_kind", "opt_out", "contact_kind", "added", "removed"}
    }
    if "text" in payload:
        kept["text"] = REMOVED
    return kept
