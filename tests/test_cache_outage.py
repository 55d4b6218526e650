"""A Redis outage fails nothing a person does. The cache is the documented default (REDIS_URL
alone: lib.cache on a real redis-server of the test's own), and that Redis is stopped: sign-in,
the portal, redemption, View OTP with its QR code and Provision User all answer as usual, the
counters fail open, and the outage is logged as a warning."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from enrollment.models import Device, PendingEnrollment
from lib.cache import FailOpenRedisCache, cache_settings
from tests.conftest import PASSWORD, client_for
from tests.provisioning.test_provision_user import URL as PROVISION_URL
from tests.provisioning.test_provision_user import form_data

pytestmark = pytest.mark.django_db

WARNING = "Cache unavailable"


@pytest.fixture
def redis_down(own_redis, settings, caplog):
    settings.CACHES = {"default": cache_settings(own_redis.url)}
    cache.set("before-the-outage", 1)
    assert cache.get("before-the-outage") == 1  # the real Redis answers
    own_redis.stop()
    FailOpenRedisCache._last_warning = 0.0
    caplog.set_level(logging.WARNING, logger="lib.cache")
    return caplog


def warned(caplog: pytest.LogCaptureFixture) -> bool:
    return any(WARNING in record.getMessage() for record in caplog.records)


def test_console_sign_in_works_and_the_outage_is_logged(redis_down, helpdesk_user):
    assert Client().post("/login/", {"username": "hal", "password": "wrong"}).status_code == 200
    assert Client().post("/login/", {"username": "hal", "password": PASSWORD}).status_code == 302
    assert warned(redis_down)


def test_portal_sign_in_works(redis_down, end_user):
    response = Client().post("/portal/login/", {"username": "eve", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/portal/")


def test_a_device_redeems(redis_down, make_pending):
    created = make_pending()
    response = Client().post("/api/v1/enrollments/redeem", json.dumps(
        {"token": created.enrollment.token, "otp": created.otp, "device": {"platform": "android"}}),
        content_type="application/json")
    assert response.status_code == 201
    assert Device.objects.count() == 1


def test_view_otp_and_its_qr_code_render(redis_down, make_pending, helpdesk_user):
    token = make_pending().enrollment.token
    client = client_for(helpdesk_user)
    assert client.get(f"/devices/pending/{token}/").status_code == 200
    image = client.get(f"/devices/pending/{token}/qr.png")
    assert (image.status_code, image.content[:8]) == (200, b"\x89PNG\r\n\x1a\n")


def test_provision_user_creates_the_enrollment(redis_down, licences, admin_user, helpdesk_user, end_user, totp_clock):
    response = client_for(helpdesk_user).post(PROVISION_URL, form_data())
    assert response.status_code == 302
    assert PendingEnrollment.objects.filter(username="eve").exists()
    assert warned(redis_down)
