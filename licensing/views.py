from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import console_view
from audit.actor import Actor
from licensing.forms import LicenceTotalForm
from licensing.models import LedgerKind
from licensing.selectors import ledger_page
from licensing.services import LicenceCounts, LicenceError, licence_counts, licence_total_set


@console_view("licensing.view_licencepool")
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    counts = licence_counts()
    return _overview(request, counts, LicenceTotalForm(initial={"total": counts.total}))


@console_view("licensing.view_licencepool", "licensing.change_licencepool")
@require_POST
def licence_total_update(request: HttpRequest) -> HttpResponse:
    """Set total on the Licences page; a refusal shows the page again with the form's error."""
    form = LicenceTotalForm(request.POST)
    if form.is_valid():
        try:
            licence_total_set(total=form.cleaned_data["total"], actor=Actor.from_request(request))
        except LicenceError as exc:
            form.add_error("total", str(exc))
        else:
            messages.success(request, f"The licence total is now {form.cleaned_data['total']}.")
            return redirect("licensing:overview")
    return _overview(request, licence_counts(), form)


def _overview(request: HttpRequest, counts: LicenceCounts, form: LicenceTotalForm) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = ledger_page(request.user, kind=kind, position=request.GET.get("page", ""))
    return render(request, "licensing/overview.html", {
        "counts": counts,
        "form": form,
        "page": page,
        "ledger": page.rows,
        "kind": kind,
        "kinds": LedgerKind.choices,
    })
