from django.urls import path

from restrictions import views

app_name = "restrictions"

urlpatterns = [
    path("settings/restrictions/", views.restrictions_settings, name="settings"),
    path("settings/restrictions/identifiers/", views.identifier_list, name="identifier_list"),
    path("settings/restrictions/identifiers/new/", views.identifier_add, name="identifier_add"),
    path("settings/restrictions/identifiers/import/", views.identifier_import, name="identifier_import"),
    path("settings/restrictions/identifiers/export.csv", views.identifier_export, name="identifier_export"),
    path("settings/restrictions/identifiers/delete/", views.identifier_delete_many, name="identifier_delete_many"),
    path("settings/restrictions/identifiers/<int:pk>/delete/", views.identifier_delete, name="identifier_delete"),
]
