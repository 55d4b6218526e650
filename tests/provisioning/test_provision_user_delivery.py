"""Provision User on real parts: the form request → outbox rows → Redis → a real Celery worker →
the SMTP server and the Twilio stand-in. And with Redis itself stopped (the documented default:
REDIS_URL alone, so the cache and the broker are one Redis): the request still succeeds, and once
Redis is back the sweep sends the message exactly once."""

import pytest

from enrollment.links import activation_link
from enrollment.models import PendingEnrollment
from lib.cache import cache_settings
from notifications.delivery import messages_requeue_stuck
from notifications.models import Message, MessageStatus
from tests.conftest import client_for
from tests.notifications.test_delivery_with_worker import all_sent
from tests.outside import wait_for
from tests.provisioning.test_provision_user import URL, form_data
from tests.redis_and_celery import celery_broker, running_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ready(licences, admin_user, helpdesk_user, end_user, sender_label, totp_clock):
    # totp_clock: the authorizer (ada) enters the code of form_data, her authenticator's at the fixed time.
    return client_for(helpdesk_user)


def test_a_provision_request_reaches_the_admin_the_user_and_the_phone_through_a_real_worker(
    celery_worker_real, smtp, twilio, ready
):
    response = ready.post(URL, form_data(mobile="+491712345678"))

    assert response.status_code == 302
    enrollment = PendingEnrollment.objects.get(username="eve")
    link = activation_link(enrollment.token)
    received = smtp.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in received) == ["ada@onramp.test", "eve@example.com"]
    (user_mail,) = smtp.to("eve@example.com")
    assert user_mail.subject == "An Administrator has provisioned a device on your behalf"
    assert link in user_mail.body
    (sms,) = twilio.wait_for(1)
    assert (sms.to, sms.from_) == ("+491712345678", "Onramp")
    assert link in sms.body
    wait_for(all_sent, what="every message marked sent")
    assert Message.objects.count() == 3


def test_with_redis_stopped_provisioning_succeeds_and_the_sweep_sends_once_redis_is_back(
    own_redis, smtp, twilio, ready, settings
):
    settings.CACHES = {"default": cache_settings(own_redis.url)}
    with celery_broker(own_redis.url) as app:
        own_redis.stop()

        response = ready.post(URL, form_data(mobile="+491712345678"))

        assert response.status_code == 302
        assert PendingEnrollment.objects.filter(username="eve").exists()
        assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.QUEUED}
        assert smtp.messages == []

        own_redis.start()
        with running_worker(app):
            settings.NOTIFICATION_STUCK_SECONDS = 0
            assert messages_requeue_stuck() == 3
            smtp.wait_for(2)
            twilio.wait_for(1)
            wait_for(all_sent, what="every message marked sent")
            assert messages_requeue_stuck() == 0

    assert sorted(m.rcpt_tos[0] for m in smtp.messages) == ["ada@onramp.test", "eve@example.com"]
    assert [sms.to for sms in twilio.messages] == ["+491712345678"]
