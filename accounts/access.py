"""One decorator for every console view: sign-in first, then the permission, else 403."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def console_view(*perms: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to the login page; signed-in users without every one of
    ``perms`` get 403. End users never hold console permissions."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = perms  # type: ignore[attr-defined]
        return login_required(wrapped)  # type: ignore[return-value]

    return decorator
