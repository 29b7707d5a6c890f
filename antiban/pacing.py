"""The pace of one send, as a ticket the sender process can hold (see ``whatsapp.lanes``): plain data and Redis,
no Django, so it works in that lean process as well as in a worker.

A number's next call starts when its sliding window in Redis has room — at most ceil(rate) calls in any
ceil(rate)/rate seconds, each counted from Meta's answer, and never closer than a quarter of an interval to the
previous one — shared by every process."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from antiban.limits import limiter

REDIS_GONE = (RedisConnectionError, RedisTimeoutError)
REDIS_PATIENCE_S = 30.0
HORIZON_S = 0.25  # a lane reserves its number's next moment when it is at most this far (and sleeps until then)


@dataclass
class SendTicket:
    number_id: int
    message_id: int
    row_id: int
    contact: str
    rate: float  # the number's messages per second, read by the worker when it claimed the batch
    pair_s: float  # ANTIBAN_PAIR_INTERVAL_S
    inflight_s: float  # how long a call counts as in flight if its end is never recorded (HTTP timeout + margin)
    granted: tuple[float, float] | None = field(default=None, repr=False)  # (Redis clock when let go, local before)

    def wait(self) -> float:
        """Until the call is let go; then the seconds until its moment (see ``whatsapp.lanes.Ticket``)."""
        limit = math.ceil(self.rate - 1e-9)
        window = limit / self.rate
        patience = time.monotonic() + REDIS_PATIENCE_S
        while True:
            asked = time.monotonic()
            try:
                decision = limiter().send_acquire(
                    f"number:{self.number_id}",
                    f"m:{self.message_id}",
                    self.message_id,
                    limit=limit,
                    window_s=window,
                    gap_s=window / limit / 4,
                    inflight_s=self.inflight_s,
                    horizon_s=HORIZON_S,
                )
            except REDIS_GONE:  # a Redis restart: wait for it rather than drop the batch (nothing was sent yet)
                if time.monotonic() > patience:
                    raise
                time.sleep(0.2)
                continue
            if decision.allowed:
                self.granted = (decision.at_ms, asked)
                return decision.start_in  # its reserved moment, counted from Redis's answer: never early
            time.sleep(min(decision.wait_seconds, HORIZON_S))

    def done(self) -> None:
        """The answer came: it counts from when the call was let go (or its moment reserved) plus the time since
        asking, never earlier than the real answer (and without waiting for this Redis call)."""
        at_ms, asked = self.granted or (-1.0, 0.0)
        answered_ms = at_ms + (time.monotonic() - asked) * 1000.0 if at_ms >= 0 else -1.0
        for attempt in range(10):
            try:
                limiter().send_done(
                    f"number:{self.number_id}",
                    f"m:{self.message_id}",
                    f"o:{self.row_id}",
                    f"{self.number_id}:{self.contact}",
                    pair_s=self.pair_s,
                    answered_ms=answered_ms if attempt == 0 else -1.0,  # after a wait, Redis's clock moved on
                )
                return
            except REDIS_GONE:
                if attempt == 9:
                    raise  # the lane says so; the call's outcome still reaches the worker
                time.sleep(0.2)
