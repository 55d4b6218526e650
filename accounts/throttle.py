"""Sign-in throttle: failures counted per username and per IP (``config.ratelimit``), at most
LOGIN_MAX_FAILURES per LOGIN_FAILURE_WINDOW_SECONDS. Each place people type a password has its own
scope: "console" (console login and the Provision User authorizer) and "portal"."""

from django.conf import settings

from config import ratelimit


def _rate() -> str:
    return f"{settings.LOGIN_MAX_FAILURES}/{settings.LOGIN_FAILURE_WINDOW_SECONDS}"


def _keys(scope: str, username: str, ip: str | None) -> list[tuple[str, str]]:
    return [(f"{scope}-login-user", username.lower()[:150]), (f"{scope}-login-ip", ip or "-")]


def is_blocked(username: str, ip: str | None, *, scope: str = "console") -> bool:
    return any(not ratelimit.peek(s, key, _rate()).allowed for s, key in _keys(scope, username, ip))


def record_failure(username: str, ip: str | None, *, scope: str = "console") -> None:
    for s, key in _keys(scope, username, ip):
        ratelimit.hit(s, key, _rate())


def clear(username: str, *, scope: str = "console") -> None:
    (s, key), _ = _keys(scope, username, None)
    ratelimit.reset(s, key, _rate())
