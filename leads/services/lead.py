"""Writes on leads. Every change that matters is written with its timeline event in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import rows_copy, rows_upsert
from compliance.roles import Role, user_has_role
from compliance.services.consent import suppression_add_by_consultant
from leads.errors import (
    LeadContactMissing,
    LeadExternalRefTaken,
    LeadNoteInvalid,
    LeadOwnerInvalid,
    LeadStageReasonRequired,
    LeadStageUnchanged,
)
from leads.models import (
    ContactKind,
    ContactPoint,
    EventChannel,
    EventKind,
    Lead,
    LeadEvent,
    LeadSource,
    LeadStage,
    SourceKind,
)
from leads.normalization import cpf_digits, document_index, email_normalize, name_clean, name_key, phone_normalize
from leads.services.tags import tag_get_or_create_path
from leads.services.timeline import timeline_event_record
from leads.signals import lead_stage_changed, leads_created
from leads.visibility import lead_placement_for_create

NOTE_MAX_LENGTH = 5000
SENSITIVE_FIELDS = frozenset({"document"})  # changes are recorded without their values
UPDATABLE_FIELDS = (
    "full_name",
    "document",
    "city",
    "state",
    "budget_min",
    "budget_max",
    "currency",
    "interest_type",
    "campaign_ref",
    "ad_ref",
    "attributes",
)


def _contact_points_build(lead: Lead, phones: Iterable[str], emails: Iterable[str]) -> list[ContactPoint]:
    points: list[ContactPoint] = []
    seen: set[tuple[str, str]] = set()
    for raw in phones:
        phone = phone_normalize(raw)
        if not phone.e164 or (ContactKind.PHONE, phone.e164) in seen:
            continue
        seen.add((ContactKind.PHONE, phone.e164))
        points.append(
            ContactPoint(
                lead=lead,
                kind=ContactKind.PHONE,
                value=phone.e164,
                is_valid=phone.is_valid,
                is_whatsapp=True if phone.is_valid and phone.is_mobile else None,
            )
        )
    for raw in emails:
        email = email_normalize(raw)
        if not email.value or (ContactKind.EMAIL, email.value) in seen:
            continue
        seen.add((ContactKind.EMAIL, email.value))
        points.append(ContactPoint(lead=lead, kind=ContactKind.EMAIL, value=email.value, is_valid=email.is_valid))
    for kind in (ContactKind.PHONE, ContactKind.EMAIL):
        of_kind = [p for p in points if p.kind == kind]
        if of_kind:
            primary = next((p for p in of_kind if p.is_valid), of_kind[0])
            primary.is_primary = True
    return points


def _owner_check(owner) -> None:
    if owner is not None and not (owner.is_active and user_has_role(owner, Role.CONSULTANT, Role.SUPERVISOR)):
        raise LeadOwnerInvalid(_("%(user)s is not an active consultant or supervisor.") % {"user": owner})


@transaction.atomic
def lead_create(
    *,
    actor,
    source: LeadSource,
    full_name: str,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    channel: EventChannel = EventChannel.SYSTEM,
    owner=None,
    team=None,
    tags: Iterable[str] = (),
    occurred_at: datetime | None = None,
    **fields,
) -> Lead:
    """Create a lead with its contact points and a CREATED event. Needs at least one phone or e-mail."""
    _owner_check(owner)
    unknown = set(fields) - set(UPDATABLE_FIELDS) - {"external_ref"}
    if unknown:
        raise TypeError(f"lead_create got unknown fields: {sorted(unknown)}")
    now = occurred_at or timezone.now()
    if fields.get("document"):
        fields["document"] = cpf_digits(fields["document"])
        fields["document_index"] = document_index(fields["document"])
    cleaned = name_clean(full_name)
    lead = Lead(
        full_name=cleaned,
        name_key=name_key(cleaned),
        source=source,
        owner=owner,
        team=team,
        created_at=now,
        last_interest_at=now,
        stage_changed_at=now,
        **fields,
    )
    points = _contact_points_build(lead, phones, emails)
    if not points:
        raise LeadContactMissing(str(LeadContactMissing.default_message))
    lead.full_clean(exclude=["source", "owner", "team", "tags"])
    try:
        with transaction.atomic():  # a savepoint: the constraint below is the race-free check
            lead.save()
    except IntegrityError as exc:
        if "lead_unique_external_ref_per_source" not in str(exc):
            raise
        message = _("Source “%(source)s” already has a lead with external reference “%(ref)s”.") % {
            "source": source.name,
            "ref": lead.external_ref,
        }
        raise LeadExternalRefTaken(message, details={"external_ref": [message]}) from None
    ContactPoint.objects.bulk_create(points)
    if tags:
        lead.tags.add(*[tag_get_or_create_path(path) for path in tags])
    timeline_event_record(
        lead=lead,
        kind=EventKind.CREATED,
        channel=channel,
        actor=actor,
        occurred_at=now,
        payload={"source": source.name, "source_kind": source.kind},
    )
    leads_created_notify([lead.pk])
    return lead


@transaction.atomic
def lead_create_by_hand(
    *, actor, source: LeadSource, full_name: str, phones=(), emails=(), city: str = "", notes: str = ""
) -> Lead:
    """The staff "new lead" form: a consultant owns the lead (in their team); a supervisor's lead goes to their
    team unassigned, where the roulette picks a consultant (the API's placement rule). The notes become the first
    note on the timeline."""
    owner, team = lead_placement_for_create(user=actor, owner=None)
    lead = lead_create(
        actor=actor,
        source=source,
        full_name=full_name,
        phones=phones,
        emails=emails,
        city=city,
        owner=owner,
        team=team,
        channel=EventChannel.WEB,
    )
    if notes.strip():
        lead_add_note(lead=lead, actor=actor, text=notes, channel=EventChannel.WEB)
    return lead


def leads_created_notify(lead_ids: list[int]) -> None:
    """Tell the apps above (scoring, routing) about new leads once the transaction commits."""
    if lead_ids:
        ids = list(lead_ids)
        transaction.on_commit(lambda: leads_created.send(sender=Lead, lead_ids=ids), robust=True)


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def lead_update(*, lead: Lead, actor, data: dict, channel: EventChannel = EventChannel.SYSTEM) -> Lead:
    """Change profile fields; the event records each field's old and new value."""
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"lead_update got unknown fields: {sorted(unknown)}")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    changes = {}
    for field, value in data.items():
        if field == "full_name":
            value = name_clean(value)
            lead.name_key = name_key(value)
        if field == "document":
            value = cpf_digits(value)
        old = getattr(lead, field)
        if old != value:
            changes[field] = (
                {"changed": True} if field in SENSITIVE_FIELDS else {"from": _jsonable(old), "to": _jsonable(value)}
            )
            setattr(lead, field, value)
    if not changes:
        return lead
    update_fields = [*changes, "updated_at"]
    if "full_name" in changes:
        update_fields.append("name_key")
    if "document" in changes:
        lead.document_index = document_index(lead.document)
        update_fields.append("document_index")
    lead.full_clean(exclude=["source", "owner", "team", "tags"])
    lead.save(update_fields=update_fields)
    timeline_event_record(lead=lead, kind=EventKind.UPDATED, channel=channel, actor=actor, payload={"changes": changes})
    return lead


@transaction.atomic
def lead_contacts_add(*, lead: Lead, actor, phones=(), emails=(), channel: EventChannel = EventChannel.WEB) -> list:
    """Add phones and e-mails the lead does not have yet (normalised as on create); a kind without a primary
    contact gets the first valid new one as primary. The timeline records which kinds were added, not the values."""
    existing = {(kind, value) for kind, value in lead.contact_points.values_list("kind", "value")}
    has_primary = set(lead.contact_points.filter(is_primary=True).values_list("kind", flat=True))
    points = [p for p in _contact_points_build(lead, phones, emails) if (p.kind, p.value) not in existing]
    for point in points:
        point.is_primary = point.is_primary and point.kind not in has_primary
    if not points:
        return []
    ContactPoint.objects.bulk_create(points)
    kinds = ", ".join(sorted({str(p.get_kind_display()) for p in points}))
    timeline_event_record(
        lead=lead,
        kind=EventKind.CONTACT_ADDED,
        channel=channel,
        actor=actor,
        payload={"text": _("Contact added: %(kinds)s") % {"kinds": kinds}, "kinds": sorted({p.kind for p in points})},
    )
    return points


@transaction.atomic
def lead_edit_by_hand(*, lead: Lead, actor, data: dict, phones=(), emails=()) -> Lead:
    """The staff "edit lead" form: profile fields (``lead_update``) and new contact points in one transaction."""
    lead = lead_update(lead=lead, actor=actor, data=data, channel=EventChannel.WEB)
    lead_contacts_add(lead=lead, actor=actor, phones=phones, emails=emails)
    return lead


def stage_requires_reason(stage: str) -> bool:
    """Stages people must explain (``LEADS_STAGES_REQUIRING_REASON``, by default "lost")."""
    return stage in settings.LEADS_STAGES_REQUIRING_REASON


def stage_reason_check(*, stage: str, reason: str) -> None:
    """The rule every entry point shares (board, lead page, the list's bulk action, the API, the admin): moving a
    lead to a stage that must be explained needs a reason. Raises ``LeadStageReasonRequired`` naming the field."""
    if stage in LeadStage.values and stage_requires_reason(stage) and not (reason or "").strip():
        message = _("Say why the lead moves to “%(stage)s”: fill in the Reason field.") % {
            "stage": LeadStage(stage).label
        }
        raise LeadStageReasonRequired(message, details={"reason": [message]})


@transaction.atomic
def lead_change_stage(
    *, lead: Lead, actor, stage: LeadStage, reason: str = "", channel: EventChannel = EventChannel.SYSTEM
) -> Lead:
    """Move the lead to ``stage`` with its timeline event. A person (``actor``) moving it to a stage that must be
    explained gives the reason (``stage_reason_check``); Fluxo's own moves (no actor) are explained by their code."""
    if actor is not None:
        stage_reason_check(stage=stage, reason=reason)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if stage not in LeadStage.values:
        raise LeadStageUnchanged(_("Unknown stage: %(stage)s.") % {"stage": stage}, code="lead_stage_unknown")
    if lead.stage == stage:
        raise LeadStageUnchanged(_("The lead is already in stage “%(stage)s”.") % {"stage": LeadStage(stage).label})
    previous = lead.stage
    lead.stage = stage
    lead.stage_changed_at = timezone.now()
    lead.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    timeline_event_record(
        lead=lead,
        kind=EventKind.STAGE_CHANGED,
        channel=channel,
        actor=actor,
        payload={"from": previous, "to": stage, "reason": reason.strip()},
    )
    lead_id = lead.pk
    transaction.on_commit(
        lambda: lead_stage_changed.send(sender=Lead, lead_id=lead_id, stage=stage, previous=previous), robust=True
    )
    return lead


def lead_contacted_on_first_message(
    *, lead_id: int, actor=None, actor_id: int | None = None, channel: EventChannel = EventChannel.WHATSAPP
) -> bool:
    """The first message to a lead still in "New" moves it to "Contacted" (``LEADS_FIRST_MESSAGE_CONTACTED``),
    with the reason on the timeline, by whoever sent it (``actor`` or ``actor_id``; none: Fluxo). A lead already
    moved on is left where it is. True when it moved."""
    if not settings.LEADS_FIRST_MESSAGE_CONTACTED:
        return False
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(pk=lead_id, stage=LeadStage.NEW).first()
        if lead is None:
            return False
        if actor is None and actor_id:
            actor = get_user_model().objects.filter(pk=actor_id).first()
        lead_change_stage(
            lead=lead, actor=actor, stage=LeadStage.CONTACTED, reason=_("First message sent"), channel=channel
        )
    return True


def lead_change_stage_by_hand(*, lead: Lead, actor, stage: str, reason: str = "") -> Lead:
    """A person moved the lead in the web UI (the lead page, the list's bulk action, the board in another app):
    ``lead_change_stage`` on the web channel, so that apps above need not know the timeline's channels."""
    return lead_change_stage(lead=lead, actor=actor, stage=stage, reason=reason, channel=EventChannel.WEB)


@transaction.atomic
def lead_change_owner(
    *,
    lead: Lead,
    actor,
    owner,
    reason: str = "",
    channel: EventChannel = EventChannel.SYSTEM,
    team=None,
    details: dict | None = None,
    locked: bool = False,
) -> Lead:
    """Hand the lead to ``owner`` (``team`` is set too when the lead has none); ``details`` (e.g. the roulette's
    reasons) go into the timeline event with the reason. ``locked``: ``lead`` came from ``lead_lock`` in the
    caller's transaction, so it is current and locked already (no second read)."""
    _owner_check(owner)
    if not locked:
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
    previous = lead.owner
    if previous == owner:
        return lead
    lead.owner = owner
    fields = ["owner", "updated_at"]
    if team is not None and lead.team_id is None:
        lead.team = team
        fields.append("team")
    lead.save(update_fields=fields)
    timeline_event_record(
        lead=lead,
        kind=EventKind.OWNER_CHANGED,
        channel=channel,
        actor=actor,
        payload={
            "from": previous.pk if previous else None,
            "from_name": previous.get_full_name() if previous else "",
            "to": owner.pk if owner else None,
            "to_name": owner.get_full_name() if owner else "",
            "reason": reason.strip(),
            **({"details": details} if details else {}),
        },
    )
    return lead


@transaction.atomic
def leads_team_move(*, lead_ids: list[int], team_id: int, actor, team_name: str = "") -> int:
    """Move leads still waiting for an owner to another team (a supervisor spreading a backlog); each timeline
    says so. Leads that got an owner meanwhile stay where they are. Returns how many moved."""
    moved = list(
        Lead.objects.select_for_update()
        .filter(pk__in=lead_ids, owner__isnull=True)
        .exclude(team_id=team_id)
        .values_list("pk", "team_id")
    )
    if not moved:
        return 0
    Lead.objects.filter(pk__in=[pk for pk, _team in moved]).update(team_id=team_id, updated_at=timezone.now())
    text = _("Moved to the team “%(team)s”: no one in the previous team had room.") % {"team": team_name}
    for pk, previous in moved:
        timeline_event_record(
            lead=Lead(pk=pk),
            kind=EventKind.NOTE,
            channel=EventChannel.WEB,
            actor=actor,
            payload={"text": text, "team_from": previous, "team_to": team_id},
        )
    return len(moved)


def lead_lock(*, lead_id: int) -> Lead | None:
    """The lead, row-locked until the caller's transaction ends (claims under concurrency); None if absent."""
    return Lead.objects.select_for_update().filter(pk=lead_id, merged_into__isnull=True).first()


@transaction.atomic
def leads_rule_tags_sync(*, wanted: dict[int, set[str]], managed: set[str]) -> int:
    """Tags applied by rules: for each lead, add the ``managed`` paths it now matches and remove the ``managed``
    paths it no longer matches (tags set by people, outside ``managed``, are never touched). One TAGS_CHANGED event
    per lead that changed. Returns how many leads changed."""
    if not wanted or not managed:
        return 0
    tags = {path: tag_get_or_create_path(path) for path in managed}
    by_id = {tag.pk: path for path, tag in tags.items()}
    through = Lead.tags.through
    table = through._meta.db_table
    current: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lead_id, tag_id FROM {table} WHERE lead_id = ANY(%s) AND tag_id = ANY(%s)",  # noqa: S608 (a model's table)
            [list(wanted), list(by_id)],
        )
        for lead_id, tag_id in cursor.fetchall():
            current.setdefault(lead_id, set()).add(by_id[tag_id])
    links, unlinks, events = [], [], []
    now = timezone.now()
    for lead_id, paths in wanted.items():
        paths = paths & managed
        have = current.get(lead_id, set())
        added, removed = paths - have, have - paths
        if not (added or removed):
            continue
        links += [(lead_id, tags[p].pk) for p in added]
        unlinks += [(lead_id, tags[p].pk) for p in removed]
        payload = {"added": sorted(added), "removed": sorted(removed), "by": "rules"}
        events.append((lead_id, EventKind.TAGS_CHANGED, EventChannel.SYSTEM, now, now, json.dumps(payload)))
    # COPY, not bulk_create: on a first scoring of 10,000 leads the ORM's statement building cost more than the writes
    rows_upsert(table, ("lead_id", "tag_id"), links, conflict=("lead_id", "tag_id"))
    if unlinks:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE (lead_id, tag_id) IN "  # noqa: S608 (a model's table)
                "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
                [[u[0] for u in unlinks], [u[1] for u in unlinks]],
            )
    rows_copy(LeadEvent._meta.db_table, ("lead_id", "kind", "channel", "occurred_at", "created_at", "payload"), events)
    return len(events)


@transaction.atomic
def lead_add_note(*, lead: Lead, actor, text: str, channel: EventChannel = EventChannel.WEB):
    text = (text or "").strip()
    if not text:
        raise LeadNoteInvalid(_("The note is empty."))
    if len(text) > NOTE_MAX_LENGTH:
        raise LeadNoteInvalid(
            _("The note has %(length)d characters; the limit is %(limit)d.")
            % {"length": len(text), "limit": NOTE_MAX_LENGTH}
        )
    return timeline_event_record(lead=lead, kind=EventKind.NOTE, channel=channel, actor=actor, payload={"text": text})


@transaction.atomic
def lead_tags_set(*, lead: Lead, actor, paths: Iterable[str]) -> Lead:
    wanted = {tag_get_or_create_path(p) for p in paths if p.strip()}
    current = set(lead.tags.all())
    added, removed = wanted - current, current - wanted
    if not (added or removed):
        return lead
    lead.tags.remove(*removed)
    lead.tags.add(*added)
    timeline_event_record(
        lead=lead,
        kind=EventKind.TAGS_CHANGED,
        actor=actor,
        payload={"added": sorted(t.path for t in added), "removed": sorted(t.path for t in removed)},
    )
    return lead


@transaction.atomic
def contact_point_opt_out(*, contact_point: ContactPoint, actor, reason: str = "") -> bool:
    """A consultant records that the person asked not to be contacted (any channel, any purpose)."""
    _entry, created = suppression_add_by_consultant(
        contact=contact_point.value, kind=contact_point.kind, actor_id=getattr(actor, "pk", None), note=reason
    )
    if created:
        timeline_event_record(
            lead=contact_point.lead,
            kind=EventKind.CONSENT,
            channel=EventChannel.WEB,
            actor=actor,
            payload={
                "text": _("Opt-out registered for %(kind)s") % {"kind": contact_point.get_kind_display()},
                "opt_out": True,
                "contact_kind": contact_point.kind,
            },
        )
    return created


REFERRAL_SOURCE = "Indicações"
MANUAL_SOURCE = "Cadastro manual"


def lead_source_manual() -> LeadSource | None:
    """The source of leads typed in by hand (the "new lead" form's default): the first active source of kind
    "manual", created as "Cadastro manual" when there is none (a data migration creates it too). None when an admin
    turned that source off: the form then has no default."""
    source = LeadSource.objects.filter(kind=SourceKind.MANUAL, is_active=True).order_by("pk").first()
    if source is None and not LeadSource.objects.filter(kind=SourceKind.MANUAL).exists():
        source, _created = LeadSource.objects.get_or_create(name=MANUAL_SOURCE, defaults={"kind": SourceKind.MANUAL})
    return source if source is not None and source.is_active else None


@transaction.atomic
def lead_referral_register(*, referrer: Lead, actor, full_name: str, phones=(), emails=(), note: str = "") -> Lead:
    """A consultant registers someone the lead referred: a new lead (source kind referral, owned by the consultant)
    and both timelines say who referred whom."""
    source, _created = LeadSource.objects.get_or_create(name=REFERRAL_SOURCE, defaults={"kind": SourceKind.REFERRAL})
    owner = actor if user_has_role(actor, Role.CONSULTANT, Role.SUPERVISOR) else None
    referred = lead_create(
        actor=actor,
        source=source,
        full_name=full_name,
        phones=phones,
        emails=emails,
        owner=owner,
        team=referrer.team,
        channel=EventChannel.WEB,
        attributes={"referred_by": referrer.pk},
    )
    timeline_event_record(
        lead=referrer,
        kind=EventKind.NOTE,
        channel=EventChannel.WEB,
        actor=actor,
        payload={"text": _("Referred %(name)s") % {"name": referred.full_name}, "referred_lead": referred.pk},
    )
    timeline_event_record(
        lead=referred,
        kind=EventKind.NOTE,
        channel=EventChannel.WEB,
        actor=actor,
        payload={
            "text": (
                _("Referred by %(name)s") % {"name": referrer.full_name}
                + (f" — {note.strip()}" if note.strip() else "")
            ),
            "referred_by": referrer.pk,
        },
    )
    return referred


@transaction.atomic
def lead_ai_profile_merge(*, lead_id: int, facts: dict, confidence: dict, source: dict, min_confidence: float) -> list:
    """Merge facts the AI middleware extracted from a message into the lead, with provenance.

    The AI profile (intent, sentiment, urgency, objections, stage, questions…) lives in ``attributes["ai"]`` with,
    per field, where it came from (``source``: extraction id, provider, prompt version) and when. Empty profile
    columns (budget, city, state, interest) are filled when the confidence is at least ``min_confidence``, through
    ``lead_update`` so the timeline shows the change. Returns the columns filled."""
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    now = timezone.now().isoformat()
    profile = dict(lead.attributes.get("ai") or {})
    provenance = dict(lead.attributes.get("ai_provenance") or {})
    for field, value in facts.items():
        if value in (None, "", []) and field in profile:
            continue  # "no budget in this message" does not erase the budget an earlier one gave
        if field == "objections":
            value = sorted(set(profile.get("objections") or []) | set(value or []))
        profile[field] = value
        provenance[field] = {**source, "at": now, "confidence": confidence.get(field)}
    lead.attributes = {**lead.attributes, "ai": profile, "ai_provenance": provenance}
    lead.save(update_fields=["attributes", "updated_at"])
    wanted = {
        "budget_min": facts.get("budget_min"),
        "budget_max": facts.get("budget_max"),
        "city": facts.get("city"),
        "state": facts.get("state"),
        "interest_type": facts.get("property_type"),
    }
    changes = {}
    for field, value in wanted.items():
        column_confidence = confidence.get("property_type" if field == "interest_type" else field) or 0
        if value in (None, "") or column_confidence < min_confidence or getattr(lead, field) not in (None, ""):
            continue
        changes[field] = Decimal(str(value)).quantize(Decimal("0.01")) if field.startswith("budget") else value
    if changes:
        lead_update(lead=lead, actor=None, data=changes, channel=EventChannel.SYSTEM)
    return sorted(changes)
