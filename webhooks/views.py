"""Admin > Webhooks (Administrator): the endpoints, each endpoint's page with its delivery log, and
their actions. Each view parses, calls one service, then redirects with a message or re-renders its
form with the errors.

A new or rotated secret is shown once: the service's answer puts the endpoint's id (never the
secret) in the session, and the endpoint's page, served no-store, shows the secret on its next
view only."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import console_view
from audit.actor import Actor
from lib.crypto import unseal
from webhooks import delivery as deliveries
from webhooks import selectors, services
from webhooks.forms import EndpointForm

VIEW = "webhooks.view_endpoint"
ADD = "webhooks.add_endpoint"
CHANGE = "webhooks.change_endpoint"
DELETE = "webhooks.delete_endpoint"
SHOW_SECRET = "webhooks_show_secret"  # session key: the endpoint whose secret the next view shows


@console_view(VIEW)
@require_GET
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoints_listed(request.user)})


@console_view(VIEW, ADD)
@require_http_methods(["GET", "POST"])
def endpoint_add(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST if request.method == "POST" else None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = services.endpoint_create(name=data["name"], url=data["url"], events=data["events"],
                                        enabled=data["enabled"], actor=Actor.from_request(request))
        request.session[SHOW_SECRET] = made.endpoint.pk
        messages.success(request, f"The webhook “{made.endpoint.name}” was added. Copy its signing secret now: "
                                  "it is shown only this once.")
        return redirect("webhooks:endpoint_detail", made.endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@sensitive_variables("secret")
@never_cache  # may show the signing secret: never kept by a browser or a proxy
@console_view(VIEW)
@require_GET
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(request.user, pk)
    secret = None
    if request.session.get(SHOW_SECRET) == endpoint.pk:
        del request.session[SHOW_SECRET]
        secret = unseal(endpoint.secret_sealed)
    page = selectors.delivery_log_page(request.user, endpoint, position=request.GET.get("page", ""))
    return render(request, "webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "secret": secret, "page": page, "poll_ms": settings.LIVE_POLL_MS,
    })


@console_view(VIEW, CHANGE)
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(request.user, pk)
    form = EndpointForm(request.POST if request.method == "POST" else None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.endpoint_update(endpoint=endpoint, name=data["name"], url=data["url"], events=data["events"],
                                 enabled=data["enabled"], actor=Actor.from_request(request))
        messages.success(request, f"The webhook “{data['name']}” was saved.")
        return redirect("webhooks:endpoint_detail", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@console_view(VIEW, CHANGE)
@require_http_methods(["GET", "POST"])
def endpoint_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(request.user, pk)
    if request.method == "POST":
        services.endpoint_rotate_secret(endpoint=endpoint, actor=Actor.from_request(request))
        request.session[SHOW_SECRET] = endpoint.pk
        messages.success(request, "A new signing secret is in use from the next delivery on. Copy it now: it is "
                                  "shown only this once.")
        return redirect("webhooks:endpoint_detail", endpoint.pk)
    return render(request, "webhooks/endpoint_confirm.html", {"endpoint": endpoint, "action": "rotate"})


@console_view(VIEW, DELETE)
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(request.user, pk)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint, actor=Actor.from_request(request))
        messages.success(request, f"The webhook “{endpoint.name}” and its delivery log were deleted.")
        return redirect("webhooks:endpoint_list")
    return render(request, "webhooks/endpoint_confirm.html", {"endpoint": endpoint, "action": "delete"})


@console_view(VIEW, CHANGE)
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(request.user, pk)
    sent = deliveries.webhook_test_send(endpoint=endpoint, actor=Actor.from_request(request))
    sent.refresh_from_db()  # a worker (or eager Celery) may have sent it already
    messages.success(request, f"A test event was sent to {endpoint.url} (now: {sent.get_status_display()}).")
    return redirect("webhooks:endpoint_detail", endpoint.pk)


@console_view(VIEW, CHANGE)
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(request.user, pk)
    try:
        deliveries.delivery_resend(delivery=delivery, actor=Actor.from_request(request))
    except deliveries.ResendRefused as exc:
        messages.error(request, str(exc))
    else:
        delivery.refresh_from_db()
        messages.success(request, f"The {delivery.get_event_display()} event was queued again "
                                  f"(now: {delivery.get_status_display()}).")
    return redirect("webhooks:endpoint_detail", delivery.endpoint_id)


@never_cache  # a live view: a cached copy would keep a delivered row polling
@console_view(VIEW)
@require_GET
def delivery_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One delivery's row of the log, the same partial the page renders; htmx polls it while the
    delivery is being sent or due soon."""
    return render(request, "webhooks/includes/delivery_row.html", {
        "d": selectors.delivery_get(request.user, pk), "poll_ms": settings.LIVE_POLL_MS,
    })
