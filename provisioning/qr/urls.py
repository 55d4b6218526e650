from django.urls import URLPattern, path

from provisioning.qr import dpc_views, views

urlpatterns: list[URLPattern] = [
    path("devices/pending/qr/", views.qr_list, name="qr_list"),
    path("devices/pending/qr/new/", views.qr_create, name="qr_create"),
    path("devices/pending/qr/<int:pk>/", views.qr_detail, name="qr_detail"),
    path("devices/pending/qr/<int:pk>/qr.png", views.qr_image, {"fmt": "png"}, name="qr_image_png"),
    path("devices/pending/qr/<int:pk>/qr.svg", views.qr_image, {"fmt": "svg"}, name="qr_image_svg"),
    path("devices/pending/qr/<int:pk>/delete/", views.qr_delete, name="qr_delete"),
    path("settings/companion-app/", dpc_views.dpc_settings, name="dpc_settings"),
]
