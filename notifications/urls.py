from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/email-templates/", views.template_list, name="template_list"),
    path("settings/email-templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("settings/email-templates/<int:pk>/languages/", views.template_version_add, name="template_version_add"),
    path("settings/email-templates/<int:pk>/remove/", views.template_version_remove, name="template_version_remove"),
    path("settings/sms/", views.sms_settings, name="sms_settings"),
    path("notifications/", views.message_list, name="message_list"),
    path("notifications/<int:pk>/", views.message_detail, name="message_detail"),
    path("notifications/<int:pk>/resend/", views.message_resend, name="message_resend"),
    path("notifications/<int:pk>/status/", views.message_status, name="message_status"),
]
