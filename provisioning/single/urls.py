from django.urls import URLPattern, path

from provisioning.single import views

urlpatterns: list[URLPattern] = [
    path("devices/pending/provision/", views.provision_user, name="provision_user"),
    path("devices/pending/<token:token>/provisioned/", views.provisioned_user, name="provisioned_user"),
]
