"""The sweep (Celery beat) re-queues messages stuck in queued or sending, and leaves the rest alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Message, MessageStatus
from notifications.tasks import requeue_stuck_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(provision_eve):
    provision_eve(notify_admins=False, sms_user=False)
    return Message.objects.get()


def age(message: Message, seconds: int, **fields: object) -> None:
    past = timezone.now() - timedelta(seconds=seconds)
    Message.objects.filter(pk=message.pk).update(queued_at=past, claimed_at=past, **fields)


def test_a_message_stuck_in_queued_is_sent_by_the_sweep(message, smtp, django_capture_on_commit_callbacks):
    age(message, 121)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_messages.delay().get() == 1

    (received,) = smtp.wait_for(1)
    assert received.rcpt_tos == ["eve@example.com"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_message_stuck_in_sending_goes_back_to_queued_and_is_sent(
    message, smtp, django_capture_on_commit_callbacks
):
    age(message, 3600, status=MessageStatus.SENDING)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_messages.delay().get() == 1

    smtp.wait_for(1)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_freshly_queued_message_is_left_alone(message, django_capture_on_commit_callbacks):
    age(message, 30)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert requeue_stuck_messages.delay().get() == 0

    assert callbacks == []


def test_a_message_waiting_for_its_retry_is_left_alone(message, django_capture_on_commit_callbacks):
    # A retry sets queued_at to when it is due, in the future.
    Message.objects.filter(pk=message.pk).update(queued_at=timezone.now() + timedelta(seconds=240))

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_messages.delay().get() == 0


def test_a_message_sending_for_a_short_while_is_left_alone(message, django_capture_on_commit_callbacks):
    age(message, 300, status=MessageStatus.SENDING)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_messages.delay().get() == 0

    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


@pytest.mark.parametrize("status", [MessageStatus.SENT, MessageStatus.FAILED])
def test_sent_and_failed_messages_are_never_requeued(message, status, django_capture_on_commit_callbacks):
    age(message, 100_000, status=status)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_messages.delay().get() == 0

    message.refresh_from_db()
    assert message.status == status


def test_the_sweep_runs_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-requeue-stuck"]
    assert entry["task"] == "notifications.tasks.requeue_stuck_messages"
