"""Where the password step of the console sign-in (``accounts.views.LoginView``) hands over."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from twofactor.selectors import second_factor_active, second_factor_required
from twofactor.session import pending_start


def sign_in_second_step(request: HttpRequest, user: Any, next_url: str) -> HttpResponse | None:
    """The right password of a user with a second factor: keep the sign-in pending (nobody is signed in)
    and ask for the code; None for a user without one (signed in by the password alone)."""
    if not second_factor_active(user):
        return None
    pending_start(request, user, next_url)
    return redirect("twofactor:login_code")


def second_factor_setup_redirect(request: HttpRequest) -> HttpResponse | None:
    """Just signed in by the password alone, and a role requires a second factor: set-up first."""
    return redirect("twofactor:setup") if second_factor_required(request.user) else None
