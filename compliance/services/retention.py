"""Retention (LGPD Art. 15/16): each active policy anonymizes what is past its age, in place, via the providers."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from compliance.models import AuditCategory, RetentionCategory, RetentionPolicy, SubjectRequest
from compliance.providers import providers
from compliance.services.audit import audit_record

MONTH = timedelta(days=30)


def retention_apply(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    report: dict[str, int] = {}
    for policy in RetentionPolicy.objects.filter(is_active=True):
        cutoff = now - policy.months * MONTH
        if policy.category == RetentionCategory.SUBJECT_REQUEST_EXPORTS:
            count = _exports_purge(cutoff)
        else:
            count = sum(provider.retention_apply(policy.category, cutoff) for provider in providers())
        RetentionPolicy.objects.filter(pk=policy.pk).update(last_run_at=now, last_run_count=count)
        report[policy.category] = count
        if count:
            audit_record(
                action="retention.applied",
                category=AuditCategory.DELETE,
                obj=policy,
                details={"category": policy.category, "count": count, "cutoff": cutoff.isoformat()},
            )
    return report


def _exports_purge(cutoff) -> int:
    count = 0
    for request in SubjectRequest.objects.filter(completed_at__lt=cutoff).exclude(export_json="", export_xlsx=""):
        for field in (request.export_json, request.export_xlsx):
            if field and default_storage.exists(field.name):
                default_storage.delete(field.name)
        SubjectRequest.objects.filter(pk=request.pk).update(export_json="", export_xlsx="")
        count += 1
    return count
