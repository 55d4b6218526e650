from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from audit.actor import Actor
from licensing.forms import LicenceTotalForm
from licensing.models import LedgerEntry, LedgerKind
from licensing.services import LicenceError, licence_counts, licence_total_set

LEDGER_ROWS = 100


@console_view("licensing.view_licencepool")
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest) -> HttpResponse:
    counts = licence_counts()
    form = LicenceTotalForm(request.POST or None, initial={"total": counts.total})
    if request.method == "POST":
        if not request.user.has_perm("licensing.change_licencepool"):
            return HttpResponse("You may not change the licence total.", status=403)
        if form.is_valid():
            try:
                licence_total_set(total=form.cleaned_data["total"], actor=Actor.from_request(request))
            except LicenceError as exc:
                form.add_error("total", str(exc))
            else:
                messages.success(request, f"The licence total is now {form.cleaned_data['total']}.")
                return redirect("licensing:overview")
    kind = request.GET.get("kind", "")
    ledger = LedgerEntry.objects.order_by("-created_at", "-id")
    if kind:
        ledger = ledger.filter(kind=kind)
    return render(request, "licensing/overview.html", {
        "counts": counts,
        "form": form,
        "ledger": ledger[:LEDGER_ROWS],
        "kind": kind,
        "kinds": LedgerKind.choices,
        "ledger_rows": LEDGER_ROWS,
    })
