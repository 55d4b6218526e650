"""Console login throttle: failures counted per username and per IP in the cache."""

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str | None) -> list[str]:
    return [f"login-fail:user:{username.lower()[:150]}", f"login-fail:ip:{ip or '-'}"]


def is_blocked(username: str, ip: str | None) -> bool:
    counts = cache.get_many(_keys(username, ip))
    return any(int(v) >= settings.LOGIN_MAX_FAILURES for v in counts.values())


def record_failure(username: str, ip: str | None) -> None:
    for key in _keys(username, ip):
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear(username: str) -> None:
    cache.delete(_keys(username, None)[0])
