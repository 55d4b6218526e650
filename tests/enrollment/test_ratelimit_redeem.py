"""Per-IP rate limit on the redeem API and the activation page: 429 with Retry-After, counted
in Django's cache (Redis in production; here the suite's real Redis as well)."""

import json
import secrets

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from audit.models import AuditAction, AuditEntry
from lib import ratelimit

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/enrollments/redeem"
BODY = json.dumps({"token": "x" * 32, "otp": "12345678", "device": {"platform": "android"}})


@pytest.fixture
def redis_cache(settings):
    """The real Redis as the cache. Never cleared (FLUSHDB would hit whatever else uses that
    database): the test counts for an address of its own instead."""
    if not django_settings.TEST_REDIS_URL:
        pytest.fail("Run with REDIS_URL set: this test needs the real Redis.")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": django_settings.TEST_REDIS_URL, "KEY_PREFIX": "portal-tests"}}


def test_the_api_answers_429_with_retry_after_past_the_limit(settings):
    settings.RATE_LIMIT_REDEEM = "3/60"
    client = Client()
    codes = [client.post(URL, BODY, content_type="application/json").status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    response = client.post(URL, BODY, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # One audit entry for the refusals of a window, not one per request of a flood.
    assert AuditEntry.objects.filter(action=AuditAction.REDEEM_REFUSED, details__reason="rate_limited").count() == 1


def test_the_limit_is_per_ip(settings):
    settings.RATE_LIMIT_REDEEM = "1/60"
    client = Client()
    assert client.post(URL, BODY, content_type="application/json", REMOTE_ADDR="10.0.0.1").status_code == 404
    assert client.post(URL, BODY, content_type="application/json", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(URL, BODY, content_type="application/json", REMOTE_ADDR="10.0.0.2").status_code == 404


def test_the_activation_page_shares_the_limit_and_answers_429(settings, make_pending):
    settings.RATE_LIMIT_REDEEM = "2/60"
    made = make_pending("alice")
    client = Client()
    page = f"/enroll/{made.enrollment.token}/"
    form = {"platform": "android", "otp": "wrong"}
    assert client.post(page, form).status_code == 401
    assert client.post(URL, BODY, content_type="application/json").status_code == 404
    response = client.post(page, form)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert b"Too many attempts" in response.content


def test_the_limit_counts_in_redis(redis_cache, settings):
    settings.RATE_LIMIT_REDEEM = "2/60"
    address = "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))
    client = Client()
    codes = [client.post(URL, BODY, content_type="application/json", REMOTE_ADDR=address).status_code
             for _ in range(3)]
    assert codes == [404, 404, 429]
    # The counter lives in Redis (Django's key: "<prefix>:<version>:rl:redeem:<ip>:<window>").
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    keys = backend._cache.get_client().keys(f"portal-tests:*:rl:redeem:{address}:*")
    assert len(keys) == 1


def test_a_new_window_allows_again():
    assert ratelimit.hit("t", "ip", "1/10", now=100.0).allowed
    refused = ratelimit.hit("t", "ip", "1/10", now=105.5)
    assert not refused.allowed and refused.retry_after == 5
    assert ratelimit.hit("t", "ip", "1/10", now=110.0).allowed


def test_a_malformed_rate_fails_clearly():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="count/seconds"):
        ratelimit.parse_rate("thirty")
