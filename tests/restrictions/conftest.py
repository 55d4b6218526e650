import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from restrictions.models import RestrictionSettings
from tests.conftest import ClientResponse

REDEEM_URL = "/api/v1/enrollments/redeem"

Restrict = Callable[..., RestrictionSettings]
Redeem = Callable[..., ClientResponse]


@pytest.fixture
def restrict(db: None) -> Restrict:
    """Save Admin > Enrollment restrictions with ``fields`` (the rest at their defaults)."""

    def save(**fields: Any) -> RestrictionSettings:
        rules = RestrictionSettings.load()
        for name, value in fields.items():
            setattr(rules, name, value)
        rules.save()
        return rules

    return save


def redeem_api(token: str, otp: str, **device: str) -> ClientResponse:
    """POST the redeem API as a device: ``device`` holds its facts (platform android unless given)."""
    body = {"token": token, "otp": otp, "device": {"platform": "android", **device}}
    return Client().post(REDEEM_URL, json.dumps(body), content_type="application/json")
