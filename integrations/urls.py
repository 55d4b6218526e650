"""Admin > API keys, and the integration API under /api/v1/ (after the redeem endpoint, which
``enrollment.public_urls`` routes first, so no ninja path shadows it)."""

from django.urls import path, re_path

from integrations import views
from integrations.api.app import api, not_found

app_name = "integrations"

urlpatterns = [
    path("settings/api-keys/", views.api_key_list_view, name="api_key_list"),
    path("settings/api-keys/new/", views.api_key_create_view, name="api_key_create"),
    path("settings/api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("settings/api-keys/docs/", views.api_docs, name="api_docs"),
    path("api/v1/", not_found),  # before ninja's root view, which answers Django's HTML 404
    path("api/v1/", api.urls),
    re_path(r"^api/v1/.*$", not_found),
]
