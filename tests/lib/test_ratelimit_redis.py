"""lib.ratelimit on Redis (lib.cache): a window's counter is one Redis key, counted by INCR and
created with its expiry in the same round trip; undo takes one back."""

import pytest

from lib import ratelimit
from tests.redis_and_celery import redis_cache  # noqa: F401 - fixture

NOW = 1_000_000.0  # a window of 60 s starts here (a multiple of 60 would too: 999,960)


def test_each_hit_counts_once_in_one_key_that_expires_after_its_window(redis_cache):  # noqa: F811
    decisions = [ratelimit.hit("t", "10.0.0.1", "2/60", now=NOW + i) for i in range(3)]
    assert [(d.allowed, d.count, d.first_refusal) for d in decisions] == [(True, 1, False), (True, 2, False),
                                                                            (False, 3, True)]
    keys = redis_cache.keys("rl:t:10.0.0.1:*")
    assert len(keys) == 1 and redis_cache.values("rl:t:10.0.0.1:*") == [b"3"]
    assert 0 < redis_cache.client.ttl(keys[0]) <= 65  # the window's 60 s and 5 to spare


def test_undo_takes_a_count_back_and_another_address_counts_apart(redis_cache):  # noqa: F811
    ratelimit.hit("t", "10.0.0.2", "5/60", now=NOW)
    ratelimit.hit("t", "10.0.0.2", "5/60", now=NOW)
    ratelimit.undo("t", "10.0.0.2", "5/60", now=NOW)
    assert ratelimit.hit("t", "10.0.0.2", "5/60", now=NOW).count == 2
    assert ratelimit.hit("t", "10.0.0.3", "5/60", now=NOW).count == 1
    assert ratelimit.hit("t", "10.0.0.2", "5/60", now=NOW + 60).count == 1  # the next window


@pytest.mark.django_db
def test_the_redeem_api_counts_through_it(redis_cache, settings, client):  # noqa: F811
    settings.RATE_LIMIT_REDEEM = "1/60"
    body = '{"token": "' + "x" * 32 + '", "otp": "12345678", "device": {"platform": "android"}}'
    codes = [client.post("/api/v1/enrollments/redeem", body, content_type="application/json",
                         REMOTE_ADDR="10.9.9.9").status_code for _ in range(2)]
    assert codes == [404, 429]
    assert redis_cache.values("rl:redeem:10.9.9.9:*") == [b"2"]
