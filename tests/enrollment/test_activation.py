"""The activation page /enroll/<token>/: platform detection, steps, OTP, device form, outcomes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enrollment.activation_views import detect
from enrollment.models import Device, OtpPolicy, PendingEnrollment, PortalSettings, State

pytestmark = [pytest.mark.django_db]

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/122.0.0.0 Mobile Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.4 Mobile/15E148 Safari/604.1")
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15"
REDUCED_ANDROID = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
                   "Mobile Safari/537.36")
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36"


@pytest.mark.parametrize("ua, platform, os_version, model", [
    (ANDROID, "android", "14", "Pixel 8"),
    (IPHONE, "ios", "17.4", "iPhone"),
    # Frozen user agents tell no real version: the person enters it (a minimum OS version would refuse
    # Android 10, macOS 10.15.7 or Windows 10.0 on an up-to-date device).
    (MAC, "macos", "", "Mac"),
    (WINDOWS, "windows", "", ""),
    (REDUCED_ANDROID, "android", "", ""),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15", "macos", "10.14.6", "Mac"),
    ("Mozilla/5.0 (Windows NT 6.1; Win64; x64)", "windows", "6.1", ""),
    ("curl/8.0", "", "", ""),
])
def test_it_detects_the_platform_from_the_user_agent(ua, platform, os_version, model):
    facts = detect(ua)
    assert (facts.platform, facts.os_version, facts.model) == (platform, os_version, model)


@pytest.mark.smoke
def test_it_shows_the_android_steps_and_asks_for_the_otp(make_pending):
    made = make_pending("alice")
    response = Client().get(f"/enroll/{made.enrollment.token}/", HTTP_USER_AGENT=ANDROID)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Companion app" in html and 'name="otp"' in html
    assert response.context["form"].initial == {"platform": "android", "os_version": "14", "model": "Pixel 8"}


def test_a_manual_choice_overrides_the_detected_platform(make_pending):
    made = make_pending("alice")
    response = Client().get(f"/enroll/{made.enrollment.token}/?platform=windows", HTTP_USER_AGENT=ANDROID)
    assert response.context["platform"] == "windows"
    assert 'type="hidden" name="platform" value="windows"' in response.content.decode()
    assert response.context["after_steps"][0].startswith("Open Settings > Accounts > Access work or school")


def test_it_enrolls_through_the_form(make_pending):
    made = make_pending("alice", ownership="corporate")
    response = Client().post(f"/enroll/{made.enrollment.token}/", {
        "platform": "ios", "otp": made.otp, "serial_number": "F2LXK", "model": "iPhone 15", "os_version": "17.4",
    }, HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200
    assert "Device enrolled" in response.content.decode()
    device = Device.objects.get()
    assert (device.username, device.platform, device.serial_number, device.ownership) == (
        "alice", "ios", "F2LXK", "corporate")
    assert not PendingEnrollment.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_ENROLLED)
    assert entry.details["channel"] == "activation_page" and entry.user_agent == IPHONE


def test_a_wrong_otp_says_how_many_tries_are_left(make_pending):
    made = make_pending("alice")
    response = Client().post(f"/enroll/{made.enrollment.token}/", {"platform": "android", "otp": "nope"})
    assert response.status_code == 401
    assert "The OTP is not correct. 4 attempts left." in response.content.decode()


def test_the_last_wrong_try_locks_and_the_page_says_so(make_pending):
    policy = OtpPolicy.load()
    policy.max_attempts = 1
    policy.save()
    made = make_pending("alice")
    client = Client()
    last_try = client.post(f"/enroll/{made.enrollment.token}/", {"platform": "android", "otp": "nope"})
    assert "This enrollment is locked" in last_try.content.decode()
    assert "attempts left" not in last_try.content.decode()
    response = client.get(f"/enroll/{made.enrollment.token}/")
    assert response.status_code == 423
    assert "This enrollment is locked" in response.content.decode()


@pytest.mark.parametrize("change, status, text", [
    ({"state": State.EXPIRED}, 410, "This enrollment has expired"),
    ({"otp_expires_at": timezone.now() - timedelta(minutes=1)}, 410, "This enrollment has expired"),
    ({"state": State.LOCKED}, 423, "This enrollment is locked"),
])
def test_it_tells_expired_and_locked_entries_apart(make_pending, change, status, text):
    made = make_pending("alice")
    PendingEnrollment.objects.filter(pk=made.enrollment.pk).update(**change)
    response = Client().get(f"/enroll/{made.enrollment.token}/")
    assert response.status_code == status and text in response.content.decode()


def test_an_unknown_link_and_a_used_up_link_are_told_apart(make_pending):
    made = make_pending("alice")
    client = Client()
    client.post(f"/enroll/{made.enrollment.token}/", {"platform": "android", "otp": made.otp})
    used = client.get(f"/enroll/{made.enrollment.token}/")
    assert used.status_code == 410 and "This enrollment is used up" in used.content.decode()
    unknown = client.get("/enroll/" + "u" * 32 + "/")
    assert unknown.status_code == 404 and "This enrollment link is not valid" in unknown.content.decode()


def test_without_simple_enrollment_otp_the_page_enrolls_without_asking(make_pending):
    settings_row = PortalSettings.load()
    settings_row.ask_otp_on_activation = False
    settings_row.save()
    made = make_pending("alice")
    client = Client()
    page = client.get(f"/enroll/{made.enrollment.token}/", HTTP_USER_AGENT=WINDOWS).content.decode()
    assert 'name="otp"' not in page
    assert "Press Enroll this device." in page and "Enter the OTP" not in page
    response = client.post(f"/enroll/{made.enrollment.token}/", {"platform": "windows"})
    assert response.status_code == 200 and Device.objects.get().platform == "windows"


def test_the_api_still_needs_the_otp_when_the_page_does_not(make_pending):
    import json

    settings_row = PortalSettings.load()
    settings_row.ask_otp_on_activation = False
    settings_row.save()
    made = make_pending("alice")
    response = Client().post("/api/v1/enrollments/redeem",
                             json.dumps({"token": made.enrollment.token, "device": {"platform": "android"}}),
                             content_type="application/json")
    assert response.status_code == 400 and not Device.objects.exists()


def test_a_missing_platform_is_asked_for(make_pending):
    made = make_pending("alice")
    response = Client().post(f"/enroll/{made.enrollment.token}/", {"otp": made.otp})
    assert response.status_code == 400
    assert "Choose your device above first." in response.content.decode()
    assert PendingEnrollment.objects.exists()


def test_the_page_has_one_heading_and_labelled_inputs(make_pending):
    made = make_pending("alice")
    html = Client().get(f"/enroll/{made.enrollment.token}/", HTTP_USER_AGENT=ANDROID).content.decode()
    assert html.count("<h1") == 1
    assert 'for="platform-choice"' in html
    for field in ("otp", "serial_number", "model", "os_version"):
        assert f'for="id_{field}"' in html


def test_the_page_has_one_device_picker_and_no_text_meant_for_admins(make_pending):
    html = Client().get(f"/enroll/{make_pending('alice').enrollment.token}/",
                        HTTP_USER_AGENT=ANDROID).content.decode()
    assert html.count("<select") == 1
    assert 'type="hidden" name="platform" value="android"' in html
    assert "Open the link in the SMS" not in html and "The user is first asked" not in html


def test_the_android_steps_link_to_the_companion_app(make_pending):
    from provisioning.models import DpcSettings

    dpc = DpcSettings.load()
    dpc.component_name = "com.acme.mdm/.AdminReceiver"
    dpc.download_url = "https://mdm.acme.test/companion.apk"
    dpc.save()
    html = Client().get(f"/enroll/{make_pending('alice').enrollment.token}/",
                        HTTP_USER_AGENT=ANDROID).content.decode()
    assert 'href="https://play.google.com/store/apps/details?id=com.acme.mdm"' in html
    assert 'href="https://mdm.acme.test/companion.apk"' in html


def test_after_enrolling_the_page_says_what_comes_next_not_what_came_before(make_pending):
    made = make_pending("alice")
    done = Client().post(f"/enroll/{made.enrollment.token}/", {"platform": "ios", "otp": made.otp}).content.decode()
    assert "Device enrolled" in done
    assert "Open Settings &gt; Profile Downloaded and install it." in done
    assert "Enter the OTP" not in done and "press Enroll this device" not in done


def test_a_wrong_otp_is_summarised_at_the_top_and_the_summary_takes_the_focus(make_pending):
    made = make_pending("alice")
    html = Client().post(f"/enroll/{made.enrollment.token}/", {"platform": "android", "otp": "nope"}).content.decode()
    summary = html.index('data-testid="error-summary"')
    assert "autofocus" in html[html.rindex("<div", 0, summary):summary]
    assert summary < html.index('id="steps-heading"')
    assert '<a href="#id_otp">The OTP is not correct. 4 attempts left.</a>' in html


def test_sending_the_form_again_says_the_device_was_already_enrolled(make_pending):
    made = make_pending("alice", usage_count=2)
    data = {"platform": "android", "otp": made.otp, "serial_number": "SN-1"}
    client = Client()
    assert "is now enrolled for alice" in client.post(f"/enroll/{made.enrollment.token}/", data).content.decode()

    again = client.post(f"/enroll/{made.enrollment.token}/", data)

    assert "was already enrolled for alice: nothing changed." in again.content.decode()
    assert Device.objects.count() == 1
