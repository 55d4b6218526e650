from typing import Any

import pytest
from django.db import transaction

from audit.actor import Actor
from enrollment.services import CreatedEnrollment
from notifications.models import Message
from notifications.outbox import notify_enrollment_created


@pytest.fixture
def provision_eve(make_pending, admin_user):
    """What Provision User does for eve (email and mobile known): the pending enrollment and its
    messages in one transaction. Keyword arguments go to notify_enrollment_created."""

    def provision(**kwargs: Any) -> tuple[CreatedEnrollment, list[Message]]:
        with transaction.atomic():
            created = make_pending("eve", email="eve@example.com", mobile="+491712345678")
            messages = notify_enrollment_created(
                enrollment=created.enrollment, otp=created.otp, actor=Actor.for_user(admin_user), **kwargs
            )
        return created, messages

    return provision
