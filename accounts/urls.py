from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_create, name="user_create"),
    path("settings/users/<int:pk>/", views.user_edit, name="user_edit"),
]
