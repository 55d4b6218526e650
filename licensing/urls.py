from django.urls import path

from licensing import views

app_name = "licensing"

urlpatterns = [
    path("licenses/", views.overview, name="overview"),
    path("licenses/total/", views.licence_total_update, name="licence_total_update"),
]
