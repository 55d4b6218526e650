from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("login/code/", views.login_code, name="login_code"),
    path("account/", views.account, name="account"),
    path("account/two-step/setup/", views.setup, name="setup"),
    path("account/two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/two-step/turn-off/", views.disable, name="disable"),
    path("settings/users/two-step/", views.policy, name="policy"),
    path("settings/users/<int:pk>/two-step/reset/", views.reset, name="reset"),
]
