"""Site-wide hardening (SPEC "Reliability and security"): a Content-Security-Policy without inline
script, a Permissions-Policy, no inline script or style in any template, and Cache-Control: no-store on
every response that shows an OTP, a token with its OTP, a QR code or an export."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.conftest import client_for
from tests.enrollment.test_portal import signed_in
from tests.provisioning.bulk_support import uploaded
from tests.provisioning.test_qr_manage import make_qr  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_it_sends_a_content_security_policy_that_allows_no_inline_script_or_style() -> None:
    header = Client().get("/login/")["Content-Security-Policy"]

    policy = directives(header)
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == ["'self'"]
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header


def test_it_sends_a_permissions_policy_that_turns_off_camera_microphone_and_geolocation() -> None:
    header = Client().get("/login/")["Permissions-Policy"]

    features = dict(item.strip().split("=", 1) for item in header.split(","))
    assert {name: features.get(name) for name in ("camera", "microphone", "geolocation", "payment", "usb")} \
        == dict.fromkeys(("camera", "microphone", "geolocation", "payment", "usb"), "()")


@pytest.mark.parametrize("path", ["/login/", "/portal/login/", f"/enroll/{'A' * 32}/", "/healthz", "/devices/"])
def test_it_sends_both_policies_on_console_portal_device_and_refusal_pages(path: str, outsider: User) -> None:
    response = client_for(outsider).get(path)

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


# An inline <script>, a <style> block, a style="" attribute, an on...="" handler or a javascript: URL:
# each is refused by the policy above.
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_it_keeps_inline_script_style_and_handlers_out_of_every_template() -> None:
    templates = sorted((settings.BASE_DIR / "templates").rglob("*.html"))
    found = {str(path.relative_to(settings.BASE_DIR)): INLINE.findall(path.read_text()) for path in templates}

    assert templates
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_it_marks_every_response_showing_an_otp_a_qr_code_or_an_export_no_store(
        admin_user, end_user, make_pending, make_qr, django_capture_on_commit_callbacks):  # noqa: F811
    console = client_for(admin_user)
    token = make_pending("alice").enrollment.token
    qr = make_qr()
    job = uploaded(console, [["username"], ["ann"]])
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/devices/pending/bulk/{job.pk}/start/")
    portal = signed_in(end_user)
    portal_token = portal.post("/portal/", {"mobile": "", "ownership": ""})["Location"].split("/")[-2]
    device_token = make_pending("bob").enrollment.token
    redeemed = make_pending("carol")

    responses = {
        "View OTP": console.get(f"/devices/pending/{token}/"),
        "View OTP QR PNG": console.get(f"/devices/pending/{token}/qr.png"),
        "View OTP QR SVG download": console.get(f"/devices/pending/{token}/qr.svg", {"download": "1"}),
        "Provisioned User Details": console.get(f"/devices/pending/{token}/provisioned/"),
        "QR code detail": console.get(f"/devices/pending/qr/{qr.pk}/"),
        "QR code detail revealed": console.get(f"/devices/pending/qr/{qr.pk}/", {"reveal": "1"}),
        "QR code PNG": console.get(f"/devices/pending/qr/{qr.pk}/qr.png"),
        "QR code SVG download": console.get(f"/devices/pending/qr/{qr.pk}/qr.svg", {"download": "1"}),
        "bulk export": console.get(f"/devices/pending/bulk/{job.pk}/export.csv"),
        "audit export": console.get("/audit/export.csv"),
        "portal enrollment": portal.get(f"/portal/enrollments/{portal_token}/"),
        "portal QR": portal.get(f"/portal/enrollments/{portal_token}/qr.png"),
        "activation page": Client().get(f"/enroll/{device_token}/"),
        "activation page, wrong OTP": Client().post(f"/enroll/{device_token}/", {"platform": "android",
                                                                                 "otp": "wrong"}),
        "redeem API": Client().post("/api/v1/enrollments/redeem", json.dumps(
            {"token": redeemed.enrollment.token, "otp": redeemed.otp, "device": {"platform": "android"}}),
            content_type="application/json"),
    }

    assert {name: response.status_code for name, response in responses.items()} \
        == {**dict.fromkeys(responses, 200), "activation page, wrong OTP": 401, "redeem API": 201}
    assert {name: "no-store" in response.get("Cache-Control", "") for name, response in responses.items()} \
        == dict.fromkeys(responses, True)


def test_it_shows_its_own_csrf_failure_page_without_inline_style(db: None) -> None:
    """Django's built-in CSRF failure page carries an inline <style> the CSP would block."""
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "hal", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in html
    assert "<style" not in html and "style=" not in html
