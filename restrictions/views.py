"""Admin > Enrollment restrictions: the rules (an Administrator edits them, a Super Helpdesk reads
them) and the corporate identifiers (list, add, import, export, delete). Each view parses, calls one
service, then redirects with a message or re-renders its form with the errors."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import PermissionMissing, console_view
from audit.actor import Actor
from audit.settings_page import settings_page
from lib.csvfile import CsvFileError
from restrictions.forms import IdentifierForm, IdentifierImportForm, IdentifierSelectionForm, RestrictionSettingsForm
from restrictions.identifier_csv import IMPORT_MAX_MB, IMPORT_MAX_ROWS, export_lines
from restrictions.models import CorporateIdentifier, IdentifierStatus, RestrictionSettings
from restrictions.rules import restriction_settings
from restrictions.selectors import identifier_list_page, identifiers_filtered
from restrictions.services import (
    IdentifierListed,
    corporate_identifier_add,
    corporate_identifiers_delete,
    corporate_identifiers_import,
)
from restrictions.summary import rules_summary

VIEW_SETTINGS = "restrictions.view_restrictionsettings"
CHANGE_SETTINGS = "restrictions.change_restrictionsettings"
VIEW_IDENTIFIERS = "restrictions.view_corporateidentifier"
ADD_IDENTIFIERS = "restrictions.add_corporateidentifier"
DELETE_IDENTIFIERS = "restrictions.delete_corporateidentifier"
PROBLEMS_SHOWN = 1000
TITLE = "Enrollment restrictions"


@console_view(VIEW_SETTINGS)
@require_http_methods(["GET", "POST"])
def restrictions_settings(request: HttpRequest) -> HttpResponse:
    """Who may change the rules edits them; who may only see them gets the same form, disabled, and
    a POST from them is refused (403)."""
    intro = format_html(
        "Checked on every path a device takes (the activation page, the redeem API, QR codes) before anything is "
        "consumed; a refused device is told which rule refused it. The allow-list is under "
        '<a href="{}">Corporate identifiers</a> ({} listed).',
        reverse("restrictions:identifier_list"),
        f"{CorporateIdentifier.objects.restrict(request.user).count():,}")
    if request.user.has_perm(CHANGE_SETTINGS):
        return settings_page(
            request, form_class=RestrictionSettingsForm, instance=RestrictionSettings.load(), name="restrictions",
            title=TITLE, success_message="The enrollment restrictions were saved. They apply to the next device "
            "that enrolls.", redirect_to="restrictions:settings", intro=intro, template="restrictions/settings.html",
        )
    if request.method == "POST":
        raise PermissionMissing([CHANGE_SETTINGS])
    rules = restriction_settings()
    form = RestrictionSettingsForm(instance=rules, read_only=True)
    return render(request, "restrictions/settings.html", {"form": form, "title": TITLE, "intro": intro,
                                                          "read_only": True, "summary": rules_summary(rules)})


def _filters(request: HttpRequest) -> dict[str, str]:
    return {"search": request.GET.get("q", "").strip()[:150], "status": request.GET.get("status", "")}


@console_view(VIEW_IDENTIFIERS)
@require_GET
def identifier_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = identifier_list_page(request.user, **filters, position=request.GET.get("page", ""),
                                page_size=settings.PENDING_LIST_PAGE_SIZE)
    return render(request, "restrictions/identifier_list.html", {
        "page": page, "filters": filters, "statuses": IdentifierStatus.choices,
    })


@console_view(VIEW_IDENTIFIERS, ADD_IDENTIFIERS)
@require_http_methods(["GET", "POST"])
def identifier_add(request: HttpRequest) -> HttpResponse:
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = corporate_identifier_add(kind=data["kind"], value=data["value"], note=data["note"],
                                             actor=Actor.from_request(request))
        except IdentifierListed as exc:
            form.add_error("value", str(exc))
        else:
            enrolled = (f" A device had enrolled with it already ({added.device}): it is Enrolled, with that device."
                        if added.device else "")
            messages.success(request, f"The {added.get_kind_display()} {added.value} was added.{enrolled}")
            for warning in form.warnings:
                messages.warning(request, warning)
            return redirect("restrictions:identifier_list")
    return render(request, "restrictions/identifier_add.html", {"form": form})


@console_view(VIEW_IDENTIFIERS, ADD_IDENTIFIERS)
@require_http_methods(["GET", "POST"])
def identifier_import(request: HttpRequest) -> HttpResponse:
    """One step: the good rows are added, the others listed with their row numbers (no preview)."""
    posted = request.method == "POST"
    form = IdentifierImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["csv_file"]
        try:
            result = corporate_identifiers_import(chunks=upload.chunks(), file_name=upload.name or "upload.csv",
                                                  actor=Actor.from_request(request))
        except CsvFileError as exc:
            form.add_error("csv_file", str(exc))
        else:
            form = IdentifierImportForm()
    return render(request, "restrictions/identifier_import.html", {
        "form": form, "result": result, "shown": PROBLEMS_SHOWN, "max_mb": IMPORT_MAX_MB,
        "max_rows": f"{IMPORT_MAX_ROWS:,}",
    })


@never_cache
@console_view(VIEW_IDENTIFIERS)
@require_GET
def identifier_export(request: HttpRequest) -> StreamingHttpResponse:
    """The identifiers the list's search and status show, as CSV (UTF-8 with BOM) that Import reads
    back; streamed from a server-side cursor."""
    identifiers = identifiers_filtered(request.user, **_filters(request)).order_by("created_at", "pk")
    response = StreamingHttpResponse(export_lines(identifiers.iterator(chunk_size=2000)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="corporate-identifiers-{datetime.now():%Y%m%d-%H%M}.csv"'
    return response


@console_view(VIEW_IDENTIFIERS, DELETE_IDENTIFIERS)
@require_http_methods(["GET", "POST"])
def identifier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    identifier = get_object_or_404(CorporateIdentifier.objects.restrict(request.user), pk=pk)
    if request.method == "POST":
        corporate_identifiers_delete(ids=[identifier.pk], actor=Actor.from_request(request))
        messages.success(request, f"The {identifier.get_kind_display()} {identifier.value} was deleted.")
        return redirect("restrictions:identifier_list")
    return render(request, "restrictions/identifier_confirm_delete.html", {"selected": [identifier], "many": False})


@console_view(VIEW_IDENTIFIERS, DELETE_IDENTIFIERS)
@require_POST
def identifier_delete_many(request: HttpRequest) -> HttpResponse:
    """Step one shows what was ticked and asks; step two (confirm=yes) deletes."""
    form = IdentifierSelectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select at least one identifier to delete.")
        return redirect("restrictions:identifier_list")
    ids = form.cleaned_data["ids"]
    if request.POST.get("confirm") == "yes":
        deleted = corporate_identifiers_delete(ids=ids, actor=Actor.from_request(request))
        messages.success(request, f"{deleted} identifier{'' if deleted == 1 else 's'} deleted.")
        return redirect("restrictions:identifier_list")
    selected = list(CorporateIdentifier.objects.restrict(request.user).filter(pk__in=ids).order_by("kind", "value")
                    [:1000])
    return render(request, "restrictions/identifier_confirm_delete.html", {"selected": selected, "many": True})
