"""Per-IP rate limit on redemption (the activation page POST and the redeem API)."""

from django.conf import settings

from lib.ratelimit import Decision, hit


def redeem_hit(ip: str | None) -> Decision:
    return hit("redeem", ip or "-", settings.RATE_LIMIT_REDEEM)
