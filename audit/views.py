import csv
from collections.abc import Iterator
from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import console_view
from audit.models import AuditAction, AuditEntryQuerySet
from audit.selectors import FILTERS, audit_entries_filtered
from lib.spreadsheet import spreadsheet_safe


def _filtered(request: HttpRequest) -> tuple[AuditEntryQuerySet, dict[str, str]]:
    filters = {key: request.GET.get(key, "").strip() for key in FILTERS}
    return audit_entries_filtered(request.user, filters), filters


@console_view("audit.view_auditentry")
def audit_list(request: HttpRequest) -> HttpResponse:
    qs, filters = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "filters": filters, "actions": AuditAction.choices})


class _Echo:
    def write(self, value: str) -> str:
        return value


@never_cache
@console_view("audit.view_auditentry")
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered entries as CSV (UTF-8 with BOM), streamed row by row."""
    qs, _ = _filtered(request)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(["time", "actor", "action", "enrollment_token", "username", "ip", "details"])
        for entry in qs.iterator(chunk_size=2000):
            yield writer.writerow([spreadsheet_safe(v) for v in (
                entry.created_at.isoformat(), entry.actor_name, entry.action, entry.enrollment_token,
                entry.target_username, entry.ip or "", entry.details_json(),
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{datetime.now():%Y%m%d-%H%M}.csv"'
    return response
