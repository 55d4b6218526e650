"""What the session holds of two-step verification.

``VERIFIED``: this session passed the second step (a code at sign-in, or the set-up that turned the
authenticator on). A session without it belongs to a user who had no second factor when signing in; every
change of the factor ends the user's other sessions (``User.second_factor_epoch``), so the mark cannot
outlive the factor it was earned with.

``PENDING``: a sign-in between the right password and the code, for at most PENDING_SECONDS. Nobody is
signed in yet: it names the user, the backend that checked the password, the user's session hash then
(a password change or reset in between voids it) and where to go after.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import load_backend
from django.http import HttpRequest

from accounts.models import User

VERIFIED = "twofactor.verified"
PENDING = "twofactor.pending"
PENDING_SECONDS = 300


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str


def pending_start(request: HttpRequest, user: Any, next_url: str) -> None:
    request.session[PENDING] = {
        "user": user.pk, "backend": user.backend, "hash": user.get_session_auth_hash(), "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }


def pending_read(request: HttpRequest) -> PendingSignIn | None:
    """The pending sign-in of this session, or None (none, expired, or its user changed or is inactive)."""
    stored = request.session.get(PENDING)
    if not isinstance(stored, dict) or float(stored.get("until", 0)) < time.time():
        return None
    try:
        user = load_backend(stored["backend"]).get_user(stored["user"])
    except (ImportError, KeyError):
        return None
    if user is None or not isinstance(user, User) or user.get_session_auth_hash() != stored.get("hash"):
        return None
    return PendingSignIn(user=user, backend=str(stored["backend"]), next_url=str(stored.get("next", "")))


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED] = True


def is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(VERIFIED))
