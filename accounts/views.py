from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts import throttle
from accounts.access import console_view
from accounts.forms import ConsoleUserForm
from accounts.models import User
from accounts.roles import ROLES
from accounts.services import ConsoleUserError, console_user_save
from audit.actor import Actor, client_ip
from audit.models import AuditAction
from audit.services import audit_record
from twofactor.selectors import required_roles, with_second_factor
from twofactor.signin import second_factor_setup_redirect, sign_in_second_step


class LoginView(auth_views.LoginView):
    """Sign-in with a throttle: every try counts before the password is checked
    (``accounts.throttle``); past LOGIN_MAX_FAILURES for a username or from an IP, tries are
    refused with 429 without checking the password until the window passes."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if not throttle.attempt(username, client_ip(request)):
            # An unbound form: binding it would authenticate, i.e. check the password.
            form = self.get_form_class()(request, initial={"username": username[:150]})
            form.cleaned_data = {}
            form.add_error(None, "Too many failed sign-ins. Wait 15 minutes and try again.")
            audit_record(actor=Actor.from_request(request, name=username[:150] or "anonymous"),
                         action=AuditAction.LOGIN_FAILED, details={"throttled": True})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.release(self.request.POST.get("username", ""), client_ip(self.request))
        # A user with a second factor is not signed in yet: the code comes first (twofactor.views.login_code).
        if (second_step := sign_in_second_step(self.request, form.get_user(), self.get_success_url())) is not None:
            return second_step
        response = super().form_valid(form)
        audit_record(actor=Actor.from_request(self.request), action=AuditAction.LOGIN)
        return second_factor_setup_redirect(self.request) or response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = self.request.POST.get("username", "")
        audit_record(actor=Actor.from_request(self.request, name=username[:150] or "anonymous"),
                     action=AuditAction.LOGIN_FAILED)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=Actor.from_request(request), action=AuditAction.LOGOUT)
        return super().post(request, *args, **kwargs)


@console_view("accounts.view_user")
def user_list(request: HttpRequest) -> HttpResponse:
    users = with_second_factor(User.objects.restrict(request.user)).prefetch_related("groups").order_by("username")
    return render(request, "accounts/user_list.html", {"users": users, "roles": ROLES,
                                                        "two_step_required_roles": required_roles()})


@sensitive_variables()
@sensitive_post_parameters("password")
@console_view("accounts.view_user", "accounts.add_user")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    return _user_form(request, User())


@sensitive_variables()
@sensitive_post_parameters("password")
@console_view("accounts.view_user", "accounts.change_user")
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_form(request, get_object_or_404(User.objects.restrict(request.user), pk=pk))


def _user_form(request: HttpRequest, user: User) -> HttpResponse:
    form = ConsoleUserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = console_user_save(user=form.save(commit=False), role=form.role_group(),
                                      password=form.cleaned_data["password"], actor=Actor.from_request(request),
                                      changed=form.changed_data)
        except ConsoleUserError as exc:
            form.add_error(None, str(exc))
        else:
            if saved.pk == request.user.pk and form.cleaned_data["password"]:
                # A new password ends the user's other sessions, not the one that set it.
                update_session_auth_hash(request, saved)
            messages.success(request, f"Console user {saved.username} saved.")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})
