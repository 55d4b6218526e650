from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("settings/webhooks/new/", views.endpoint_add, name="endpoint_add"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("settings/webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("settings/webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate_secret, name="endpoint_rotate_secret"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("settings/webhooks/<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("settings/webhooks/deliveries/<int:pk>/resend/", views.delivery_resend, name="delivery_resend"),
    path("settings/webhooks/deliveries/<int:pk>/row/", views.delivery_row, name="delivery_row"),
]
