"""Fixed-window counters in Django's cache (Redis in production, so every web worker shares them).

Used per client IP on redemption (the activation page POST and the redeem API) and per
username/IP on failed portal sign-ins. A window starts at a multiple of its length, so a client
that hit the limit learns exactly when it may try again (Retry-After).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int

    @property
    def first_refusal(self) -> bool:
        """The first request over the limit in its window: audit this one, not the flood after it."""
        return self.count == self.limit + 1


def parse_rate(rate: str) -> tuple[int, int]:
    """"30/60" → (30, 60): 30 requests per 60 seconds."""
    try:
        count, window = (int(part) for part in rate.split("/", 1))
    except ValueError as exc:
        raise ImproperlyConfigured(f"A rate must look like '30/60' (count/seconds), not {rate!r}.") from exc
    if count < 1 or window < 1:
        raise ImproperlyConfigured(f"A rate needs a count and a window of at least 1, not {rate!r}.")
    return count, window


def hit(scope: str, key: str, rate: str, *, now: float | None = None) -> Decision:
    """Count one request for ``key`` in ``scope`` and say whether it is within ``rate``."""
    limit, window = parse_rate(rate)
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    cache_key = f"rl:{scope}:{key}:{window_start}"
    # add() is atomic (SET NX on Redis): the first request of a window creates the counter.
    cache.add(cache_key, 0, window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the counter expired between add() and incr()
        cache.set(cache_key, 1, window + 5)
        count = 1
    retry_after = max(1, int(window_start + window - now + 0.999))
    return Decision(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def peek(scope: str, key: str, rate: str, *, now: float | None = None) -> Decision:
    """Like ``hit`` without counting: is ``key`` already over the limit?"""
    limit, window = parse_rate(rate)
    now = time.time() if now is None else now
    window_start = int(now // window) * window
    count = int(cache.get(f"rl:{scope}:{key}:{window_start}", 0))
    retry_after = max(1, int(window_start + window - now + 0.999))
    return Decision(allowed=count < limit, count=count, limit=limit, retry_after=retry_after)


def redeem_hit(ip: str | None) -> Decision:
    return hit("redeem", ip or "-", settings.RATE_LIMIT_REDEEM)


def portal_login_rate() -> str:
    return f"{settings.LOGIN_MAX_FAILURES}/{settings.LOGIN_FAILURE_WINDOW_SECONDS}"
