"""Admin > End users (/settings/end-users/): the people who sign in to the self-service portal.

Local end users are created and edited here (with their portal password); LDAP end users are
mirrored from the directory and shown read-only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from accounts.end_user_forms import EndUserForm
from accounts.end_users import EndUserError
from accounts.models import EndUser, UserType
from accounts.selectors import end_users_search
from accounts.services import end_user_save
from audit.actor import Actor

PAGE_SIZE = 50


@console_view("accounts.view_enduser")
def end_user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:150]
    page = Paginator(end_users_search(request.user, search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/end_user_list.html", {"page": page, "search": search})


@sensitive_variables()
@sensitive_post_parameters("password")
@console_view("accounts.view_enduser", "accounts.add_enduser")
@require_http_methods(["GET", "POST"])
def end_user_create(request: HttpRequest) -> HttpResponse:
    return _end_user_form(request, EndUser(user_type=UserType.LOCAL))


@sensitive_variables()
@sensitive_post_parameters("password")
@console_view("accounts.view_enduser", "accounts.change_enduser")
@require_http_methods(["GET", "POST"])
def end_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    end_user = get_object_or_404(EndUser.objects.restrict(request.user), pk=pk)
    if end_user.user_type != UserType.LOCAL:
        # The directory owns LDAP end users: nothing to change here.
        status = 200 if request.method == "GET" else 400
        return render(request, "accounts/end_user_ldap.html", {"edited": end_user}, status=status)
    return _end_user_form(request, end_user)


def _end_user_form(request: HttpRequest, end_user: EndUser) -> HttpResponse:
    form = EndUserForm(request.POST or None, instance=end_user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = end_user_save(end_user=form.save(commit=False), password=form.cleaned_data["password"],
                                  actor=Actor.from_request(request), changed=form.changed_data)
        except EndUserError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"End user {saved.username} saved.")
            return redirect("accounts:end_user_list")
    return render(request, "accounts/end_user_form.html", {"form": form, "edited": end_user})
