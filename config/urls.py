from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import include, path

from accounts.views import LoginView, LogoutView


def home(request: HttpRequest) -> HttpResponse:
    return redirect("enrollment:pending_list")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


# The 403 page keeps the console's navigation and names the permission the role lacks.
handler403 = "accounts.access.permission_denied"
# On the end user's pages: in their language and look (lib.errors); elsewhere Django's own.
handler400 = "lib.errors.bad_request"
handler404 = "lib.errors.page_not_found"
handler500 = "lib.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    # The sign-in's second step (/login/code/), the account page and the two-step verification admin pages.
    path("", include("twofactor.urls")),
    # Provisioning first: its pages live under /devices/pending/ too.
    path("", include("provisioning.urls")),
    path("", include("enrollment.urls")),
    path("", include("enrollment.public_urls")),
    path("", include("licensing.urls")),
    path("", include("notifications.urls")),
    path("", include("restrictions.urls")),
    path("", include("webhooks.urls")),
    path("", include("audit.urls")),
    path("", include("accounts.urls")),
    # Admin > API keys and the integration API (/api/v1/), after the redeem endpoint it must not shadow.
    path("", include("integrations.urls")),
]
if settings.BENCHMARK_BASELINE_VIEW:
    # The redeem benchmark's one-write baseline; off by default (benchmarks/baseline_view.py).
    urlpatterns.append(path("", include("benchmarks.baseline_view")))
