from django.urls import URLPattern, path

from enrollment import urls as enrollment_urls  # noqa: F401 - registers the <token:> converter
from provisioning import user_views

urlpatterns: list[URLPattern] = [
    path("devices/pending/provision/", user_views.provision_user, name="provision_user"),
    path("devices/pending/<token:token>/provisioned/", user_views.provisioned_user, name="provisioned_user"),
]
