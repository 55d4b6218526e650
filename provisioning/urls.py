from provisioning import user_urls
from provisioning.bulk import urls as bulk_urls
from provisioning.qr import urls as qr_urls

app_name = "provisioning"

# Provision User, Bulk Provision Users and Advanced QR-Code Provisioning each keep their own
# URL module; all names live in the "provisioning" namespace.
urlpatterns = [*user_urls.urlpatterns, *bulk_urls.urlpatterns, *qr_urls.urlpatterns]
