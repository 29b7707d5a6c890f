"""Beat tasks for compliance: thin wrappers, idempotent, named."""

from celery import shared_task

from compliance.services.audit import audit_seal
from compliance.services.retention import retention_apply
from compliance.services.subject_requests import subject_requests_deadline_alert


@shared_task(name="compliance.retention_apply", ignore_result=True)
def retention_apply_task() -> dict:
    return retention_apply()


@shared_task(name="compliance.subject_requests_deadline_alert", ignore_result=True)
def subject_requests_deadline_alert_task() -> int:
    return subject_requests_deadline_alert()


@shared_task(name="compliance.audit_seal", ignore_result=True)
def audit_seal_task() -> int:
    return audit_seal()
