from typing import Any

from django.apps import AppConfig
from django.core import checks

SEND_TASK_TIME_LIMIT = 300  # the hard time limit of webhooks.tasks.deliver_webhook(s), seconds


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        checks.register(check_webhook_settings)


def check_webhook_settings(**_: Any) -> list[checks.CheckMessage]:
    """The sweep may only take back a delivery in "sending" once no worker can still be sending it."""
    from django.conf import settings

    errors: list[checks.CheckMessage] = []
    if settings.WEBHOOK_SENDING_TIMEOUT_SECONDS <= SEND_TASK_TIME_LIMIT:
        errors.append(checks.Error(
            f"WEBHOOK_SENDING_TIMEOUT_SECONDS must be longer than the delivery task's time limit "
            f"({SEND_TASK_TIME_LIMIT}s), or a delivery could be sent twice.", id="webhooks.E001"))
    base, longest = settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS
    if base < 1 or longest < base:
        errors.append(checks.Error(
            "WEBHOOK_RETRY_BASE_SECONDS must be at least 1 and WEBHOOK_RETRY_MAX_SECONDS at least as long.",
            id="webhooks.E002"))
    if settings.WEBHOOK_RETRY_HOURS < 0 or settings.WEBHOOK_STUCK_SECONDS < 1 or settings.WEBHOOK_SEND_BATCH_SIZE < 1:
        errors.append(checks.Error("WEBHOOK_RETRY_HOURS must be 0 or more, WEBHOOK_STUCK_SECONDS and "
                                   "WEBHOOK_SEND_BATCH_SIZE at least 1.", id="webhooks.E003"))
    if not 1 <= settings.WEBHOOK_TIMEOUT_SECONDS <= SEND_TASK_TIME_LIMIT // 4:
        errors.append(checks.Error(f"WEBHOOK_TIMEOUT_SECONDS must be between 1 and {SEND_TASK_TIME_LIMIT // 4}.",
                                   id="webhooks.E004"))
    return errors
