"""The account page (two-step verification of the signed-in console user: set-up, recovery codes, turn
off), the sign-in's second step, and the Administrator's side under Admin > Console users (the policy per
role, reset of another user's second factor). Each view parses, calls one service, then redirects with a
message or re-renders its form with the errors."""

import base64
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts import throttle
from accounts.access import console_view
from accounts.models import User
from audit.actor import Actor, client_ip
from audit.models import AuditAction
from audit.services import audit_record
from audit.settings_page import settings_page
from lib import qr
from lib.crypto import SecretUnreadable, seal, unseal
from twofactor import totp
from twofactor.forms import CodeForm, ConfirmCodeForm, TwoStepPolicyForm
from twofactor.middleware import second_step_exempt
from twofactor.models import Authenticator, RecoveryCode, TwoStepPolicy
from twofactor.selectors import second_factor_required
from twofactor.services import (
    Method,
    TwoStepError,
    WrongCode,
    authenticator_begin,
    authenticator_confirm,
    code_refused_record,
    recovery_codes_regenerate,
    second_factor_disable,
    second_factor_reset,
    second_factor_reset_check,
    second_factor_verify,
)
from twofactor.session import VERIFIED, mark_verified, pending_clear, pending_read

# New recovery codes wait in the session (sealed) for the one page that shows them, which takes them out.
NEW_CODES_SESSION = "twofactor.new_recovery_codes"
# The nonce of the set-up this session began (twofactor.services.authenticator_begin): only it confirms.
SETUP_NONCE_SESSION = "twofactor.setup_nonce"
THROTTLED = "Too many failed sign-ins. Wait 15 minutes and try again."
Result = TypeVar("Result")
USER_PERMS = ("accounts.view_user", "accounts.change_user")


def _me(request: HttpRequest) -> User:
    """The signed-in console user (every view here but the sign-in step is behind console_view)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _account_name(request: HttpRequest, user: Any) -> str:
    # "ada@console.example.com": one entry per Onramp the person uses, told apart in their app.
    return f"{user.get_username()}@{request.get_host().split(':')[0]}"


def _menu_until_set_up(blocked: bool) -> dict[str, Any]:
    """No menu entries while every one of them would lead back to the set-up (sign-out stays)."""
    return {"main_nav": [], "admin_nav": []} if blocked else {}


# --- the account page -------------------------------------------------------------------------------


@sensitive_variables()
@never_cache
@second_step_exempt
@console_view()
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account; right after set-up or regeneration, the new recovery codes once
    (a reload no longer shows them)."""
    new_codes = None
    if stored := request.session.pop(NEW_CODES_SESSION, None):
        try:
            new_codes = json.loads(unseal(stored))
        except (SecretUnreadable, ValueError, TypeError):
            new_codes = None
    return _account_page(request, new_codes=new_codes)


def _account_page(request: HttpRequest, *, new_codes: list[str] | None = None, regenerate: CodeForm | None = None,
                  disable: CodeForm | None = None, status: int = 200) -> HttpResponse:
    user = _me(request)
    authenticator = Authenticator.objects.active().filter(user=user).first()
    required = second_factor_required(user)
    return render(request, "twofactor/account.html", {
        **_menu_until_set_up(required and authenticator is None),
        "authenticator": authenticator,
        "required": required,
        "codes_left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() if authenticator else 0,
        "new_codes": new_codes,
        "regenerate_form": regenerate or _regenerate_form(),
        "disable_form": disable or _disable_form(),
        "roles": user.groups.order_by("name").values_list("name", flat=True),
    }, status=status)


def _regenerate_form(data: Any = None) -> CodeForm:
    return CodeForm(data, prefix="regenerate", label="Code for new recovery codes")


def _disable_form(data: Any = None) -> CodeForm:
    return CodeForm(data, prefix="disable", label="Code to turn off")


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@second_step_exempt
@console_view()
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: its QR code (the otpauth URI) and the key as text, then one right code
    turns it on. The set-up belongs to this session (its nonce): a reload shows the same key, another
    session gets another one."""
    user = _me(request)
    account = _account_name(request, user)
    nonce = str(request.session.get(SETUP_NONCE_SESSION, ""))
    form = ConfirmCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = authenticator_confirm(user=user, code=form.cleaned_data["code"], nonce=nonce, account=account,
                                             actor=Actor.from_request(request))
        except TwoStepError as exc:
            form.add_error("code", str(exc))
        else:
            request.session.pop(SETUP_NONCE_SESSION, None)
            update_session_auth_hash(request, user)  # the user's other sessions end, not this one
            mark_verified(request)
            request.session[NEW_CODES_SESSION] = seal(json.dumps(recovery))
            messages.success(request, "Two-step verification is on. Save your recovery codes now.")
            return redirect("twofactor:account")
    try:
        pending = authenticator_begin(user=user, account=account, nonce=nonce)
    except TwoStepError:
        return redirect("twofactor:account")
    request.session[SETUP_NONCE_SESSION] = pending.nonce
    image = qr.render(pending.uri, "png", box_size=6)
    required = second_factor_required(user)
    return render(request, "twofactor/setup.html", {
        **_menu_until_set_up(required),
        "form": form,
        "secret": totp.secret_display(pending.secret),
        "uri": pending.uri,
        "label": pending.label,
        "qr_data_url": "data:image/png;base64," + base64.b64encode(image).decode(),
        "required": required,
    }, status=400 if form.errors else 200)


@sensitive_variables()
@sensitive_post_parameters()
@console_view()
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a user who enters a current code."""
    form = _regenerate_form(request.POST)
    done = _with_current_code(request, form, "recovery codes", lambda user, code: recovery_codes_regenerate(
        user=user, code=code, actor=Actor.from_request(request)))
    if done is not None:
        request.session[NEW_CODES_SESSION] = seal(json.dumps(done[1]))
        messages.success(request, "New recovery codes made: the old ones no longer work.")
        return redirect("twofactor:account")
    return _account_page(request, regenerate=form, status=400)


@sensitive_variables()
@sensitive_post_parameters()
@console_view()
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn off one's own two-step verification (where no role of theirs requires it)."""
    form = _disable_form(request.POST)
    done = _with_current_code(request, form, "turn off", lambda user, code: second_factor_disable(
        user=user, code=code, actor=Actor.from_request(request)))
    if done is not None:
        update_session_auth_hash(request, done[0])
        request.session.pop(VERIFIED, None)  # it was earned with the factor just turned off
        messages.success(request, "Two-step verification is off.")
        return redirect("twofactor:account")
    return _account_page(request, disable=form, status=400)


def _with_current_code(request: HttpRequest, form: Form, purpose: str,
                       action: Callable[[User, str], Result]) -> tuple[User, Result] | None:
    """``action(user, code)`` for the signed-in user, who proves it is them with a current code: once
    ``form`` is valid and the sign-in throttle allows another try. (user, its result); None with the refusal
    on the form's code field (throttled, or a wrong code: counted, and audited as ``purpose``)."""
    if not form.is_valid():
        return None
    user = _me(request)
    if _over_limit(request, user.get_username()):
        form.add_error("code", THROTTLED)
        return None
    try:
        result = action(user, form.cleaned_data["code"])
    except TwoStepError as exc:
        if isinstance(exc, WrongCode):
            _audit_wrong_code(request, user.get_username(), purpose)
        form.add_error("code", str(exc))
        return None
    _release(request, user.get_username())
    return user, result


# --- the sign-in's second step ----------------------------------------------------------------------


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """After the right password, for a user with a second factor: the code. Wrong codes count in the
    sign-in throttle of the password (same username and IP), so guessing codes is as slow as guessing
    passwords; the pending sign-in lasts a few minutes (``twofactor.session``)."""
    pending = pending_read(request)
    if pending is None:
        pending_clear(request)
        if request.method == "POST":
            messages.info(request, "Sign in again: the sign-in waited too long for the code.")
        return redirect("login")
    username = pending.user.get_username()
    form = CodeForm(request.POST if request.method == "POST" else None, autofocus=True)
    if request.method == "POST" and form.is_valid():
        if _over_limit(request, username):
            pending_clear(request)  # start again from the password, once the window has passed
            audit_record(actor=Actor.from_request(request, name=username), action=AuditAction.LOGIN_FAILED,
                         target_username=username, details={"throttled": True, "step": "code"})
            # No form: the pending sign-in is gone, a code sent now could only be refused (as out of date).
            return render(request, "twofactor/login_code.html", {"throttled": THROTTLED, "username": username},
                          status=429)
        try:
            method = second_factor_verify(user=pending.user, code=form.cleaned_data["code"],
                                          actor=Actor.outside(request, username))
        except WrongCode as exc:
            _audit_wrong_code(request, username, "sign-in")
            form.add_error("code", str(exc))
        else:
            _release(request, username)
            pending_clear(request)
            login(request, pending.user, backend=pending.backend)
            mark_verified(request)
            audit_record(actor=Actor.from_request(request), action=AuditAction.LOGIN, target_username=username,
                         details={"second_factor": str(method)})
            if method is Method.RECOVERY_CODE:
                messages.warning(request, "You signed in with a recovery code; it cannot be used again. "
                                          "Make new ones on your account page when few are left.")
            return redirect(_safe_next(request, pending.next_url))
    return render(request, "twofactor/login_code.html", {"form": form, "username": username},
                  status=200)


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("enrollment:pending_list")


def _over_limit(request: HttpRequest, username: str) -> bool:
    """Count one code attempt in the console sign-in throttle (the password's: same username and IP keys);
    True when it is over the limit, and then the code must not be checked."""
    return not throttle.attempt(username, client_ip(request))


def _release(request: HttpRequest, username: str) -> None:
    throttle.release(username, client_ip(request))


def _audit_wrong_code(request: HttpRequest, username: str, where: str) -> None:
    actor = Actor.from_request(request, name=username) if request.user.is_authenticated else \
        Actor.outside(request, username)
    code_refused_record(actor=actor, username=username, step=where, sign_in=where == "sign-in")


# --- Admin > Console users ----------------------------------------------------------------------------


@console_view(*USER_PERMS)
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    return settings_page(
        request, form_class=TwoStepPolicyForm, instance=TwoStepPolicy.load(), name="Two-step verification",
        title="Two-step verification", redirect_to="accounts:user_list",
        success_message="Two-step verification policy saved. It applies from each user's next page.",
        intro="Console users of the roles ticked here must sign in with a code from an authenticator app after "
              "their password. Users of other roles may turn it on for themselves on their account page.",
    )


@console_view(*USER_PERMS)
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Take away another user's second factor (a lost or replaced phone): they are signed out everywhere."""
    user = get_object_or_404(User.objects.restrict(request.user), pk=pk)
    if request.method == "POST":
        try:
            was_on = second_factor_reset(user=user, actor=Actor.from_request(request))
        except TwoStepError as exc:
            messages.error(request, str(exc))
        else:
            done = (f"Two-step verification of {user.get_username()} was reset" if was_on else
                    f"The unfinished set-up of two-step verification of {user.get_username()} was deleted (its key "
                    "no longer works)")
            messages.success(request, f"{done}: they are signed out and set it up again at their next sign-in if "
                                      "their role requires it.")
        return redirect("accounts:user_edit", pk=user.pk)
    try:
        second_factor_reset_check(user=user, actor=Actor.from_request(request))
    except TwoStepError as exc:
        # The same refusal as the button's, said before it is offered.
        return render(request, "twofactor/reset_confirm.html", {"edited": user, "refused": str(exc)})
    return render(request, "twofactor/reset_confirm.html", {
        "edited": user, "authenticator": Authenticator.objects.filter(user=user).first()})
