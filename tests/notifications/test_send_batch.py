"""send_messages sends a batch of outbox messages over one SMTP connection (SPEC Performance,
notifications), and still records each message's own outcome and retries."""

import pytest

from audit.actor import Actor
from notifications.models import Message, MessageStatus
from notifications.outbox import email_queue, enqueue_after_commit
from notifications.tasks import send_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_emails(admin_user):
    """Queue ``count`` emails (rows only: nothing is published) and return their ids."""

    def queue(count: int) -> list[int]:
        actor = Actor.for_user(admin_user)
        return [
            email_queue(to=f"user{i}@example.com", subject=f"Hello {i}", body=f"Body {i}", actor=actor).pk
            for i in range(count)
        ]

    return queue


def test_a_batch_of_emails_is_delivered_over_one_smtp_connection(queue_emails, smtp):
    ids = queue_emails(30)

    assert send_messages.delay(ids).get() == 30

    received = smtp.wait_for(30)
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(f"user{i}@example.com" for i in range(30))
    assert smtp.connections == 1
    rows = Message.objects.filter(pk__in=ids)
    assert {(r.status, r.attempts) for r in rows} == {(MessageStatus.SENT, 1)}
    assert all(r.sent_at and r.provider_id for r in rows)


def test_a_long_list_is_sent_in_batches_of_one_connection_each(queue_emails, smtp, settings,
                                                               django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SEND_BATCH_SIZE = 10
    ids = queue_emails(25)

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(ids)

    smtp.wait_for(25)
    assert smtp.connections == 3
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_refused_message_fails_on_its_own_while_the_rest_of_the_batch_is_sent(queue_emails, smtp, settings):
    settings.NOTIFICATION_MAX_RETRIES = 0
    smtp.refused.add("user3@example.com")
    ids = queue_emails(6)

    assert send_messages.delay(ids).get() == 5

    assert len(smtp.messages) == 5
    assert smtp.connections == 1
    refused = Message.objects.get(recipient="user3@example.com")
    assert refused.status == MessageStatus.FAILED
    assert "Mailbox unavailable" in refused.error
    assert refused.attempts == 1
    assert set(Message.objects.exclude(pk=refused.pk).values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_refused_message_is_retried_with_the_usual_backoff(queue_emails, smtp, settings):
    settings.NOTIFICATION_MAX_RETRIES = 2
    smtp.refused.add("user1@example.com")
    ids = queue_emails(3)

    send_messages.delay(ids)  # eager: the retries run at once

    refused = Message.objects.get(recipient="user1@example.com")
    assert refused.status == MessageStatus.FAILED
    assert refused.attempts == 3
    assert len(smtp.messages) == 2


def test_an_unreachable_mail_server_leaves_every_message_of_the_batch_to_its_retries(queue_emails, settings):
    from tests.outside import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.NOTIFICATION_MAX_RETRIES = 0
    ids = queue_emails(3)

    assert send_messages.delay(ids).get() == 0

    rows = list(Message.objects.filter(pk__in=ids))
    assert {r.status for r in rows} == {MessageStatus.FAILED}
    assert all("Connection refused" in r.error for r in rows)


def test_a_message_in_two_batches_is_sent_once(queue_emails, smtp):
    ids = queue_emails(4)

    assert send_messages.delay(ids).get() == 4
    assert send_messages.delay(ids).get() == 0

    assert len(smtp.messages) == 4


def test_sent_marks_are_written_in_groups_each_with_its_own_message_id(queue_emails, smtp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.delivery import SENT_MARK_GROUP

    ids = queue_emails(2 * SENT_MARK_GROUP + 3)

    with CaptureQueriesContext(connection) as queries:
        assert send_messages.delay(ids).get() == len(ids)

    marks = [q["sql"] for q in queries.captured_queries
             if 'UPDATE "notifications_message" SET status' in q["sql"] and "'sent'" in q["sql"]]
    assert len(marks) == 3  # two full groups and the rest when the batch's connections close
    received = {m.rcpt_tos[0]: str(m.message["Message-ID"]) for m in smtp.wait_for(len(ids))}
    for row in Message.objects.filter(pk__in=ids):
        assert row.status == MessageStatus.SENT and row.sent_at
        assert row.provider_id == received[row.recipient]


def test_messages_sent_before_a_failure_in_their_group_are_marked_sent(queue_emails, smtp, settings):
    settings.NOTIFICATION_MAX_RETRIES = 0
    smtp.refused.add("user2@example.com")
    ids = queue_emails(4)

    assert send_messages.delay(ids).get() == 3

    statuses = dict(Message.objects.filter(pk__in=ids).values_list("recipient", "status"))
    assert statuses == {"user0@example.com": MessageStatus.SENT, "user1@example.com": MessageStatus.SENT,
                        "user2@example.com": MessageStatus.FAILED, "user3@example.com": MessageStatus.SENT}
