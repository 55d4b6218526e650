"""Admin > Console users: two-step verification required per role (default: Administrators), shown on the
page; a user of such a role without a second factor sets one up right after the password; turning it off
where no role requires it; an Administrator's reset of another user's second factor ends that user's
sessions (SPEC F16)."""

import re

import pytest
from django.test import Client

from accounts.roles import ADMINISTRATOR, HELPDESK, SUPER_HELPDESK
from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, client_for, make_console_user
from tests.twofactor.clock import sign_in_with_code
from twofactor.models import Authenticator, RecoveryCode, TwoStepPolicy

pytestmark = pytest.mark.django_db

SETUP = "/account/two-step/setup/"


def test_a_fresh_install_requires_two_step_verification_for_administrators_only(db):
    assert TwoStepPolicy.load().required_roles == [ADMINISTRATOR]


def test_an_administrator_without_a_second_factor_is_sent_to_set_up_right_after_the_password(db):
    make_console_user("newadmin", ADMINISTRATOR, second_factor=False)
    client = Client()

    response = client.post("/login/", {"username": "newadmin", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == SETUP
    assert client.get("/devices/pending/")["Location"] == SETUP
    assert client.get("/devices/pending/", HTTP_HX_REQUEST="true")["HX-Redirect"] == SETUP
    page = client.get(SETUP).content.decode()
    assert "Your role requires two-step verification." in page
    # No menu that would only lead back here; sign-out stays.
    assert 'aria-label="Main"' not in page and 'aria-label="Admin"' not in page and "Sign out" in page


def test_after_set_up_the_required_user_reaches_the_console(db, totp_clock):
    from tests.twofactor.test_setup import page_secret

    make_console_user("newadmin", ADMINISTRATOR, second_factor=False)
    client = Client()
    client.post("/login/", {"username": "newadmin", "password": PASSWORD})

    client.post(SETUP, {"code": totp_clock.code(page_secret(client.get(SETUP)))})

    assert client.get("/devices/pending/").status_code == 200


def test_the_console_users_page_shows_the_policy_and_each_users_second_factor(admin_user, helpdesk_user):
    page = client_for(admin_user).get("/settings/users/").content.decode()
    assert "Two-step verification is required for: Administrator." in page
    assert '<a href="/settings/users/two-step/">Change</a>' in page
    rows = {user: page.split(f"<td>{user}</td>", 1)[1].split("</tr>", 1)[0] for user in ("ada", "hal")}
    assert "<td>On</td>" in rows["ada"] and "<td>Off</td>" in rows["hal"]


def test_an_administrator_requires_it_for_more_roles_and_it_is_audited(admin_user, helpdesk_user):
    response = client_for(admin_user).post("/settings/users/two-step/",
                                           {"required_roles": [HELPDESK, ADMINISTRATOR]})

    assert response.status_code == 302
    assert TwoStepPolicy.load().required_roles == [ADMINISTRATOR, HELPDESK]
    entry = AuditEntry.objects.get(action=AuditAction.SETTINGS_CHANGED)
    # The settings named in a person's words, the page's title (the audit page shows it as it is).
    assert entry.details == {"settings": "Two-step verification",
                             "changes": {"required_roles": [[ADMINISTRATOR], [ADMINISTRATOR, HELPDESK]]}}
    assert ("Settings", "Two-step verification") in entry.details_fields()
    # The helpdesk user, signed in by the password alone, is sent to set up at the next page.
    assert client_for(helpdesk_user, second_step=False).get("/devices/pending/")["Location"] == SETUP
    assert client_for(make_console_user("sam", SUPER_HELPDESK), second_step=False).get(
        "/devices/pending/").status_code == 200


def test_no_role_required_lets_an_administrator_without_a_second_factor_in(admin_user):
    client_for(admin_user).post("/settings/users/two-step/", {})
    assert TwoStepPolicy.load().required_roles == []
    newcomer = make_console_user("newadmin", ADMINISTRATOR, second_factor=False)
    assert Client().post("/login/", {"username": "newadmin", "password": PASSWORD})["Location"] == "/devices/pending/"
    assert client_for(newcomer, second_step=False).get("/devices/pending/").status_code == 200


def test_a_user_whose_role_requires_it_cannot_turn_it_off(admin_user, totp_clock):
    client = client_for(admin_user)
    assert "Your role requires two-step verification, so it cannot be turned off." in client.get(
        "/account/").content.decode()

    response = client.post("/account/two-step/turn-off/", {"disable-code": totp_clock.code()})

    assert response.status_code == 400
    assert Authenticator.objects.filter(user=admin_user, confirmed_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TWO_STEP_DISABLED).exists()


def test_a_user_whose_role_does_not_require_it_turns_it_off_with_a_code(db, totp_clock):
    hal = make_console_user("hal", HELPDESK, second_factor=True)
    here, elsewhere = Client(), Client()
    sign_in_with_code(here, "hal", totp_clock)
    sign_in_with_code(elsewhere, "hal", totp_clock)
    assert here.post("/account/two-step/turn-off/", {"disable-code": "000000"}).status_code == 400

    response = here.post("/account/two-step/turn-off/", {"disable-code": totp_clock.next_code()})

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=hal).exists() and not RecoveryCode.objects.filter(user=hal).exists()
    assert AuditEntry.objects.get(action=AuditAction.TWO_STEP_DISABLED).target_username == "hal"
    assert here.get("/devices/pending/").status_code == 200
    assert elsewhere.get("/devices/pending/")["Location"].startswith("/login/")
    assert Client().post("/login/", {"username": "hal", "password": PASSWORD})["Location"] == "/devices/pending/"


def test_an_administrators_reset_ends_the_users_sessions_and_is_audited(admin_user, totp_clock):
    hal = make_console_user("hal", HELPDESK, second_factor=True)
    hals = Client()
    assert sign_in_with_code(hals, "hal", totp_clock)["Location"] == "/devices/pending/"
    assert hals.get("/devices/pending/").status_code == 200
    admin = client_for(admin_user)
    confirm = admin.get(f"/settings/users/{hal.pk}/two-step/reset/").content.decode()
    assert "Reset two-step verification of hal?" in confirm

    response = admin.post(f"/settings/users/{hal.pk}/two-step/reset/")

    assert response.status_code == 302 and response["Location"] == f"/settings/users/{hal.pk}/"
    assert not Authenticator.objects.filter(user=hal).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_STEP_RESET)
    assert (entry.actor, entry.target_username) == (admin_user, "hal")
    assert hals.get("/devices/pending/")["Location"].startswith("/login/")
    # The admin's own session goes on; hal signs in by the password alone (the role does not require it).
    assert admin.get("/settings/users/").status_code == 200
    assert Client().post("/login/", {"username": "hal", "password": PASSWORD})["Location"] == "/devices/pending/"


def test_a_reset_administrator_sets_a_new_one_up_at_the_next_sign_in(admin_user):
    other = make_console_user("ann", ADMINISTRATOR)
    client_for(admin_user).post(f"/settings/users/{other.pk}/two-step/reset/")
    assert Client().post("/login/", {"username": "ann", "password": PASSWORD})["Location"] == SETUP


def test_nobody_resets_their_own_second_factor_and_nothing_is_reset_twice(admin_user, helpdesk_user):
    admin = client_for(admin_user)
    own = admin.post(f"/settings/users/{admin_user.pk}/two-step/reset/", follow=True)
    assert "Your own two-step verification is changed on your account page." in own.content.decode()
    none = admin.post(f"/settings/users/{helpdesk_user.pk}/two-step/reset/", follow=True)
    assert "hal has no two-step verification to reset." in none.content.decode()
    assert Authenticator.objects.filter(user=admin_user).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TWO_STEP_RESET).exists()
    assert admin.get("/devices/pending/").status_code == 200


def test_a_super_helpdesk_user_can_neither_reset_nor_change_the_policy(super_helpdesk_user, helpdesk_user):
    client = client_for(super_helpdesk_user)
    assert client.post(f"/settings/users/{helpdesk_user.pk}/two-step/reset/").status_code == 403
    assert client.post("/settings/users/two-step/", {"required_roles": []}).status_code == 403
    assert TwoStepPolicy.load().required_roles == [ADMINISTRATOR]


def test_an_administrator_is_refused_a_reset_of_their_own_already_on_the_confirmation_page(admin_user):
    response = client_for(admin_user).get(f"/settings/users/{admin_user.pk}/two-step/reset/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your own two-step verification is changed on your account page." in page
    assert '<form method="post">' not in page and 'class="danger"' not in page  # only the sign-out form
    assert f'href="/settings/users/{admin_user.pk}/"' in page


def test_a_reset_deletes_an_unfinished_set_up_and_its_key_and_ends_the_users_sessions(admin_user, totp_clock):
    from tests.twofactor.test_setup import page_secret

    hal = make_console_user("hal", HELPDESK)
    hals = client_for(hal)
    seen = page_secret(hals.get(SETUP))
    admin = client_for(admin_user)
    confirm = admin.get(f"/settings/users/{hal.pk}/two-step/reset/").content.decode()
    assert "has not finished" in confirm and '<button type="submit" class="danger">' in confirm

    response = admin.post(f"/settings/users/{hal.pk}/two-step/reset/", follow=True)

    assert "The unfinished set-up of two-step verification of hal was deleted" in response.content.decode()
    assert not Authenticator.objects.filter(user=hal).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_STEP_RESET)
    assert (entry.target_username, entry.details) == ("hal", {"unfinished_set_up": True})
    assert hals.get(SETUP)["Location"].startswith("/login/")
    fresh = Client()
    fresh.post("/login/", {"username": "hal", "password": PASSWORD})
    assert page_secret(fresh.get(SETUP)) != seen


def test_the_account_page_says_utc_and_labels_each_code_field_apart(db):
    hal = make_console_user("hal", HELPDESK, second_factor=True)
    page = client_for(hal).get("/account/").content.decode()

    assert re.search(r"On since <time [^>]*>\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>", page), page
    labels = re.findall(r'<label for="id_(regenerate|disable)-code">([^<]+?) <span', page)
    assert labels == [("regenerate", "Code for new recovery codes"), ("disable", "Code to turn off")]
