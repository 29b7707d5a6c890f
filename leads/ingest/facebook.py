"""Facebook/Instagram Lead Ads: the ``leadgen`` notification only says *which* lead arrived; its answers are
fetched from the Graph API with the page's access token, mapped like spreadsheet columns and ingested.

The notification is stored first (unique on the leadgen id), so a Graph outage, a missing token or a worker crash
loses nothing: the delivery stays pending or failed, is retried, and can be re-run from the admin."""

from __future__ import annotations

import logging

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.meta import meta_appsecret_proof, meta_graph_url
from common.tasks import task_send, task_send_on_commit
from leads.errors import LeadAdsFetchError, LeadAdsTransientError
from leads.ingest.mapping import mapping_suggest
from leads.ingest.pipeline import leads_ingest_batch
from leads.models import AdLeadDelivery, DeliveryStatus, LeadSource
from leads.selectors import ad_lead_deliveries_stale

logger = logging.getLogger(__name__)

GRAPH_LEAD_FIELDS = "id,created_time,ad_id,adset_id,campaign_id,form_id,platform,is_organic,field_data"
# Graph error codes worth retrying: unknown/service errors, throttling (app, user, page, ads API) and timeouts.
TRANSIENT_GRAPH_CODES = {1, 2, 4, 17, 32, 341, 613, 80001, 80004}


def leadgen_deliveries_store(payload: dict) -> list[AdLeadDelivery]:
    """Store each ``leadgen`` change of a verified notification (redeliveries are ignored) and queue its fetch.
    Returns the deliveries that are new."""
    created: list[AdLeadDelivery] = []
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return created
    with transaction.atomic():
        for entry in payload.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                if change.get("field") != "leadgen" or not value.get("leadgen_id"):
                    continue
                page_id = str(value.get("page_id") or entry.get("id") or "")[:40]
                source = LeadSource.objects.filter(page_id=page_id, is_active=True).first() if page_id else None
                delivery, is_new = AdLeadDelivery.objects.get_or_create(
                    leadgen_id=str(value["leadgen_id"])[:40],
                    defaults={"source": source, "page_id": page_id, "payload": value},
                )
                if is_new:
                    created.append(delivery)
                    task_send_on_commit("leads.facebook_lead_fetch", delivery.pk)
    return created


def facebook_lead_fetch(*, delivery_id: int) -> AdLeadDelivery:
    """Fetch one lead's answers and ingest them. Idempotent: a delivery already done is returned untouched.
    Raises LeadAdsTransientError when a retry may help (the caller owns the retry policy); anything else marks the
    delivery failed with a reason a person can act on."""
    transient: LeadAdsTransientError | None = None
    with transaction.atomic():
        delivery = AdLeadDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id).first()
        if delivery is None or delivery.status == DeliveryStatus.DONE:
            return delivery or AdLeadDelivery.objects.get(pk=delivery_id)
        delivery.attempts += 1
        source = delivery.source or _source_for_page(delivery.page_id)
        try:
            if source is None:
                raise LeadAdsFetchError(
                    _("No active lead source is linked to Facebook page %(page)s: link one, then retry.")
                    % {"page": delivery.page_id or "?"}
                )
            if not source.access_token:
                raise LeadAdsFetchError(
                    _("The source “%(source)s” has no page access token: add one, then retry.")
                    % {"source": source.name}
                )
            lead_data = _graph_lead_get(delivery.leadgen_id, source.access_token)
            item = lead_item(lead_data, saved_mapping=source.column_mapping)
            result = leads_ingest_batch(
                source=source, items=[item], actor=None, label=f"Facebook Lead Ads {delivery.leadgen_id}"
            )[0]
        except LeadAdsTransientError as exc:
            delivery.last_error = str(exc)
            delivery.save(update_fields=["attempts", "last_error"])
            transient = exc
        except LeadAdsFetchError as exc:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(exc)
            delivery.source = source
            delivery.processed_at = timezone.now()
            delivery.save(update_fields=["attempts", "status", "last_error", "source", "processed_at"])
            logger.warning("lead-ads delivery %s failed: %s", delivery.pk, exc.code)
            return delivery
        if transient is None:
            _delivery_done(delivery, source, result)
    if transient is not None:
        raise transient
    return delivery


def _delivery_done(delivery: AdLeadDelivery, source: LeadSource, result: dict) -> None:
    delivery.source, delivery.status, delivery.last_error = source, DeliveryStatus.DONE, ""
    if result["status"] == "rejected":
        delivery.last_error = _("Rejected: %(reason)s") % {"reason": result["reason"]}
    delivery.lead_id = result.get("lead_id")
    delivery.processed_at = timezone.now()
    delivery.save()


def facebook_delivery_retry(*, delivery: AdLeadDelivery) -> None:
    """Put a failed delivery back in the queue (after the source or its token was fixed)."""
    AdLeadDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.DONE).update(
        status=DeliveryStatus.PENDING, source=delivery.source or _source_for_page(delivery.page_id)
    )
    task_send_on_commit("leads.facebook_lead_fetch", delivery.pk)


def lead_item(lead: dict, *, saved_mapping: dict | None = None) -> dict:
    """A Graph lead → an ingestion item. Form questions are mapped like spreadsheet headers (the source's saved
    mapping first); ad, ad set, campaign and form ids are kept on the lead."""
    answers = {}
    for entry in lead.get("field_data") or []:
        name = str(entry.get("name") or "").strip()
        values = [str(v).strip() for v in entry.get("values") or [] if str(v).strip()]
        if name and values:
            answers[name] = values
    mapping = mapping_suggest(list(answers), saved=saved_mapping)
    item: dict = {
        "external_ref": str(lead.get("id") or "") or None,
        "campaign_ref": str(lead.get("campaign_id") or ""),
        "ad_ref": str(lead.get("ad_id") or ""),
        "attributes": {},
    }
    for name, values in answers.items():
        target = mapping.get(name, "attribute")
        if target in ("phone", "phone2", "email"):
            item.setdefault(target, []).extend(values)
        elif target == "attribute":
            item["attributes"][name] = ", ".join(values)
        elif target != "ignore":
            item[target] = " ".join(values)
    for key in ("adset_id", "form_id", "platform", "created_time"):
        if lead.get(key):
            item["attributes"][f"facebook_{key}"] = str(lead[key])
    if lead.get("is_organic"):
        item["attributes"]["facebook_is_organic"] = "true"
    return item


def _source_for_page(page_id: str) -> LeadSource | None:
    return LeadSource.objects.filter(page_id=page_id, is_active=True).first() if page_id else None


def _graph_lead_get(leadgen_id: str, access_token: str) -> dict:
    params = {"fields": GRAPH_LEAD_FIELDS}
    proof = meta_appsecret_proof(access_token)
    if proof:
        params["appsecret_proof"] = proof
    try:
        response = httpx.get(
            meta_graph_url(leadgen_id),
            params=params,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.META_HTTP_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise LeadAdsTransientError(_("Graph API unreachable: %(error)s") % {"error": type(exc).__name__}) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict) and "error" not in body:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    message = _("Graph API answered %(status)s (code %(code)s): %(message)s") % {
        "status": response.status_code,
        "code": code if code is not None else "?",
        "message": str(error.get("message") or response.reason_phrase)[:300],
    }
    if response.status_code >= 500 or code in TRANSIENT_GRAPH_CODES:
        raise LeadAdsTransientError(message)
    raise LeadAdsFetchError(message)


def facebook_deliveries_requeue_stale(*, minutes: int = 15, limit: int = 500) -> int:
    """Re-queue lead-ads deliveries pending for more than ``minutes`` (a lost message, a worker restart)."""
    stale = list(ad_lead_deliveries_stale(minutes=minutes).values_list("pk", flat=True)[:limit])
    for pk in stale:
        task_send("leads.facebook_lead_fetch", pk)
    return len(stale)
