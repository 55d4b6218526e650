import json

from django.test import Client

from tests.conftest import ClientResponse

REDEEM_URL = "/api/v1/enrollments/redeem"

def redeem_api(token: str, otp: str, **device: str) -> ClientResponse:
    """POST the redeem API as a device: ``device`` holds its facts (platform android unless given)."""
    body = {"token": token, "otp": otp, "device": {"platform": "android", **device}}
    return Client().post(REDEEM_URL, json.dumps(body), content_type="application/json")
