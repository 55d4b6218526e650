from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import console_view
from audit.actor import Actor
from audit.settings_page import settings_page
from notifications import delivery, message_templates, selectors
from notifications.forms import MessageFilterForm, MessageTemplateForm, SmsSettingsForm
from notifications.message_body import message_text_open
from notifications.models import Channel, Message, MessageTemplate, SmsSettings
from notifications.rendering import PLACEHOLDERS, render_template, sample_context


@console_view("notifications.change_template")
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/template_list.html", {"templates": selectors.message_templates(request.user)})


@console_view("notifications.change_template")
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(MessageTemplate.objects.restrict(request.user), pk=pk)
    form = MessageTemplateForm(request.POST or None, instance=template)
    preview: dict[str, str] | None = None
    if request.method == "POST" and form.is_valid():
        subject = form.cleaned_data.get("subject", "")
        body = form.cleaned_data["body"]
        if request.POST.get("action") == "preview":
            # Preview renders the unsaved text with sample values; nothing is stored.
            preview = _preview(subject, body)
        else:
            message_templates.message_template_update(
                template=template, subject=subject, body=body, actor=Actor.from_request(request)
            )
            messages.success(request, f"The template “{template.name}” was saved.")
            return redirect("notifications:template_list")
    elif request.method == "GET":
        preview = _preview(template.subject, template.body)
    return render(request, "notifications/template_edit.html", {
        "template": template, "form": form, "preview": preview, "placeholders": PLACEHOLDERS,
        "is_sms": template.channel == Channel.SMS,
    })


def _preview(subject: str, body: str) -> dict[str, str]:
    context = sample_context()
    return {
        "subject": render_template(subject, context).strip() if subject else "",
        "body": render_template(body, context),
    }


@console_view("notifications.change_smssettings")
@require_http_methods(["GET", "POST"])
def sms_settings(request: HttpRequest) -> HttpResponse:
    return settings_page(
        request, form_class=SmsSettingsForm, instance=SmsSettings.load(), name="sms", title="App Portal and SMS",
        success_message="SMS settings saved.", redirect_to="notifications:sms_settings",
    )


# The Delivery log's own query parameters: the only ones a Re-send carries back to the list.
LIST_PARAMETERS = (*MessageFilterForm.base_fields, "page")


@never_cache  # a live view of delivery states: a cached copy would show a re-sent row as still failed
@console_view("notifications.view_message")
def message_list(request: HttpRequest) -> HttpResponse:
    filters = MessageFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.message_list_page(
        request.user, q=values.get("q", ""), status=values.get("status", ""), channel=values.get("channel", ""),
        template=values.get("template", ""), position=request.GET.get("page", ""),
    )
    return render(request, "notifications/message_list.html", {
        "filters": filters, "page": page, "filtered": any(values.values()),
        "query": _list_query(request.GET.urlencode()), "poll_ms": settings.LIVE_POLL_MS,
    })


@sensitive_variables()
@never_cache  # the text may carry a (masked) message and names people: never kept by a browser or proxy
@console_view("notifications.view_message", "notifications.view_message_body")
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(request.user, pk)
    text = message_text_open(message=message, actor=Actor.from_request(request))
    return render(request, "notifications/message_detail.html", {
        "message": message, "text": text, "query": _list_query(request.GET.urlencode()),
    })


@never_cache  # a live view: a cached copy would keep a delivered message polling
@console_view("notifications.view_message")
@require_GET
def message_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One message's Status cell, the same partial the list renders; htmx polls it after a Re-send until the
    message is sent or failed."""
    return render(request, "notifications/includes/message_status.html", {
        "m": selectors.message_get(request.user, pk), "poll_ms": settings.LIVE_POLL_MS,
    })


@console_view("notifications.resend_message")
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message.objects.restrict(request.user, "resend"), pk=pk)
    try:
        delivery.message_resend(message=message, actor=Actor.from_request(request))
    except delivery.ResendRefused as exc:
        messages.error(request, str(exc))
    else:
        # The send may already have run (eager Celery) or a worker may have claimed it: say where it is now,
        # also for a list filtered to "Failed" that no longer shows the row.
        message.refresh_from_db()
        messages.success(request, f"The {message.get_channel_display()} to {message.recipient} was queued again "
                                  f"(now: {message.get_status_display()}, attempts: {message.attempts}).")
    query = _list_query(request.POST.get("query", ""))
    return redirect(reverse("notifications:message_list") + (f"?{query}" if query else ""))


def _list_query(query: str) -> str:
    """The filters and page of the Delivery log, re-encoded from its own parameters only: a Re-send
    returns to the list it was pressed on, and the form cannot send anyone to another address."""
    given = QueryDict(query.lstrip("?"))
    return urlencode({name: given[name] for name in LIST_PARAMETERS if given.get(name)})
