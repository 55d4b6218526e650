"""Who did something and from where: passed from views, tasks and the API into services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Actor:
    """The person or process behind an action. ``user`` is None for end users, devices and tasks."""

    user: User | None
    name: str
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, name: str | None = None) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(
            user=user,
            name=name if name is not None else (user.get_username() if user else "anonymous"),
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        )

    @classmethod
    def outside(cls, request: HttpRequest, name: str) -> Actor:
        """Someone outside the console (an end user, a device): never the console user who may be
        signed in in the same browser."""
        return cls(user=None, name=name, ip=client_ip(request),
                   user_agent=request.META.get("HTTP_USER_AGENT", "")[:400])

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(user=None, name=f"system:{name}")

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(user=user, name=user.get_username())


def client_ip(request: HttpRequest) -> str | None:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
