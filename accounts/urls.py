from django.urls import path

from accounts import end_user_views, views

app_name = "accounts"

urlpatterns = [
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_create, name="user_create"),
    path("settings/users/<int:pk>/", views.user_edit, name="user_edit"),
    path("settings/end-users/", end_user_views.end_user_list, name="end_user_list"),
    path("settings/end-users/new/", end_user_views.end_user_create, name="end_user_create"),
    path("settings/end-users/<int:pk>/", end_user_views.end_user_edit, name="end_user_edit"),
]
