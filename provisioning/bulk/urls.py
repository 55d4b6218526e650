from django.urls import URLPattern, path

from provisioning.bulk import views

urlpatterns: list[URLPattern] = [
    path("devices/pending/bulk/", views.bulk_list, name="bulk_list"),
    path("devices/pending/bulk/<int:pk>/", views.bulk_preview, name="bulk_preview"),
    path("devices/pending/bulk/<int:pk>/preview/", views.bulk_preview_part, name="bulk_preview_part"),
    path("devices/pending/bulk/<int:pk>/start/", views.bulk_start, name="bulk_start"),
    path("devices/pending/bulk/<int:pk>/cancel/", views.bulk_cancel, name="bulk_cancel"),
    path("devices/pending/bulk/<int:pk>/status/", views.bulk_status, name="bulk_status"),
    path("devices/pending/bulk/<int:pk>/export.csv", views.bulk_download, name="bulk_download"),
    path("devices/pending/bulk/<int:pk>/remove/", views.bulk_remove, name="bulk_remove"),
]
