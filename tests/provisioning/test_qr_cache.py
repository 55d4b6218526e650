"""QR images of provisioning codes hold the Wi-Fi password and, for Automatic codes, the token and
OTP: the cache (Redis, which writes to disk) holds them sealed only, and drops them when the code
is deleted or its OTP reset."""

import pytest
from django.test import Client

from enrollment.models import PendingEnrollment
from lib.crypto import unseal
from provisioning.models import QrProvisioning
from tests.conftest import client_for
from tests.provisioning.test_qr_manage import WIFI, make_qr  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def view_both_images(client: Client, qr: QrProvisioning) -> None:
    for fmt in ("png", "svg"):
        response = client.get(f"/devices/pending/qr/{qr.pk}/qr.{fmt}")
        assert response.status_code == 200


def test_it_never_caches_the_wifi_password_token_or_otp_in_plain_text(redis_cache, make_qr, admin_user):  # noqa: F811
    qr = make_qr()
    enrollment = PendingEnrollment.objects.get()
    view_both_images(client_for(admin_user), qr)

    values = redis_cache.values("qr:*")
    assert len(values) == 2
    secrets = [WIFI.password, unseal(enrollment.otp_ciphertext), enrollment.token, unseal(qr.payload_sealed)]
    for raw in values:
        for secret in secrets:
            assert secret.encode() not in raw
        assert b"\x89PNG" not in raw and b"<svg" not in raw
    for key in redis_cache.keys():
        assert enrollment.token.encode() not in key


def test_it_drops_the_cached_images_when_an_automatic_code_is_deleted(
        redis_cache, make_qr, admin_user, django_capture_on_commit_callbacks):  # noqa: F811
    qr = make_qr()
    client = client_for(admin_user)
    view_both_images(client, qr)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/devices/pending/qr/{qr.pk}/delete/")

    assert response.status_code == 302
    assert redis_cache.keys("qr:*") == []


def test_it_drops_the_cached_images_when_a_portal_code_is_deleted(
        redis_cache, make_qr, admin_user, django_capture_on_commit_callbacks):  # noqa: F811
    qr = make_qr(option="portal", username="", usage_count=0)
    client = client_for(admin_user)
    view_both_images(client, qr)
    assert len(redis_cache.keys("qr:*")) == 2

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/devices/pending/qr/{qr.pk}/delete/")

    assert redis_cache.keys("qr:*") == []


def test_it_drops_the_cached_images_when_the_otp_of_an_automatic_code_is_reset(
        redis_cache, make_qr, admin_user, django_capture_on_commit_callbacks):  # noqa: F811
    qr = make_qr()
    client = client_for(admin_user)
    view_both_images(client, qr)
    assert client.get(f"/devices/pending/{qr.enrollment_token}/qr.png").status_code == 200
    assert len(redis_cache.keys("qr:*")) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/devices/pending/{qr.enrollment_token}/reset/")

    assert response.status_code == 302
    assert redis_cache.keys("qr:*") == []


def test_it_caches_the_png_checked_at_creation_so_the_first_view_does_not_draw_it_again(
        redis_cache, make_qr, admin_user, monkeypatch):  # noqa: F811
    qr = make_qr()
    assert len(redis_cache.keys("qr:*")) == 1


    def refuse(*args, **kwargs):
        raise AssertionError("drawn twice")

    monkeypatch.setattr("qrcode.QRCode", refuse)
    assert client_for(admin_user).get(f"/devices/pending/qr/{qr.pk}/qr.png").status_code == 200
