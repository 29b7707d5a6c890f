"""Cost and performance: the usage ledger, prices, the exact-match response cache, the daily budget (with its 80 %
alert) and the per-provider rate limit. Redis holds the fast counters; PostgreSQL's ledger is the truth they are
rebuilt from."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.ratelimit import rate_limit_hit
from compliance.roles import Role, role_emails

from .models import AiCall, ModelPrice

logger = logging.getLogger(__name__)
_MILLION = Decimal(1_000_000)
_UNITS = Decimal("1e8")  # the Redis spend counter counts hundred-millionths of a dollar (integers only)


def price_for(model: str) -> ModelPrice | None:
    """The price row for a model: exact name, else the longest name it starts with (``gpt-4o-mini-2024-07-18``)."""
    rows = list(ModelPrice.objects.all())
    exact = [row for row in rows if row.model == model]
    if exact:
        return exact[0]
    prefixes = sorted((row for row in rows if model.startswith(row.model)), key=lambda row: -len(row.model))
    return prefixes[0] if prefixes else None


def cost_usd(model: str, tokens_in: int, tokens_cached: int, tokens_out: int) -> Decimal:
    price = price_for(model)
    if price is None:
        return Decimal(0)
    fresh = max(0, tokens_in - tokens_cached)
    total = (
        fresh * price.input_per_million
        + tokens_cached * price.cached_input_per_million
        + tokens_out * price.output_per_million
    ) / _MILLION
    return total.quantize(Decimal("1e-8"))


def _spend_key(day=None) -> str:
    return f"fluxo:ai:spend:{(day or timezone.localdate()).isoformat()}"


def spend_today() -> Decimal:
    """Today's LLM spend (local calendar day), from Redis, seeded from the ledger when Redis lost it."""
    key = _spend_key()
    units = cache.get(key)
    if units is None:
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        total = AiCall.objects.filter(created_at__gte=start).aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)
        cache.add(key, int(total * _UNITS), timeout=2 * 24 * 3600)
        units = cache.get(key, int(total * _UNITS))
    return Decimal(units) / _UNITS


def budget_allows() -> bool:
    return spend_today() < Decimal(str(settings.AI_DAILY_BUDGET_USD))


def call_record(**fields) -> AiCall:
    """One ledger row; a paid call also moves today's spend counter and may raise the 80 % alert."""
    call = AiCall.objects.create(**fields)
    if call.cost_usd:
        spend_today()  # make sure the counter exists before adding to it
        with contextlib.suppress(ValueError):  # the key expired in between: the next read reseeds it from the ledger
            cache.incr(_spend_key(), int(Decimal(call.cost_usd) * _UNITS))
        budget_alert_check()
    return call


def budget_alert_check() -> bool:
    """E-mail supervisors once a day when the spend reaches ``AI_BUDGET_ALERT_AT`` of the budget."""
    budget = Decimal(str(settings.AI_DAILY_BUDGET_USD))
    spent = spend_today()
    if budget <= 0 or spent < budget * Decimal(str(settings.AI_BUDGET_ALERT_AT)):
        return False
    if not cache.add(f"fluxo:ai:budget-alert:{timezone.localdate().isoformat()}", 1, timeout=2 * 24 * 3600):
        return False
    share = int(spent / budget * 100)
    logger.warning("AI budget: %s%% of today's budget spent", share)
    emails = role_emails(Role.SUPERVISOR)
    if emails:
        subject = _("Fluxo AI: %(share)s%% of today's budget spent") % {"share": share}
        body = _(
            "US$ %(spent)s of US$ %(budget)s spent today. At 100%% the local engine answers alone until midnight; "
            "raise AI_DAILY_BUDGET_USD if this is expected."
        ) % {"spent": f"{spent:.4f}", "budget": f"{budget:.2f}"}
        try:
            send_mail(subject, body, None, emails)
        except Exception:
            logger.warning("AI budget alert: supervisors not e-mailed")
    return True


def rate_limited(provider: str) -> bool:
    """Count one call against the provider's per-minute limit; True when it is over (the caller falls back)."""
    return rate_limit_hit(f"ai:{provider}", limit=settings.AI_PROVIDER_RPM, window_seconds=60)


def cache_key(provider: str, model: str, messages: list[dict], max_tokens: int) -> str:
    blob = json.dumps([provider, model, messages, max_tokens], ensure_ascii=False, sort_keys=True)
    return "fluxo:ai:cache:" + hashlib.sha256(blob.encode()).hexdigest()


def cache_get(key: str) -> str | None:
    return cache.get(key)


def cache_set(key: str, value: str) -> None:
    cache.set(key, value, timeout=settings.AI_CACHE_TTL_S)
