"""Error pages (handler400/404/500 and the CSRF failure view). On the end user's pages (``lib.middleware``'s
end-user paths) they are in the end user's language and look, with the language switch and a way back to the
portal; the console and the APIs keep Django's own (the console's pages are English). The language is the one
``EndUserLanguageMiddleware`` activated: Django renders these inside the middleware chain."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from lib.middleware import is_end_user_path

# End-user paths that only take a POST: the "form expired" page's link goes to the portal instead.
_POST_ONLY = ("/portal/language/", "/portal/logout/")


def _end_user_page(request: HttpRequest) -> bool:
    # The redeem API answers JSON in its own shape; its errors are not pages.
    return is_end_user_path(request.path_info) and not request.path_info.startswith("/api/")


def _render(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "error.html", {"status": status, "enroll": request.path_info.startswith("/enroll/")},
                  status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _end_user_page(request):
        return _render(request, 400)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _end_user_page(request):
        return _render(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _end_user_page(request):
        try:
            return _render(request, 500)
        except Exception:  # noqa: BLE001 - whatever broke the page may break this one: Django's plain page then
            pass
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: "This form has expired", on end-user pages in the end user's language with a link
    back to the page the form was on (or the portal); elsewhere Django's view with templates/403_csrf.html."""
    if not _end_user_page(request):
        return django_csrf_failure(request, reason)
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    back = "/portal/" if request.path_info in _POST_ONLY else request.path
    return render(request, "403_csrf_end_user.html", {"back": back, "no_cookie": reason == REASON_NO_CSRF_COOKIE},
                  status=403)
