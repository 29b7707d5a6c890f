"""REST ingest with idempotency: the stored answer is returned for a repeated key, and nothing is written twice."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from leads.ingest.pipeline import leads_ingest_batch
from leads.models import IngestRequest, LeadSource


def ingest_request_find(*, user, key: str) -> IngestRequest | None:
    return IngestRequest.objects.filter(user=user, key=key).first()


def ingest_batch_run(*, user, key: str, source: LeadSource, items: list[dict]) -> IngestRequest:
    """Run the batch and store its answer under the key, in one transaction. Two concurrent requests with the same
    key: the second one's insert of the key fails, its work rolls back, and it returns the first one's answer."""
    try:
        with transaction.atomic():
            results = leads_ingest_batch(source=source, items=[_item(i) for i in items], actor=user, label=f"API {key}")
            return IngestRequest.objects.create(user=user, key=key, response={"results": results}, status_code=200)
    except IntegrityError:
        return IngestRequest.objects.get(user=user, key=key)


def _item(item: dict) -> dict:
    """API names → the spreadsheet pipeline's fields (lists of phones and e-mails become one cell)."""
    out = {k: v for k, v in item.items() if k not in ("phones", "emails")}
    out["phone"] = item.get("phones") or []
    out["email"] = item.get("emails") or []
    return out
