"""One decorator for every console view: sign-in first, then the permission, else 403; and the
403 page, which keeps the console's navigation and names what the role lacks."""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from accounts.selectors import permissions_described

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class PermissionMissing(PermissionDenied):
    """A signed-in user lacks ``missing`` ("app_label.codename"), which the page needs."""

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = tuple(missing)


def console_view(*perms: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to the login page; signed-in users without every one of
    ``perms`` get 403. End users never hold console permissions."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            missing = [perm for perm in perms if not request.user.has_perm(perm)]
            if missing:
                raise PermissionMissing(missing)
            return view(request, *args, **kwargs)

        wrapped.required_permissions = perms  # type: ignore[attr-defined]
        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403. A bare PermissionDenied (raised by a selector) names no permission; the page
    then only says the role does not allow it."""
    roles = list(request.user.groups.order_by("name").values_list("name", flat=True)) \
        if request.user.is_authenticated else []
    return render(request, "403.html", {
        "missing": permissions_described(getattr(exception, "missing", ())),
        "roles": roles,
    }, status=403)
