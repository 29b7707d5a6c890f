"""A fixed-window counter in Redis (through Django's cache) for public endpoints."""

from __future__ import annotations

from django.core.cache import cache


def rate_limit_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on ``key``; True when the window already had ``limit`` hits (the caller refuses)."""
    cache_key = f"fluxo:rate:{key}"
    count = cache.get_or_set(cache_key, 0, timeout=window_seconds)
    if count >= limit:
        return True
    cache.incr(cache_key)
    return False
