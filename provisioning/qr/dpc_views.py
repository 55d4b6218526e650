from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from audit.actor import Actor
from provisioning.models import DpcSettings
from provisioning.qr.forms import DpcSettingsForm
from provisioning.qr.services import dpc_settings_update


@console_view("provisioning.change_dpcsettings")
@require_http_methods(["GET", "POST"])
def dpc_settings(request: HttpRequest) -> HttpResponse:
    form = DpcSettingsForm(request.POST or None, request.FILES or None, instance=DpcSettings.load())
    if request.method == "POST" and form.is_valid():
        dpc_settings_update(dpc=form.save(commit=False), actor=Actor.from_request(request),
                            changed=form.changed_settings())
        for warning in form.warnings:
            messages.warning(request, warning)
        messages.success(request, "Companion app settings saved. They apply to QR codes created from now on.")
        return redirect("provisioning:dpc_settings")
    return render(request, "provisioning/dpc_settings.html", {"form": form})
