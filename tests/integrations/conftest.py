"""API keys for the integration API's tests, and a client that sends one."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.actor import Actor
from integrations.models import Scope
from integrations.services import api_key_create
from tests.conftest import ClientResponse

ALL_SCOPES = list(Scope.values)
MakeKey = Callable[..., str]


@pytest.fixture
def make_key(admin_user: User) -> MakeKey:
    """make_key(*scopes, name=..., expires_at=...): a new key (every scope when none are named)."""
    made = iter(range(1, 1000))

    def make(*scopes: str, name: str = "", **kwargs: Any) -> str:
        created = api_key_create(actor=Actor.for_user(admin_user), name=name or f"HR system {next(made)}",
                                 scopes=list(scopes) or ALL_SCOPES, **kwargs)
        return created.key

    return make


class Api:
    """Calls the API with one key (or none), JSON in and out."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.key}"} if self.key is not None else {}
        return {**base, **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> ClientResponse:
        return self.client.get(path, params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None, **headers: str) -> ClientResponse:
        import json

        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(path, data, content_type="application/json", headers=self.headers(headers))

    def delete(self, path: str, **headers: str) -> ClientResponse:
        return self.client.delete(path, headers=self.headers(headers))


@pytest.fixture
def api(make_key: MakeKey) -> Callable[..., Api]:
    """api(*scopes): a client with a new key of those scopes (all when none); api(key=None) sends no key."""

    def make(*scopes: str, key: str | None = "") -> Api:
        return Api(make_key(*scopes) if key == "" else key)

    return make
