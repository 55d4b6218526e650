"""Who did something and from where: passed from views, tasks and the API into services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

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
    """The client's address as the trusted proxies saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    last TRUSTED_PROXY_COUNT entries were written by proxies we run; everything to their left came
    from the client and may be forged. With no trusted proxy (the default) X-Forwarded-For is
    ignored and the socket's address is the client. A request that reached us past fewer proxies
    than configured (a shorter header) also falls back to the socket's address.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        # python-ipware counts the proxies *inside* the header: the last proxy's own address is
        # REMOTE_ADDR, not an entry, so N trusted proxies are N - 1 entries right of the client.
        ip, _routable = get_client_ip(request, proxy_count=proxies - 1,
                                      request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False)
        if ip:
            return ip
    return request.META.get("REMOTE_ADDR") or None
