"""Console sign-in against the local user table."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from accounts.models import User


class ConsoleModelBackend(ModelBackend):
    """Django's ModelBackend, with the password hidden from error reports. Django marks only
    ``credentials`` in ``authenticate()``; the backend's own frame and the hashers' below it would
    still show ``password`` when a sign-in fails with an error (a database outage, say)."""

    @sensitive_variables()
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        return super().authenticate(request, username=username, password=password, **kwargs)
