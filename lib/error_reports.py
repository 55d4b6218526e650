"""Error reports never show a secret: neither the DEBUG error page (the embedded default runs with
DEBUG on, so its page is what people see and paste) nor the reports mailed to ADMINS.

Django's SafeExceptionReporterFilter hides what ``sensitive_variables`` and
``sensitive_post_parameters`` mark only while DEBUG is off; here the marks always apply. Settings
and request headers are cleansed as Django does (names holding KEY, PASS, TOKEN, SECRET, ...), and
so is the password of any URL: DATABASE_URL, REDIS_URL and CELERY_BROKER_URL carry one in
production under names that match none of those.
"""

import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/:@\s]*:)[^/@\s]+(?=@)", re.IGNORECASE)


class SecretSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def cleanse_setting(self, key: int | str, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(lambda match: match["head"] + self.cleansed_substitute, cleansed)
        return cleansed
