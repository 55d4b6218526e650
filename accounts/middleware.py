"""Sessions idle out: a console or portal session ends SESSION_IDLE_TIMEOUT_SECONDS after its last
request (SESSION_COOKIE_AGE is that timeout; default 8 hours).

Django moves a session's expiry only when the session is saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would write a row per page view; instead an active session is
touched at most every REFRESH_SECONDS, so its expiry trails the last request by at most that much.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

REFRESH_SECONDS = 300
SEEN_KEY = "_seen"


class SessionIdleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Only sessions that exist: a request without a session cookie (a device, the API) gets none.
        if request.session.session_key is not None:
            now = int(time.time())
            if now - int(request.session.get(SEEN_KEY, 0)) >= REFRESH_SECONDS:
                request.session[SEEN_KEY] = now  # modified: saved with a new expiry and cookie
        return self.get_response(request)
