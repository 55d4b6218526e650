"""Public URLs: the self-service portal, the activation page and the device API. No console
login here; each has its own credential (portal session, token, token or username + OTP)."""

from django.urls import path

from enrollment import activation_views, api, language_views, portal_views

urlpatterns = [
    path("portal/", portal_views.portal_home, name="portal_home"),
    path("portal/language/", language_views.language_set, name="language_set"),
    path("portal/login/", portal_views.portal_login, name="portal_login"),
    path("portal/logout/", portal_views.portal_logout, name="portal_logout"),
    path("portal/enrollments/<token:token>/", portal_views.portal_enrollment, name="portal_enrollment"),
    path("portal/enrollments/<token:token>/qr.png", portal_views.portal_qr, name="portal_qr"),
    path("enroll/<token:token>/", activation_views.activate, name="activate"),
    path("api/v1/enrollments/redeem", api.redeem, name="api_redeem"),
]
