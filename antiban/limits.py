"""Rate limits in Redis, atomic under any number of workers: GCRA (the generic cell rate algorithm, a token bucket
kept as one timestamp per key) in a Lua script, so "may this number send now?" and "count it" are one step.

Keys survive worker restarts (they are Redis keys with a TTL); PostgreSQL stays the record of what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_redis import get_redis_connection

# KEYS[1] = bucket key; ARGV = emission interval (ms), burst tolerance (ms), now (ms), cost (cells)
# Returns {allowed (0/1), wait_ms}: when refused, how long until one cell frees up.
_GCRA = """
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[3])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance - interval
if now < allow_at then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now + tolerance + interval))
return {1, 0}
"""

# KEYS[1] = sorted set of members by last time seen; ARGV = now (ms), window (s), limit, member. 1 = counted.
_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2]) * 1000
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""

# A Redis TIME based clock keeps every worker on the same "now" (no drift between machines).
_NOW_MS = "local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000)"


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    wait_seconds: float


class Limiter:
    def __init__(self):
        self._redis = get_redis_connection("default")
        self._gcra = self._redis.register_script(_GCRA)
        self._now = self._redis.register_script(_NOW_MS)
        self._window = self._redis.register_script(_WINDOW)

    def hit(self, key: str, *, rate_per_s: float, burst: int = 1, cost: int = 1) -> LimitDecision:
        """Take ``cost`` cells from the bucket ``key`` refilled at ``rate_per_s`` with ``burst`` cells of slack.
        ``burst=1`` is strict spacing: never more than ``rate_per_s`` in any one-second window."""
        interval = 1000.0 / rate_per_s
        tolerance = interval * (burst - 1)
        now = int(self._now())
        allowed, wait = self._gcra(keys=[f"fluxo:gcra:{key}"], args=[interval, tolerance, now, cost])
        return LimitDecision(bool(allowed), float(wait) / 1000.0)

    def window_count(self, key: str, member: str, *, window_seconds: int, limit: int) -> bool:
        """A moving window of distinct members (e.g. unique recipients in 24 h): True if ``member`` is already in it
        or was added under ``limit``; False when the window is full."""
        now = int(self._now())
        return bool(self._window(keys=[f"fluxo:window:{key}"], args=[now, window_seconds, limit, member]))


_limiter: Limiter | None = None


def limiter() -> Limiter:
    global _limiter
    if _limiter is None:
        _limiter = Limiter()
    return _limiter
