"""Rate limits in Redis, atomic under any number of workers: GCRA (the generic cell rate algorithm, a token bucket
kept as one timestamp per key) in a Lua script, so "may this number send now?" and "count it" are one step.

Keys survive worker restarts (they are Redis keys with a TTL); PostgreSQL stays the record of what was sent.
"""

from __future__ import annotations

import time
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

# Virtual scheduling (GCRA's other form): KEYS[1] = the next free slot (ms); ARGV = interval, horizon, lead (ms).
# No slot is handed out less than ``lead`` from now (the caller commits its claim before the first send).
# Returns {1, delay_ms}: a slot reserved ``delay_ms`` from now; or {0, wait_ms}: nothing free within the horizon.
# Slots are at least one interval apart, so a number never gets more than ceil(rate) slots in any one-second window.
_RESERVE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local slot = tonumber(redis.call('GET', KEYS[1]) or now)
local interval = tonumber(ARGV[1])
if slot < now + tonumber(ARGV[3]) then slot = now + tonumber(ARGV[3]) end
if slot - now > tonumber(ARGV[2]) then
  return {0, tostring(slot - now - tonumber(ARGV[2]))}
end
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot - now + interval + 1000))
return {1, tostring(slot - now)}
"""

# A send slot and the pair limit together (KEYS[1] slot key, KEYS[2] pair key; ARGV interval, horizon, lead, pair
# interval, all ms): the pair is checked first and nothing is taken when either refuses.
# Returns {1, delay_ms} | {0, wait_ms} (no slot in the horizon) | {2, wait_ms} (the pair must wait).
_RESERVE_PAIR = """
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local last = tonumber(redis.call('GET', KEYS[2]) or '-1e18')
local pair = tonumber(ARGV[4])
if now - last < pair then return {2, tostring(pair - (now - last))} end
local slot = tonumber(redis.call('GET', KEYS[1]) or now)
local interval = tonumber(ARGV[1])
if slot < now + tonumber(ARGV[3]) then slot = now + tonumber(ARGV[3]) end
if slot - now > tonumber(ARGV[2]) then
  return {0, tostring(slot - now - tonumber(ARGV[2]))}
end
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot - now + interval + 1000))
redis.call('SET', KEYS[2], tostring(slot), 'PX', math.ceil(slot - now + pair + 1))
return {1, tostring(slot - now)}
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

# KEYS[1] = a day's counter; ARGV = cap, ttl (s). -1: no counter yet (seed it from PostgreSQL), 0: cap reached,
# 1: counted.
_DAILY = """
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
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
        self._flags: dict[str, tuple[bool, float]] = {}
        self._gcra = self._redis.register_script(_GCRA)
        self._now = self._redis.register_script(_NOW_MS)
        self._window = self._redis.register_script(_WINDOW)
        self._daily = self._redis.register_script(_DAILY)
        self._reserve = self._redis.register_script(_RESERVE)
        self._reserve_pair = self._redis.register_script(_RESERVE_PAIR)

    def reserve(self, key: str, *, rate_per_s: float, horizon_ms: float, lead_ms: float = 0.0) -> LimitDecision:
        """Reserve the next send slot of ``key`` at ``rate_per_s``, if it falls within ``horizon_ms``: allowed with
        ``wait_seconds`` = how long until the slot (the caller sends then), or refused with how long until a slot
        falls within the horizon. A dispatcher reserves a few hundred milliseconds of slots per database round
        trip and paces the HTTP calls to them."""
        allowed, delay = self._reserve(keys=[f"fluxo:slot:{key}"], args=[1000.0 / rate_per_s, horizon_ms, lead_ms])
        return LimitDecision(bool(allowed), float(delay) / 1000.0)

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

    def reserve_for(
        self, key: str, pair_key: str, *, rate_per_s: float, horizon_ms: float, lead_ms: float, pair_s: float
    ) -> tuple[str, float]:
        """``reserve`` plus the pair limit in one atomic step: ("slot", seconds until it) | ("full", seconds until a
        slot falls within the horizon) | ("pair", seconds until this person may hear from this number again)."""
        outcome, value = self._reserve_pair(
            keys=[f"fluxo:slot:{key}", f"fluxo:pair:{pair_key}"],
            args=[1000.0 / rate_per_s, horizon_ms, lead_ms, pair_s * 1000.0],
        )
        return {1: "slot", 0: "full", 2: "pair"}[int(outcome)], float(value) / 1000.0

    def free_slots(self, key: str, *, rate_per_s: float, horizon_ms: float, lead_ms: float) -> int:
        """How many slots ``reserve`` could still hand out now (a hint for how many rows to claim)."""
        values = self._redis.pipeline().time().get(f"fluxo:slot:{key}").execute()
        now = values[0][0] * 1000 + values[0][1] / 1000
        start = max(float(values[1] or 0), now + lead_ms)
        return max(0, int((now + horizon_ms - start) * rate_per_s / 1000) + 1)

    def window_size(self, key: str, *, window_seconds: int) -> int:
        """Members seen in the moving window (e.g. people messaged in the last 24 h)."""
        now = int(self._now())
        full_key = f"fluxo:window:{key}"
        self._redis.zremrangebyscore(full_key, "-inf", now - window_seconds * 1000)
        return int(self._redis.zcard(full_key))

    def attempt_mark(self, message_id: int) -> None:
        """Written (and acknowledged) right before the HTTP call of a send."""
        self._redis.set(f"fluxo:attempt:{message_id}", 1, ex=7 * 86400)

    def attempts_marked(self, message_ids: list[int]) -> set[int]:
        pipe = self._redis.pipeline()
        for message_id in message_ids:
            pipe.exists(f"fluxo:attempt:{message_id}")
        return {m for m, found in zip(message_ids, pipe.execute(), strict=True) if found}

    def uptime_seconds(self) -> int:
        """Since Redis last started: markers older than this may have been lost with a restart."""
        return int(self._redis.info("server")["uptime_in_seconds"])

    def pair_release(self, pair_key: str) -> None:
        """Meta refused the send: the person heard nothing, so the pair interval does not apply."""
        self._redis.delete(f"fluxo:pair:{pair_key}")

    def daily_take(self, key: str, *, cap: int, seed) -> bool:
        """Count one against a per-day ``cap``; ``seed()`` gives today's count from PostgreSQL when Redis lost it
        (a restart), so a restart never hands out a fresh allowance."""
        full_key = f"fluxo:daily:{key}"
        result = self._daily(keys=[full_key], args=[cap])
        if result == -1:
            self._redis.set(full_key, int(seed()), nx=True, ex=2 * 86400)
            result = self._daily(keys=[full_key], args=[cap])
        return result == 1

    def flag(self, key: str, *, max_age: float = 0.0) -> bool:
        """Is the flag up? ``max_age`` > 0 accepts this process's answer from up to that many seconds ago (for
        checks made once per message)."""
        seen = self._flags.get(key)
        if max_age and seen and time.monotonic() - seen[1] < max_age:
            return seen[0]
        value = bool(self._redis.exists(f"fluxo:flag:{key}"))
        self._flags[key] = (value, time.monotonic())
        return value

    def flag_set(self, key: str, *, seconds: int) -> None:
        self._redis.set(f"fluxo:flag:{key}", 1, ex=seconds)
        self._flags[key] = (True, time.monotonic())

    def flag_clear(self, key: str) -> None:
        self._redis.delete(f"fluxo:flag:{key}")
        self._flags[key] = (False, time.monotonic())

    def once(self, key: str, *, seconds: float) -> bool:
        """True for the first caller in ``seconds`` (a debounce shared by every process)."""
        return bool(self._redis.set(f"fluxo:once:{key}", 1, nx=True, px=int(seconds * 1000)))


_limiter: Limiter | None = None


def limiter() -> Limiter:
    global _limiter
    if _limiter is None:
        _limiter = Limiter()
    return _limiter
