"""The demo data the run command loads: every role, every source and state, a working portal user."""

import pytest
from django.core.management import call_command

from accounts.models import EndUser, User
from enrollment.models import PendingEnrollment, Source, State
from licensing.services import licence_counts
from tests.conftest import ensure_roles

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


def test_the_demo_admin_signs_in(client):
    ensure_roles()
    call_command("seed_demo", password="Demo-pass-2026!")
    response = client.post("/login/", {"username": "admin", "password": "Demo-pass-2026!"})
    assert response.status_code == 302
    assert client.get("/devices/pending/").status_code == 200
