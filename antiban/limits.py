"""Rate limits in Redis, atomic under any number of workers: each check and its count are one Lua script, so "may
this number send now?" and "count it" are one step. A number's sends are paced by a sliding window counted from
Meta's answers; claims fill a bounded backlog per number; the pair limit, the account's unique-recipient window and
the warm-up day caps sit beside them.

Keys survive worker restarts (they are Redis keys with a TTL); PostgreSQL stays the record of what was sent.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django_redis import get_redis_connection

# Every script reads "now" from Redis's TIME (one clock for every worker, no drift between machines) unless the
# caller passes a time of its own as the last argument (>= 0): ``Limiter.clock``, which tests set to a clock they
# move by hand, so they assert exact waits on a busy machine instead of sleeping.
_CLOCK = """
local function clock(override)
  override = tonumber(override)
  if override >= 0 then return override end
  local t = redis.call('TIME')
  return t[1] * 1000 + t[2] / 1000
end
"""

# Claim time: a row is admitted to a number's backlog (rows claimed for it and not yet handed to Meta) and the
# pair limit is checked and taken. KEYS[1] = the backlog (sorted set, member → when it stops counting if never
# released: a crashed worker's rows free their place by themselves), KEYS[2] = the pair key (when the person last
# heard, or will at the latest, from this number). ARGV = cap, member, stale (ms), pair interval (ms), ahead (ms).
# Returns {1, 0} admitted | {0, 0} the backlog is full | {2, wait_ms} the pair must wait. Nothing is taken on refusal.
_ADMIT = (
    _CLOCK
    + """
local now = clock(ARGV[6])
local pair = tonumber(ARGV[4])
local last = tonumber(redis.call('GET', KEYS[2]) or '-1e18')
if now - last < pair then return {2, tostring(pair - (now - last))} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return {0, '0'} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
local expected = now + tonumber(ARGV[5])
redis.call('SET', KEYS[2], tostring(expected), 'PX', math.ceil(expected - now + pair + 1))
return {1, '0'}
"""
)

# KEYS[1] = a backlog: how many rows it holds now.
_BACKLOG = (
    _CLOCK
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', clock(ARGV[1]))
return redis.call('ZCARD', KEYS[1])
"""
)

# Send time, right before the HTTP call: a sliding window of the number's last sends. KEYS[1] = the window (sorted
# set, member → when Meta answered, or a time far ahead while the call is in flight or reserved), KEYS[2] = when the
# last send went (or will go), KEYS[3] = the attempt marker of the message. ARGV = limit (sends per window), window
# (ms), member, in-flight allowance (ms), minimum gap between sends (ms), horizon (ms).
# A send counts from the moment its answer came back, which is after Meta received it whatever the latency, so
# "no more than ``limit`` in any window" holds as Meta counts, not only as we do.
# The next free moment is known as soon as the send that frees it was answered: when it is at most ``horizon`` away
# it is reserved for this caller at once (counted as in flight from then), so the call starts right on time with no
# second round trip, and callers racing for a number's moments take successive ones instead of the same.
# Returns {1, now_ms, start_in_ms} go at now + start_in (the marker is written) | {0, wait_ms}.
_SEND = (
    _CLOCK
    + """
local now = clock(ARGV[7])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local gap = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local at = now
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local freeing = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  at = tonumber(freeing[2]) + window
end
local last = tonumber(redis.call('GET', KEYS[2]) or '-1e18')
if at < last + gap then at = last + gap end
if at < now then at = now end
if at - now > tonumber(ARGV[6]) then return {0, tostring(at - now)} end
redis.call('ZADD', KEYS[1], at + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(at - now + window + tonumber(ARGV[4])))
redis.call('SET', KEYS[2], tostring(at), 'PX', math.ceil(at - now + gap + 1))
redis.call('SET', KEYS[3], 1, 'EX', 604800)
return {1, tostring(now), tostring(at - now)}
"""
)

# After the HTTP call: the send counts from its answer; it leaves the backlog; the pair limit runs from then.
# KEYS = window, backlog, pair key; ARGV = window member, backlog member, pair interval (ms), answered (ms, the
# Redis clock: when the call was let go plus how long it lasted as the caller measured it from before asking, so
# never earlier than the real answer; negative when unknown). The earlier of that and now is the answer's time.
_SENT = (
    _CLOCK
    + """
local now = clock(ARGV[5])
local answered = tonumber(ARGV[4])
if answered >= 0 and answered < now then now = answered end
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], tostring(now), 'PX', math.ceil(tonumber(ARGV[3]) + 1))
return 1
"""
)

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

_GIVE_BACK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""

# A Redis TIME based clock keeps every worker on the same "now" (no drift between machines).
_NOW_MS = _CLOCK + "return math.floor(clock(ARGV[1]))"


@dataclass(frozen=True)
class LimitDecision:
    allowed: bool
    wait_seconds: float  # refused: how long until asking again is worth it
    at_ms: float = -1.0  # allowed: the Redis clock when the send was let go (or its moment reserved)
    start_in: float = 0.0  # allowed: seconds from that moment until the call may start (its reserved moment)


def _connection():
    """Django's Redis connection; outside Django (the sender process, see ``whatsapp.lanes``) ``REDIS_URL`` from the
    environment, which that process's parent sets to its own."""
    if settings.configured:
        return get_redis_connection("default")
    return redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5, health_check_interval=30)


class Limiter:
    clock = None  # a callable giving "now" in ms; None: Redis's TIME (production)

    def _clock_arg(self) -> float:
        return -1.0 if self.clock is None else float(self.clock())

    def __init__(self):
        self._redis = _connection()
        self._flags: dict[str, tuple[bool, float]] = {}
        self._now = self._redis.register_script(_NOW_MS)
        self._window = self._redis.register_script(_WINDOW)
        self._daily = self._redis.register_script(_DAILY)
        self._give_back = self._redis.register_script(_GIVE_BACK)
        self._admit = self._redis.register_script(_ADMIT)
        self._backlog = self._redis.register_script(_BACKLOG)
        self._send = self._redis.register_script(_SEND)
        self._sent = self._redis.register_script(_SENT)

    def window_count(self, key: str, member: str, *, window_seconds: int, limit: int) -> bool:
        """A moving window of distinct members (e.g. unique recipients in 24 h): True if ``member`` is already in it
        or was added under ``limit``; False when the window is full."""
        now = int(self._now(args=[self._clock_arg()]))
        return bool(self._window(keys=[f"fluxo:window:{key}"], args=[now, window_seconds, limit, member]))

    def admit_many(
        self, items: list[tuple[str, str, str, int]], *, pair_s: float, ahead_s: float
    ) -> list[tuple[str, float]]:
        """Claim time, for many rows in one round trip: each (key, member, pair key, cap) puts ``member`` in
        ``key``'s backlog of rows waiting to be sent if it holds fewer than ``cap``, and takes the pair limit (the
        person will have heard from this number within ``ahead_s``), atomically per row: ("ok", 0) | ("full", 0) |
        ("pair", seconds until this person may hear from this number again)."""
        if not items:
            return []
        pipe = self._redis.pipeline(transaction=False)
        stale, now = max(10_000.0, 3000.0 * ahead_s), self._clock_arg()
        for key, member, pair_key, cap in items:
            self._admit(
                keys=[f"fluxo:backlog:{key}", f"fluxo:pair:{pair_key}"],
                args=[cap, member, stale, pair_s * 1000.0, ahead_s * 1000.0, now],
                client=pipe,
            )
        names = {1: "ok", 0: "full", 2: "pair"}
        return [(names[int(outcome)], float(value) / 1000.0) for outcome, value in pipe.execute()]

    def backlogs(self, keys: list[str]) -> list[int]:
        """Rows claimed for each of ``keys`` and not yet handed to Meta."""
        if not keys:
            return []
        pipe, now = self._redis.pipeline(transaction=False), self._clock_arg()
        for key in keys:
            self._backlog(keys=[f"fluxo:backlog:{key}"], args=[now], client=pipe)
        return [int(n) for n in pipe.execute()]

    def backlog_release(self, key: str, member: str) -> None:
        """A claimed row that will not be sent by this claim (failed to prepare, requeued by the sweeper)."""
        self._redis.zrem(f"fluxo:backlog:{key}", member)

    def send_acquire(
        self,
        key: str,
        member: str,
        message_id: int,
        *,
        limit: int,
        window_s: float,
        gap_s: float,
        inflight_s: float,
        horizon_s: float = 0.0,
    ) -> LimitDecision:
        """Right before an HTTP call: may ``key`` send one more without more than ``limit`` sends in any
        ``window_s`` (and at least ``gap_s`` after its previous send), now or within ``horizon_s``? If so the send
        is counted (until its answer, as if it lasted ``inflight_s`` from its moment), its moment is reserved and the
        message's attempt marker is written, in the same step: the call may start ``start_in`` seconds after the
        answer came back (never earlier, wherever Redis runs). If not, how long to wait."""
        allowed, *values = self._send(
            keys=[f"fluxo:sendlog:{key}", f"fluxo:lastsend:{key}", f"fluxo:attempt:{message_id}"],
            args=[
                limit,
                window_s * 1000.0,
                member,
                inflight_s * 1000.0,
                gap_s * 1000.0,
                horizon_s * 1000.0,
                self._clock_arg(),
            ],
        )
        if allowed:
            return LimitDecision(True, 0.0, float(values[0]), max(float(values[1]), 0.0) / 1000.0)
        return LimitDecision(False, max(float(values[0]), 0.0) / 1000.0)

    def send_done(
        self, key: str, member: str, backlog_member: str, pair_key: str, *, pair_s: float, answered_ms: float = -1.0
    ) -> None:
        """After the HTTP call (answered or not): the send counts from its answer (``answered_ms`` on the Redis
        clock, see _SENT; now when unknown), leaves the backlog, and the person's pair interval starts then."""
        self._sent(
            keys=[f"fluxo:sendlog:{key}", f"fluxo:backlog:{key}", f"fluxo:pair:{pair_key}"],
            args=[member, backlog_member, pair_s * 1000.0, answered_ms, self._clock_arg()],
        )

    def window_size(self, key: str, *, window_seconds: int) -> int:
        """Members seen in the moving window (e.g. people messaged in the last 24 h)."""
        now = int(self._now(args=[self._clock_arg()]))
        full_key = f"fluxo:window:{key}"
        self._redis.zremrangebyscore(full_key, "-inf", now - window_seconds * 1000)
        return int(self._redis.zcard(full_key))

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

    def daily_give_back(self, key: str) -> None:
        """A count taken for a send that did not happen after all."""
        self._give_back(keys=[f"fluxo:daily:{key}"])

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
