from typing import Any

from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        checks.register(check_delivery_settings)


SEND_TASK_TIME_LIMIT = 120  # the hard time limit of notifications.tasks.send_message and send_messages, seconds


def check_delivery_settings(**_: Any) -> list[checks.CheckMessage]:
    """The sweep may only take back a message in "sending" once no worker can still be sending it."""
    from django.conf import settings

    errors: list[checks.CheckMessage] = []
    if settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS <= SEND_TASK_TIME_LIMIT:
        errors.append(checks.Error(
            f"NOTIFICATION_SENDING_TIMEOUT_SECONDS must be longer than the send task's time limit "
            f"({SEND_TASK_TIME_LIMIT}s), or a message could be sent twice.", id="notifications.E001"))
    if settings.NOTIFICATION_MAX_RETRIES < 0 or settings.NOTIFICATION_RETRY_BASE_SECONDS < 1:
        errors.append(checks.Error(
            "NOTIFICATION_MAX_RETRIES must be 0 or more and NOTIFICATION_RETRY_BASE_SECONDS at least 1.",
            id="notifications.E002"))
    if settings.NOTIFICATION_SEND_BATCH_SIZE < 1:
        errors.append(checks.Error("NOTIFICATION_SEND_BATCH_SIZE must be at least 1.", id="notifications.E004"))
    if settings.NOTIFICATION_STUCK_SECONDS < 1:
        errors.append(checks.Error("NOTIFICATION_STUCK_SECONDS must be at least 1.", id="notifications.E003"))
    return errors
