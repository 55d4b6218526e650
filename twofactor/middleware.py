"""A console user whose role requires two-step verification and who has no second factor can do nothing
but set one up: every console page (every view behind ``accounts.access.console_view``) redirects to the
set-up page, except the pages marked ``second_step_exempt`` (set-up and the account page). Sign-out, the
sign-in pages and what is not the console (portal, activation links, the API) are not console views.

Cheap on purpose: a session that passed the second step answers from the session alone; only the others
read the policy and the user's roles (two small queries)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from twofactor.selectors import second_factor_required
from twofactor.session import is_verified

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def second_step_exempt(view: View) -> View:
    """Mark a console view as reachable before the second factor is set up."""
    view.second_step_exempt = True  # type: ignore[attr-defined]
    return view


class SecondStepRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponseBase | None:
        if getattr(view_func, "required_permissions", None) is None or getattr(view_func, "second_step_exempt", False):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(request) or not second_factor_required(user):
            return None
        setup = reverse("twofactor:setup")
        if request.headers.get("HX-Request"):
            # An htmx request (a poll, a partial) would swap the set-up page into a cell: send the page there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = setup
            return response
        return redirect(setup)
