"""The client IP behind proxies: only the entries our own proxies appended to X-Forwarded-For
count (TRUSTED_PROXY_COUNT, from the right); what the client put to their left is never used, not
for the audit log and not for the per-IP rate limit."""

import json

import pytest
from django.test import Client

from audit.actor import Actor, client_ip
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

REDEEM = "/api/v1/enrollments/redeem"


@pytest.mark.parametrize(("proxies", "forwarded", "remote", "expected"), [
    # No trusted proxy: the header is the client's to write, so it is ignored.
    (0, "203.0.113.5", "198.51.100.1", "198.51.100.1"),
    # One proxy that appends: the last entry is what it saw; the forged entry left of it is ignored.
    (1, "203.0.113.66, 198.51.100.7", "10.0.0.2", "198.51.100.7"),
    (1, "198.51.100.7", "10.0.0.2", "198.51.100.7"),
    # A load balancer and nginx: the client is the second entry from the right.
    (2, "203.0.113.66, 198.51.100.7, 10.0.0.9", "10.0.0.2", "198.51.100.7"),
    # Fewer entries than proxies configured: the request bypassed a proxy; the socket's address.
    (2, "198.51.100.7", "10.0.0.2", "10.0.0.2"),
    # No header at all.
    (1, None, "10.0.0.2", "10.0.0.2"),
])
def test_the_client_ip_is_counted_from_the_right_by_the_trusted_proxies(
    rf, settings, proxies, forwarded, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    assert client_ip(rf.get("/", REMOTE_ADDR=remote, **extra)) == expected


def test_an_actor_from_a_request_carries_the_trusted_ip(rf, settings, admin_user):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.44")
    request.user = admin_user
    assert Actor.from_request(request).ip == "192.0.2.44"


def test_a_forged_leftmost_entry_neither_escapes_the_redeem_limit_nor_reaches_the_audit_log(settings):
    """As nginx with $proxy_add_x_forwarded_for passes it on: the client's own X-Forwarded-For,
    then the address nginx saw (127.0.0.1 here)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMIT_REDEEM = "30/60"
    client = Client()
    body = json.dumps({"token": "x" * 32, "otp": "12345678", "device": {"platform": "android"}})

    statuses = [
        client.post(REDEEM, body, content_type="application/json",
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 127.0.0.1").status_code
        for n in range(100)
    ]

    assert statuses.count(404) == 30
    assert statuses.count(429) == 70
    assert set(AuditEntry.objects.values_list("ip", flat=True)) == {"127.0.0.1"}
