"""Fixed-window counters in Django's cache (Redis in production, so every web worker shares them).

The one counting mechanism behind the redeem rate limit (per IP) and the sign-in throttles
(per username and per IP; ``accounts.throttle``). A window starts at a multiple of its length, so a
client that hit the limit learns exactly when it may try again (Retry-After).
"""

import time
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Window:
    key: str
    limit: int
    seconds: int
    retry_after: int


def _window(scope: str, key: str, rate: str, now: float | None) -> _Window:
    limit, seconds = parse_rate(rate)
    now = time.time() if now is None else now
    start = int(now // seconds) * seconds
    return _Window(key=f"rl:{scope}:{key}:{start}", limit=limit, seconds=seconds,
                   retry_after=max(1, int(start + seconds - now + 0.999)))


def hit(scope: str, key: str, rate: str, *, now: float | None = None) -> Decision:
    """Count one request for ``key`` in ``scope`` and say whether it is within ``rate``."""
    window = _window(scope, key, rate, now)
    count = _count(window.key, window.seconds + 5)
    return Decision(allowed=count <= window.limit, count=count, limit=window.limit, retry_after=window.retry_after)


def _count(key: str, timeout: int) -> int:
    """One more for the counter ``key``, created expiring ``timeout`` seconds later."""
    incr_expiring = getattr(cache, "incr_expiring", None)
    if incr_expiring is not None:  # lib.cache on Redis: one round trip
        return int(incr_expiring(key, timeout))
    # add() is atomic (SET NX on Redis): the first request of a window creates the counter.
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # the counter expired between add() and incr()
        cache.set(key, 1, timeout)
        return 1


def undo(scope: str, key: str, rate: str, *, now: float | None = None) -> None:
    """Take back one ``hit`` of the current window (a sign-in that turned out right). Atomic
    (DECR); a counter that has expired meanwhile stays gone."""
    window = _window(scope, key, rate, now)
    try:
        cache.decr(window.key)
    except ValueError:  # no counter in this window (expired, or the window turned)
        pass
