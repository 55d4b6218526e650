"""Sign-in throttle: attempts counted per username and per IP (``lib.ratelimit``), at most
LOGIN_MAX_FAILURES per LOGIN_FAILURE_WINDOW_SECONDS. Each place people type a password has its own
scope: "console" (console login and the Provision User authorizer) and "portal".

Count first, then check: ``attempt`` increments both counters before the password is looked at and
refuses when either is over the limit. The increment is atomic (INCR on Redis), so of N concurrent
tries at most LOGIN_MAX_FAILURES are ever checked against a password; peeking first and counting
after the check would let all N through. A try that succeeds gives its count back
(``release``), so only failures add up.

The username is keyed exactly as authentication reads it (``username_normalize``: stripped, then
NFKC, as Django's sign-in form does), lowercased: "  Superhelp" and "ｓuperhelp" count as
"superhelp", the user they would sign in as.
"""

import hashlib
import unicodedata

from django.conf import settings

from lib import ratelimit


def username_normalize(raw: str) -> str:
    """A typed username as every sign-in path looks it up: surrounding whitespace dropped, then
    NFKC (Django's UsernameField does the same for the console form)."""
    return unicodedata.normalize("NFKC", (raw or "").strip())


def _rate() -> str:
    return f"{settings.LOGIN_MAX_FAILURES}/{settings.LOGIN_FAILURE_WINDOW_SECONDS}"


def _keys(scope: str, username: str, ip: str | None) -> list[tuple[str, str]]:
    # A digest: a username may hold spaces or any letter, which cache keys should not.
    user_key = hashlib.sha256(username_normalize(username).lower().encode()).hexdigest()[:32]
    return [(f"{scope}-login-user", user_key), (f"{scope}-login-ip", ip or "-")]


def attempt(username: str, ip: str | None, *, scope: str = "console") -> bool:
    """Count one sign-in attempt for ``username`` from ``ip``; False when it is over the limit
    (then the password must not be checked)."""
    rate = _rate()
    decisions = [ratelimit.hit(s, key, rate) for s, key in _keys(scope, username, ip)]
    return all(decision.allowed for decision in decisions)


def release(username: str, ip: str | None, *, scope: str = "console") -> None:
    """The attempt just counted for ``username`` from ``ip`` was no wrong password (it signed in):
    take its count back."""
    rate = _rate()
    for s, key in _keys(scope, username, ip):
        ratelimit.undo(s, key, rate)
