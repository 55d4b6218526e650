"""Webhook secrets and signatures, the Standard Webhooks way (the ``standardwebhooks`` package):
``webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`` under the
endpoint's secret ``whsec_<base64 of 32 random bytes>``."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from math import floor

from django.views.decorators.debug import sensitive_variables
from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


@sensitive_variables()
def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@sensitive_variables("secret")
def signed_headers(*, secret: str, webhook_id: str, body: str, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``at`` (an aware datetime)."""
    at = at.astimezone(UTC)  # the package reads the time as UTC whatever its zone
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body),
    }
