"""The demo's people and the legal basis of its leads' contacts, written in bulk for ``seed_demo`` (at the top of the
map), which passes the contacts as plain data it got from the leads app."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from compliance.models import (
    AuditCategory,
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
    SuppressionReason,
)
from compliance.roles import Role, role_grant
from compliance.services.audit import audit_record
from compliance.services.consent import contact_index, contact_mask, marketing_consent_text, suppression_add

DEMO_USER_AGENT = "Mozilla/5.0 (Linux; Android 14) Chrome/126 Mobile"


def users_demo_ensure() -> dict:
    """The demo accounts with their roles, looked up by username (created with the demo password if missing): an
    admin, a supervisor, five consultants and an integrator."""
    user_model = get_user_model()
    fake = Faker("pt_BR")
    fake.seed_instance(2026)
    password = settings.FLUXO_DEMO_PASSWORD

    def person(username: str, role: Role, **extra):
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
                "email": f"{username}@demo.fluxo.local",
                **extra,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        role_grant(user=user, role=role)
        return user

    admin = person("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    supervisor = person("supervisor", Role.SUPERVISOR)
    consultants = [person(f"consultant{i}", Role.CONSULTANT) for i in range(1, 6)]
    integrator = person("integrator", Role.INTEGRATOR)
    return {"admin": admin, "supervisor": supervisor, "consultants": consultants, "integrator": integrator}


def consent_demo_records_create(*, contacts: list[dict]) -> int:
    """The legal basis the real flows record, for the demo leads: the form they filled (service under preliminary
    procedures, marketing with the box ticked and the exact text shown), with its evidence; a "SAIR" a week later
    revokes marketing and puts the phone on the do-not-contact list. Each contact is plain data: ``ref`` (the demo
    lead's reference), ``phone``, ``form`` (its name), ``source`` (a ``ConsentSource``), ``occurred_at``,
    ``ip_address``, ``marketing`` (the box was ticked) and ``opted_out``. Idempotent: each record names its lead in
    ``evidence.demo_ref``, and contacts already recorded are skipped. Returns the records written."""
    done = set(ConsentRecord.objects.filter(evidence__has_key="demo_ref").values_list("evidence__demo_ref", flat=True))
    text = marketing_consent_text()
    records, stops = [], []
    for contact in contacts:
        ref, phone, created_at = contact["ref"], contact["phone"], contact["occurred_at"]
        if ref in done:
            continue
        evidence = {"demo_ref": ref, "form": contact["form"], "page": "/lancamento-jardins/", "checkbox": "marketing"}
        source = contact["source"]
        row = {
            "subject_index": contact_index(phone, "phone"),
            "contact_kind": "phone",
            "contact_hint": contact_mask(phone, "phone"),
            "channel": ConsentChannel.ANY,
            "source": source,
            "occurred_at": created_at,
            "ip_address": contact["ip_address"],
            "user_agent": DEMO_USER_AGENT if source == ConsentSource.FORM else "",
        }
        records.append(
            ConsentRecord(
                **row,
                purpose=ConsentPurpose.SERVICE,
                legal_basis=LegalBasis.CONTRACT,
                status=ConsentStatus.GRANTED,
                evidence=evidence,
            )
        )
        if contact["marketing"] and text is not None:
            records.append(
                ConsentRecord(
                    **row,
                    purpose=ConsentPurpose.MARKETING,
                    legal_basis=LegalBasis.CONSENT,
                    status=ConsentStatus.GRANTED,
                    text=text,
                    evidence=evidence,
                )
            )
        if contact["opted_out"]:  # answered a campaign with "SAIR" a week after signing up
            stopped = {**row, "source": ConsentSource.WHATSAPP, "ip_address": None, "user_agent": ""}
            # never in the future: a lead who arrived this week said it today at the latest
            stopped["occurred_at"] = min(created_at + timedelta(days=7), timezone.now())
            records.append(
                ConsentRecord(
                    **stopped,
                    purpose=ConsentPurpose.MARKETING,
                    legal_basis=LegalBasis.CONSENT,
                    status=ConsentStatus.REVOKED,
                    evidence={"demo_ref": ref, "layer": "keyword", "keyword": "SAIR"},
                )
            )
            stops.append(phone)
    ConsentRecord.objects.bulk_create(records, batch_size=2000)
    for phone in stops:
        suppression_add(contact=phone, kind="phone", reason=SuppressionReason.KEYWORD, details={"demo": True})
    if records:
        audit_record(
            action="consent.demo_seeded",
            category=AuditCategory.CONSENT,
            details={"records": len(records), "opted_out": len(stops)},
        )
    return len(records)
