from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import console_view
from audit.actor import Actor
from audit.settings_page import settings_page
from enrollment.models import Ownership
from lib.languages import DEFAULT_LANGUAGE, Language
from notifications import delivery, message_templates, selectors
from notifications.forms import MessageFilterForm, MessageTemplateForm, SmsSettingsForm
from notifications.message_body import message_text_open
from notifications.models import END_USER_TEMPLATES, Channel, Message, MessageTemplate, SmsSettings
from notifications.rendering import PLACEHOLDERS, SAMPLE_EXPIRES, format_expires, render_template, sample_context


@console_view("notifications.change_template")
def template_list(request: HttpRequest) -> HttpResponse:
    templates = selectors.message_templates(request.user)
    return render(request, "notifications/template_list.html", {
        "templates": templates, "rows": _template_rows(templates)})


@dataclass(frozen=True)
class TemplateRow:
    """One template of the list: its English version and, per other language, its version or None (English
    is sent); ``languages`` is empty for a template sent in English only."""

    english: MessageTemplate
    languages: list[tuple[str, MessageTemplate | None]]


def _template_rows(templates: list[MessageTemplate]) -> list[TemplateRow]:
    by_version = {(t.key, t.language): t for t in templates}
    return [
        TemplateRow(english=t, languages=[(label, by_version.get((t.key, code))) for code, label in Language.choices
                                          if code != DEFAULT_LANGUAGE] if t.key in END_USER_TEMPLATES else [])
        for t in templates if t.language == DEFAULT_LANGUAGE
    ]


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
            preview = _preview(subject, body, template.language)
        else:
            message_templates.message_template_update(
                template=template, subject=subject, body=body, actor=Actor.from_request(request)
            )
            messages.success(request, f"The template “{template.name}” was saved.")
            return redirect("notifications:template_list")
    elif request.method == "GET":
        preview = _preview(template.subject, template.body, template.language)
    versions = {t.language: t for t in MessageTemplate.objects.restrict(request.user).filter(key=template.key)}
    return render(request, "notifications/template_edit.html", {
        "template": template, "form": form, "preview": preview, "placeholders": PLACEHOLDERS,
        "is_sms": template.channel == Channel.SMS, "is_english": template.language == DEFAULT_LANGUAGE,
        "versions": [(code, label, versions.get(code)) for code, label in Language.choices]
        if template.key in END_USER_TEMPLATES else [],
    })


@console_view("notifications.change_template")
@require_POST
def template_version_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a language version of the template (its shipped text, else the English one) and open it."""
    template = get_object_or_404(MessageTemplate.objects.restrict(request.user), pk=pk)
    try:
        version = message_templates.message_template_version_add(
            template=template, language=request.POST.get("language", ""), actor=Actor.from_request(request))
    except message_templates.TemplateVersionError as exc:
        messages.error(request, str(exc))
        return redirect("notifications:template_list")
    messages.success(request, f"The {version.get_language_display()} version of “{version.name}” is ready to edit.")
    return redirect("notifications:template_edit", pk=version.pk)


@console_view("notifications.change_template")
@require_http_methods(["GET", "POST"])
def template_version_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (what removing the version means for its users); POST removes it."""
    template = get_object_or_404(MessageTemplate.objects.restrict(request.user), pk=pk)
    if request.method == "GET":
        if template.language == DEFAULT_LANGUAGE:
            return redirect("notifications:template_edit", pk=template.pk)
        return render(request, "notifications/template_confirm_remove.html", {"template": template})
    try:
        message_templates.message_template_version_remove(template=template, actor=Actor.from_request(request))
    except message_templates.TemplateVersionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The {template.get_language_display()} version of “{template.name}” was removed: "
                                  "its users get the English one.")
    return redirect("notifications:template_list")


def _preview(subject: str, body: str, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The text rendered with sample values, dates and words (Ownership, "never") in ``language``."""
    with translation.override(language):
        context = {**sample_context(), "ownership": str(Ownership.CORPORATE.label),
                   "expires": format_expires(SAMPLE_EXPIRES)}
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
