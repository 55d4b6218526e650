from django.urls import path

from provisioning import reset_views
from provisioning.bulk import urls as bulk_urls
from provisioning.qr import urls as qr_urls
from provisioning.single import urls as single_urls

app_name = "provisioning"

# Provision User, Bulk Provision Users and Advanced QR-Code Provisioning each keep their own
# URL module; all names live in the "provisioning" namespace.
urlpatterns = [
    *single_urls.urlpatterns, *bulk_urls.urlpatterns, *qr_urls.urlpatterns,
    # Reset OTP re-sends through notifications and renews QR codes, so it lives here (provisioning/reset.py).
    path("devices/pending/<token:token>/reset/", reset_views.pending_reset, name="pending_reset"),
]
