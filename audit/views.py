import csv
from collections.abc import Iterator
from datetime import datetime

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.access import console_view
from audit.models import AuditAction
from audit.selectors import FILTERS, audit_entries_filtered, audit_list_page
from lib.spreadsheet import spreadsheet_safe

# Rows the export reads per round trip: a server-side cursor on PostgreSQL, so memory stays the same
# for 10,000 entries as for 1,000,000.
EXPORT_CHUNK = 2000


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:150] for key in FILTERS}


@console_view("audit.view_auditentry")
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = audit_list_page(request.user, filters, position=request.GET.get("page", ""))
    return render(request, "audit/list.html", {"page": page, "filters": filters, "actions": AuditAction.choices})


class _Echo:
    def write(self, value: str) -> str:
        return value


@never_cache
@console_view("audit.view_auditentry")
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered entries as CSV (UTF-8 with BOM), streamed row by row from a server-side cursor: nothing
    holds more than one chunk of entries, whatever the number exported."""
    qs = audit_entries_filtered(request.user, _filters(request))
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(["time", "actor", "action", "enrollment_token", "username", "ip", "details"])
        lines: list[str] = []
        for entry in qs.iterator(chunk_size=EXPORT_CHUNK):
            lines.append(writer.writerow([spreadsheet_safe(v) for v in (
                entry.created_at.isoformat(), entry.actor_name, entry.action, entry.enrollment_token,
                entry.target_username, entry.ip or "", entry.details_json(),
            )]))
            if len(lines) == EXPORT_CHUNK:  # one write to the client per chunk, not one per row
                yield "".join(lines)
                lines.clear()
        if lines:
            yield "".join(lines)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{datetime.now():%Y%m%d-%H%M}.csv"'
    return response
