"""Flood limits: token buckets on participants' writes, per device and per workshop.

A participant's phone, a broken script or someone with bad intentions can send writes far
faster than any person types. Each write (an API write under `/api/w/<code>/`, and the
socket's `watch`, `add_item` and `cast_dot`) takes one token from two buckets:

- the device's bucket (keyed by a keyed hash of its anonymous device cookie, or of its
  network address when it has none): a person may tap quickly for a while (the burst) but
  not keep it up;
- the workshop's bucket (keyed by the join code): many devices together cannot drown one
  workshop, and nothing one workshop does touches another's bucket.

A bucket holds `burst` tokens and refills at `per_minute / 60` tokens a second, so short
bursts pass and only a sustained flood is refused. The facilitator is never limited: they
must be able to lock a board or close the workshop in the middle of a flood. A refused
write answers 429 with a message that what was written is kept on the phone; the phone's
outbox already treats 429 as "try again later" (static/js/outbox.js), so nothing is lost.

The buckets live in the same storage as the other rate limits (`RATELIMIT_STORAGE_URI`):
in this process's memory on a laptop, in Redis in a region so that every process shares
them (one Lua script: read, refill, take and write back atomically, on Redis's own clock).
"""
from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l

from .problems import Problem

#: What a limited participant is told. Their write is in the phone's outbox and goes later.
FLOOD_MESSAGE = _l("That was a lot in a short time. What you wrote is kept and will be sent in a moment.")


@dataclass(frozen=True)
class Bucket:
    """A token bucket's shape: `burst` tokens at most, refilled at `per_minute` a minute."""

    burst: int
    per_minute: float

    @property
    def per_second(self) -> float:
        """Tokens added each second."""
        return self.per_minute / 60.0

    @property
    def lifetime_s(self) -> float:
        """How long an untouched bucket takes to fill up again (after that it is as new)."""
        return self.burst / self.per_second if self.per_second > 0 else 0.0


class MemoryBuckets:
    """Buckets in this process's memory: for one laptop process (or tests)."""

    #: Buckets are swept when there are more than this many: a flood of made-up codes or
    #: cookies must not grow the memory without end.
    SWEEP_AT = 10_000

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float, float]] = {}  # key -> (tokens, at, full_after)

    def take(self, key: str, bucket: Bucket, cost: int = 1) -> float:
        """Take `cost` tokens; return 0 when allowed, else the seconds until they would be there."""
        now = self._clock()
        with self._lock:
            tokens, at, _ = self._state.get(key, (float(bucket.burst), now, 0.0))
            tokens = min(float(bucket.burst), tokens + (now - at) * bucket.per_second)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (cost - tokens) / bucket.per_second
            self._state[key] = (tokens, now, now + bucket.lifetime_s)
            if len(self._state) > self.SWEEP_AT:
                self._sweep(now)
            return wait

    def _sweep(self, now: float) -> None:
        # A bucket that would be full again anyway is the same as no bucket.
        for key in [key for key, (_, _, full_after) in self._state.items() if full_after <= now]:
            del self._state[key]

    def clear(self) -> None:
        """Forget every bucket."""
        with self._lock:
            self._state.clear()


#: Refill, take and write back in one step, on Redis's clock (the processes' clocks may
#: differ); the key expires once the bucket would be full again. Returns the wait in ms.
_TAKE_SCRIPT = """
local burst = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * per_ms)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / per_ms) + 1000)
return wait
"""


class RedisBuckets:
    """Buckets in Redis, shared by every server process of a region."""

    def __init__(self, url: str, prefix: str):
        import redis  # only a region needs it (setup.cfg extra "region")

        self._redis = redis.Redis.from_url(url)
        self._take = self._redis.register_script(_TAKE_SCRIPT)
        self._prefix = prefix

    def take(self, key: str, bucket: Bucket, cost: int = 1) -> float:
        """Take `cost` tokens; return 0 when allowed, else the seconds until they would be there."""
        wait_ms = self._take(keys=[f"{self._prefix}:flood:{key}"],
                             args=[bucket.burst, repr(bucket.per_second / 1000.0), cost])
        return int(wait_ms) / 1000.0

    def clear(self) -> None:
        """Forget every bucket of this install."""
        for key in self._redis.scan_iter(f"{self._prefix}:flood:*"):
            self._redis.delete(key)


def _buckets_for(app: Flask):
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisBuckets(uri, app.config["RATELIMIT_KEY_PREFIX"])
    return MemoryBuckets()


def init_app(app: Flask) -> None:
    """Give the app its bucket storage (see the module's docstring)."""
    app.extensions["kuulluksi_floods"] = _buckets_for(app)


def buckets(app: Flask | None = None):
    """The app's bucket storage."""
    return (app or current_app).extensions["kuulluksi_floods"]


def _device_bucket() -> Bucket:
    config = current_app.config
    return Bucket(config["DEVICE_WRITE_BURST"], config["DEVICE_WRITES_PER_MINUTE"])


def _workshop_bucket() -> Bucket:
    config = current_app.config
    return Bucket(config["WORKSHOP_WRITE_BURST"], config["WORKSHOP_WRITES_PER_MINUTE"])


def _keyed(kind: str, value: str) -> str:
    # Device cookies and addresses are never kept in the clear, not even in the limiter.
    secret = current_app.config["SECRET_KEY"].encode()
    # surrogatepass: a socket event's "code" may hold a lone surrogate, which is still a key.
    return kind + ":" + hmac.new(secret, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:20]


def device_key() -> str:
    """The requesting device's bucket key: its anonymous cookie, or its network without one."""
    token = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    return _keyed("device", token) if token else _keyed("network", request.remote_addr or "unknown")


def take_participant_write(code: str) -> None:
    """Take one write from this device's and this workshop's buckets.

    :raise Problem: (429) either is empty; `retry_after` says how long until it is not.
    """
    storage = buckets()
    wait = storage.take(device_key(), _device_bucket())
    if not wait:
        # The device's own budget goes first: one phone flooding never drains the workshop.
        wait = storage.take(_keyed("workshop", code[:32]), _workshop_bucket())
    if wait:
        raise Flooded(wait)


class Flooded(Problem):
    """A write refused by a flood limit: answered 429 with a Retry-After."""

    def __init__(self, wait_s: float):
        super().__init__(FLOOD_MESSAGE, status=429)
        self.retry_after = max(1, math.ceil(wait_s))
