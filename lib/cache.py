"""The Django cache on Redis, failing open.

Nothing kept in the cache is the only copy of anything: it holds rate-limit and sign-in counters and
rendered QR images. So a Redis outage must never fail a request: sign-in, provisioning, the portal
and redemption go on while Redis is down. While Redis cannot be reached, reads find nothing, writes
are dropped and counters count nothing: rate limits and sign-in throttles fail open. Each failure is
logged as a warning (at most one line per WARN_EVERY_SECONDS per process, so a flood of requests
does not flood the log), and short socket timeouts keep a Redis that hangs from holding requests for
long.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import environ
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BACKEND = "lib.cache.FailOpenRedisCache"
SOCKET_TIMEOUT_SECONDS = 0.5
WARN_EVERY_SECONDS = 60.0

T = TypeVar("T")

_INCR_EXPIRING = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def cache_settings(url: str) -> dict[str, Any]:
    """The CACHES["default"] entry for CACHE_URL; a Redis URL gets this module's backend with
    short socket timeouts."""
    entry: dict[str, Any] = environ.Env.cache_url_config(url)
    if entry["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        timeouts = {"socket_connect_timeout": SOCKET_TIMEOUT_SECONDS, "socket_timeout": SOCKET_TIMEOUT_SECONDS}
        entry = {**entry, "BACKEND": BACKEND, "OPTIONS": {**timeouts, **entry.get("OPTIONS", {})}}
    return entry


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache whose operations answer "nothing there" instead of raising while Redis
    is unreachable (see the module docstring)."""

    _last_warning = 0.0
    _warning_lock = threading.Lock()

    def _fail_open(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return call()
        except RedisError as exc:
            self._warn(operation, exc)
            return fallback

    def _warn(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._warning_lock:
            if now - FailOpenRedisCache._last_warning < WARN_EVERY_SECONDS:
                return
            FailOpenRedisCache._last_warning = now
        logger.warning("Cache unavailable (%s failed: %s); rate limits and sign-in throttles fail open, "
                       "nothing is cached until Redis answers again.", operation, exc)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._fail_open("add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._fail_open("get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        self._fail_open("set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        return self._fail_open("touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._fail_open("get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # 0: "no count known". A counter that cannot count lets the request through.
        return self._fail_open("incr", lambda: super(FailOpenRedisCache, self).incr(key, delta, version), 0)

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        return self._fail_open("set_many",
                               lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version), [])

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._fail_open("delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._fail_open("clear", lambda: super(FailOpenRedisCache, self).clear(), None)

    def incr_expiring(self, key: Any, timeout: int, version: int | None = None) -> int:
        """Add one to the counter ``key`` and return it, in one round trip: a counter that did not
        exist starts at 1 and expires ``timeout`` seconds later (INCR, then EXPIRE on the first
        count, atomically in a Lua script). 0 while Redis cannot be reached: the count fails open.
        The rate limits' counter (lib.ratelimit); Django's add() and incr() take three round trips."""
        key = self.make_and_validate_key(key, version=version)
        return self._fail_open("incr_expiring", lambda: int(self._counter_client.eval(_INCR_EXPIRING, 1, key, timeout)),
                               0)

    @cached_property
    def _counter_client(self) -> Any:
        # Django builds a new client (and its table of response callbacks) for every operation;
        # this one is kept. Cache backends are per thread, clients share the connection pool.
        return self._cache.get_client(None, write=True)
