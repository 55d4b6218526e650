from django.urls import URLPattern, path

from provisioning import user_views

urlpatterns: list[URLPattern] = [
    path("devices/pending/provision/", user_views.provision_user, name="provision_user"),
    path("devices/pending/<token:token>/provisioned/", user_views.provisioned_user, name="provisioned_user"),
]
