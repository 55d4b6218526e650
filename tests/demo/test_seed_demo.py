"""The demo data the run command loads: every role, every source and state, a working portal user."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import EndUser, User
from enrollment.models import PendingEnrollment, Source, State
from licensing.services import licence_counts
from provisioning.models import DpcSettings, QrProvisioning
from tests.conftest import client_for, ensure_roles

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_seed_demo_fills_every_role_source_and_state_and_can_run_twice(capsys):
    ensure_roles()
    call_command("seed_demo", password="Demo-pass-2026!")
    call_command("seed_demo", password="Demo-pass-2026!")

    assert {u.username: u.role_names() for u in User.objects.all()} == {
        "admin": ["Administrator"], "superhelp": ["Super Helpdesk"], "helpdesk": ["Helpdesk"],
    }
    assert set(PendingEnrollment.objects.values_list("source", flat=True)) == set(Source.values)
    assert set(PendingEnrollment.objects.values_list("state", flat=True)) == set(State.values)
    counts = licence_counts()
    assert counts.total == 500
    assert counts.reserved == sum(PendingEnrollment.objects.values_list("reserved_licences", flat=True))
    assert EndUser.objects.get(username="alice").check_password("Demo-pass-2026!")
    assert "username: admin" in capsys.readouterr().out


def test_the_demo_admin_signs_in_and_sets_up_two_step_verification_first(client, totp_clock):
    """Administrators must use two-step verification (the default): the demo admin meets the set-up page at
    the first sign-in, scans the code (here: reads the key from the page) and goes on with the console."""
    from tests.twofactor.test_setup import page_secret

    ensure_roles()
    call_command("seed_demo", password="Demo-pass-2026!")
    response = client.post("/login/", {"username": "admin", "password": "Demo-pass-2026!"})
    assert response.status_code == 302 and response["Location"] == "/account/two-step/setup/"

    secret = page_secret(client.get("/account/two-step/setup/"))
    assert client.post("/account/two-step/setup/", {"code": totp_clock.code(secret)}).status_code == 302
    assert client.get("/devices/pending/").status_code == 200
    assert Client().post("/login/", {"username": "superhelp", "password": "Demo-pass-2026!"})["Location"] == \
        "/devices/pending/"


def test_the_demo_qr_source_enrollments_are_real_qr_codes_the_qr_page_lists():
    ensure_roles()
    call_command("seed_demo", password="Demo-pass-2026!")

    qr_tokens = set(PendingEnrollment.objects.filter(source=Source.QR).values_list("token", flat=True))
    assert qr_tokens
    assert set(QrProvisioning.objects.values_list("enrollment_token", flat=True)) == qr_tokens
    page = client_for(User.objects.get(username="admin")).get("/devices/pending/qr/").content.decode()
    assert "No QR codes yet" not in page
    assert all(f"/devices/pending/qr/{qr.pk}/" in page for qr in QrProvisioning.objects.all())


def test_without_a_complete_companion_app_the_demo_makes_no_bare_qr_source_enrollments(capsys):
    ensure_roles()
    dpc = DpcSettings.load()
    dpc.component_name = "com.corp.dpc/.Receiver"  # an admin's own app, not finished: left alone
    dpc.save()

    call_command("seed_demo", password="Demo-pass-2026!")

    assert DpcSettings.load().component_name == "com.corp.dpc/.Receiver"
    assert not PendingEnrollment.objects.filter(source=Source.QR).exists()
    assert not QrProvisioning.objects.exists()
    assert PendingEnrollment.objects.exists()
    assert "No demo QR code for" in capsys.readouterr().out
