from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from accounts.access import console_view
from audit.settings_page import settings_page
from provisioning.models import DpcSettings
from provisioning.qr.forms import DpcSettingsForm

INTRO = ("The device policy controller that Advanced QR-Code Provisioning installs as device owner. Checksums are "
         "stored and put in QR codes as padded URL-safe base64.")


@console_view("provisioning.change_dpcsettings")
@require_http_methods(["GET", "POST"])
def dpc_settings(request: HttpRequest) -> HttpResponse:
    return settings_page(
        request, form_class=DpcSettingsForm, instance=DpcSettings.load(), name="companion_app", title="Companion app",
        success_message="Companion app settings saved. They apply to QR codes created from now on.",
        redirect_to="provisioning:dpc_settings", intro=INTRO,
    )
