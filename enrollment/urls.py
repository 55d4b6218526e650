from django.urls import path

from enrollment import device_views, portal_views, views

# <token:...> is registered in EnrollmentConfig.ready().

app_name = "enrollment"

urlpatterns = [
    path("devices/pending/", views.pending_list, name="pending_list"),
    path("devices/pending/delete/", views.pending_delete_many, name="pending_delete_many"),
    path("devices/pending/<token:token>/", views.pending_detail, name="pending_detail"),
    path("devices/pending/<token:token>/qr.png", views.pending_qr, {"fmt": "png"}, name="pending_qr_png"),
    path("devices/pending/<token:token>/qr.svg", views.pending_qr, {"fmt": "svg"}, name="pending_qr_svg"),
    path("devices/pending/<token:token>/delete/", views.pending_delete, name="pending_delete"),
    path("settings/general/", views.settings_general, name="settings_general"),
    path("settings/otp-policy/", views.settings_otp_policy, name="settings_otp_policy"),
    path("devices/", device_views.device_list, name="device_list"),
    path("devices/<uuid:public_id>/remove/", device_views.device_remove_view, name="device_remove"),
    path("settings/portal/", portal_views.settings_portal, name="settings_portal"),
]
