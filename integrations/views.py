"""Admin > API keys (Administrator only): the list, a new key (shown once), revoke, and the API's
documentation page. Each view parses, calls one service, then redirects with a message or re-renders
its form with the errors."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import console_view
from audit.actor import Actor
from integrations.forms import ApiKeyForm
from integrations.models import MANAGE_PERMISSION, ApiKey
from integrations.selectors import api_key_list
from integrations.services import ApiKeyError, api_key_create, api_key_revoke
from lib.crypto import SecretUnreadable, seal, unseal

# The new key waits in the session (sealed) for the one page that shows it, which takes it out.
NEW_KEY_SESSION = "integrations.new_api_key"


@sensitive_variables()
@never_cache
@console_view(MANAGE_PERMISSION)
@require_GET
def api_key_list_view(request: HttpRequest) -> HttpResponse:
    """The keys; right after Create, the new key once (a reload no longer shows it)."""
    new_key, new_key_id = None, None
    if stored := request.session.pop(NEW_KEY_SESSION, None):
        try:
            new_key, new_key_id = unseal(stored["key"]), stored["id"]
        except (SecretUnreadable, KeyError, TypeError):
            new_key = None
    return render(request, "integrations/api_key_list.html", {
        "keys": api_key_list(request.user), "new_key": new_key, "new_key_id": new_key_id,
    })


@sensitive_variables()
@console_view(MANAGE_PERMISSION)
@require_http_methods(["GET", "POST"])
def api_key_create_view(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = api_key_create(actor=Actor.from_request(request), name=data["name"], scopes=data["scopes"],
                                     expires_at=data["expires_on"])
        except ApiKeyError as exc:
            form.add_error(exc.field, str(exc))
        else:
            request.session[NEW_KEY_SESSION] = {"id": created.api_key.pk, "key": seal(created.key)}
            messages.success(request, f"The API key “{created.api_key.name}” was created. Copy it now: it is "
                                      "shown only once.")
            return redirect("integrations:api_key_list")
    return render(request, "integrations/api_key_form.html", {"form": form}, status=400 if form.errors else 200)


@console_view(MANAGE_PERMISSION)
@require_http_methods(["GET", "POST"])
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey.objects.restrict(request.user), pk=pk)
    if request.method == "POST":
        if api_key_revoke(api_key=api_key, actor=Actor.from_request(request)):
            messages.success(request, f"The API key “{api_key.name}” was revoked: it no longer works.")
        else:
            messages.info(request, f"The API key “{api_key.name}” was revoked already.")
        return redirect("integrations:api_key_list")
    return render(request, "integrations/api_key_confirm_revoke.html", {"api_key": api_key})


@console_view(MANAGE_PERMISSION)
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document, readable: Swagger UI from ninja's static files (no CDN)."""
    return render(request, "integrations/api_docs.html", {"openapi_url": reverse("integrations:api:openapi-json")})
