"""Signing in with a second factor: the password alone signs nobody in; a code of the authenticator app
(one step either side of now, never twice) or a recovery code (once) does. Wrong codes count in the
password's throttle and are audited (SPEC F16)."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.roles import HELPDESK
from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, TOTP_SECRET, make_console_user
from twofactor import codes
from twofactor.models import Authenticator, RecoveryCode
from twofactor.session import PENDING

pytestmark = pytest.mark.django_db

CODE_STEP = "/login/code/"


def password_step(client: Client, username: str = "ada", password: str = PASSWORD) -> None:
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302 and response["Location"] == CODE_STEP


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def with_recovery_codes(user_pk: int) -> list[str]:
    made = codes.codes_generate()
    RecoveryCode.objects.bulk_create([RecoveryCode(user_id=user_pk, code_hash=codes.code_hashes(c)[0]) for c in made])
    return made


def test_the_right_password_alone_signs_nobody_in(admin_user):
    client = Client()
    password_step(client)

    assert not signed_in(client)
    assert client.get("/devices/pending/")["Location"].startswith("/login/")
    page = client.get(CODE_STEP)
    assert page.status_code == 200 and "Two-step verification" in page.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()


def test_the_right_code_signs_in_lands_where_asked_and_is_audited(admin_user, totp_clock):
    client = Client()
    client.post("/login/?next=/audit/", {"username": "ada", "password": PASSWORD, "next": "/audit/"})

    response = client.post(CODE_STEP, {"code": totp_clock.code()})

    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == admin_user and entry.details == {"second_factor": "authenticator app"}
    assert PENDING not in client.session


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_code_one_step_either_side_of_now_is_accepted(admin_user, totp_clock, offset):
    client = Client()
    password_step(client)
    assert client.post(CODE_STEP, {"code": totp_clock.code(offset=offset)}).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("offset", [-2, 2])
def test_a_code_two_steps_away_is_refused_and_audited(admin_user, totp_clock, offset):
    client = Client()
    password_step(client)

    response = client.post(CODE_STEP, {"code": totp_clock.code(offset=offset)})

    assert response.status_code == 200 and "That code is not right." in response.content.decode()
    assert not signed_in(client)
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.actor_name, entry.actor, entry.details["reason"]) == ("ada", None, "wrong two-step verification code")
    assert totp_clock.code(offset=offset) not in str(entry.details)


def test_a_code_used_once_is_refused_the_second_time_and_so_is_an_older_one(admin_user, totp_clock):
    first = Client()
    password_step(first)
    assert first.post(CODE_STEP, {"code": totp_clock.code()}).status_code == 302

    again, older = Client(), Client()
    password_step(again)
    password_step(older)
    assert again.post(CODE_STEP, {"code": totp_clock.code()}).status_code == 200
    assert older.post(CODE_STEP, {"code": totp_clock.code(offset=-1)}).status_code == 200
    assert not signed_in(again) and not signed_in(older)
    # The next step's code is a new one.
    assert again.post(CODE_STEP, {"code": totp_clock.code(offset=1)}).status_code == 302
    assert Authenticator.objects.get(user=admin_user).last_step == int(totp_clock.now()) // 30 + 1


def test_a_recovery_code_signs_in_once(admin_user):
    code = with_recovery_codes(admin_user.pk)[3]
    client = Client()
    password_step(client)

    response = client.post(CODE_STEP, {"code": f"  {code.upper()} "}, follow=True)

    assert response.redirect_chain[-1] == ("/devices/pending/", 302)
    assert "You signed in with a recovery code" in response.content.decode()
    used = AuditEntry.objects.get(action=AuditAction.RECOVERY_CODE_USED)
    assert (used.target_username, used.details) == ("ada", {"recovery_codes_left": 9})
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).details == {"second_factor": "recovery code"}

    second = Client()
    password_step(second)
    assert second.post(CODE_STEP, {"code": code}).status_code == 200
    assert not signed_in(second)
    assert RecoveryCode.objects.filter(user=admin_user, used_at__isnull=True).count() == 9


def test_another_users_recovery_code_does_not_sign_in(admin_user):
    other = make_console_user("ann", "Administrator")
    code = with_recovery_codes(other.pk)[0]
    client = Client()
    password_step(client)
    assert client.post(CODE_STEP, {"code": code}).status_code == 200
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0


def test_wrong_codes_count_in_the_password_throttle_of_that_username(admin_user, settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    client.post("/login/", {"username": "ada", "password": "wrong"})
    password_step(client)
    for _ in range(2):
        assert client.post(CODE_STEP, {"code": "000000"}).status_code == 200

    throttled = client.post(CODE_STEP, {"code": totp_clock.code()})

    assert throttled.status_code == 429
    assert "Too many failed sign-ins." in throttled.content.decode()
    assert not signed_in(client)
    assert PENDING not in client.session  # from the password again, once the window has passed
    # Another address, the right password: the username is over its limit.
    assert Client(REMOTE_ADDR="203.0.113.80").post(
        "/login/", {"username": "ada", "password": PASSWORD}).status_code == 429
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, details__throttled=True).count() == 2


def test_a_right_code_gives_its_count_back(admin_user, settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(4):
        client = Client()
        password_step(client)
        assert client.post(CODE_STEP, {"code": totp_clock.next_code()}).status_code == 302


def test_the_pending_sign_in_lasts_five_minutes(admin_user, totp_clock):
    client = Client()
    password_step(client)
    session = client.session
    assert session[PENDING]["until"] == pytest.approx(time.time() + 300, abs=5)
    session[PENDING] = {**session[PENDING], "until": time.time() - 1}
    session.save()

    response = client.post(CODE_STEP, {"code": totp_clock.code()})

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client) and PENDING not in client.session
    assert Authenticator.objects.get(user=admin_user).last_step is None  # the code was never looked at


def test_a_password_changed_meanwhile_voids_the_pending_sign_in(admin_user, totp_clock):
    client = Client()
    password_step(client)
    admin_user.set_password("another long passphrase")
    admin_user.save()
    assert client.post(CODE_STEP, {"code": totp_clock.code()})["Location"] == "/login/"
    assert not signed_in(client)


def test_the_code_step_without_a_password_first_goes_to_the_login_page(db):
    assert Client().get(CODE_STEP)["Location"] == "/login/"
    assert Client().post(CODE_STEP, {"code": "123456"})["Location"] == "/login/"


def test_a_nul_in_the_code_is_refused_with_a_message(admin_user):
    client = Client()
    password_step(client)
    response = client.post(CODE_STEP, {"code": "12\x0034"})
    assert response.status_code == 200 and "Null characters are not allowed" in response.content.decode()


def test_a_user_without_a_second_factor_signs_in_with_the_password_alone(db):
    make_console_user("hal", HELPDESK)
    response = Client().post("/login/", {"username": "hal", "password": PASSWORD})
    assert response["Location"] == "/devices/pending/"


def test_an_inactive_user_is_not_signed_in_by_a_pending_sign_in(admin_user, totp_clock):
    client = Client()
    password_step(client)
    admin_user.is_active = False
    admin_user.save()
    assert client.post(CODE_STEP, {"code": totp_clock.code()})["Location"] == "/login/"
    assert not signed_in(client)


def test_the_secret_is_what_the_tests_compute_codes_from(admin_user):
    from lib.crypto import unseal

    assert unseal(Authenticator.objects.get(user=admin_user).secret_sealed) == TOTP_SECRET


def test_after_the_throttle_refuses_the_code_step_shows_no_form_but_the_way_back(admin_user, settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    client.post("/login/", {"username": "ada", "password": "wrong"})
    password_step(client)
    client.post(CODE_STEP, {"code": "000000"})

    throttled = client.post(CODE_STEP, {"code": totp_clock.code()})

    page = throttled.content.decode()
    assert throttled.status_code == 429 and "Too many failed sign-ins." in page
    assert 'name="code"' not in page and "Verify" not in page and totp_clock.code() not in page
    assert '<a href="/login/">Back to sign-in</a>' in page


def test_a_code_already_used_is_refused_as_used_counted_and_audited(admin_user, settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 2
    first = Client()
    password_step(first)
    assert first.post(CODE_STEP, {"code": totp_clock.code()}).status_code == 302

    again = Client()
    password_step(again)
    response = again.post(CODE_STEP, {"code": totp_clock.code()})

    assert response.status_code == 200
    assert "This code was already used. Wait for the next one in your app." in response.content.decode()
    assert "That code is not right." not in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (entry.target_username, entry.details["reason"]) == ("ada", "wrong two-step verification code")
    # Counted: one more wrong try reaches the limit of 2.
    again.post(CODE_STEP, {"code": "000000"})
    assert Client().post("/login/", {"username": "ada", "password": PASSWORD}).status_code == 429


def test_a_recovery_code_already_used_says_so(admin_user):
    code = with_recovery_codes(admin_user.pk)[0]
    first, second = Client(), Client()
    password_step(first)
    assert first.post(CODE_STEP, {"code": code}).status_code == 302
    password_step(second)
    response = second.post(CODE_STEP, {"code": code})
    assert response.status_code == 200 and "This recovery code was already used" in response.content.decode()


@pytest.mark.parametrize("typed", ["{0}-{1}", "{0} {1}", "{0}\u2013{1}", "\t{0}{1}\n"])
def test_a_code_typed_with_a_dash_or_spaces_signs_in(admin_user, totp_clock, typed):
    client = Client()
    password_step(client)
    code = totp_clock.code()
    assert client.post(CODE_STEP, {"code": typed.format(code[:3], code[3:])}).status_code == 302
    assert signed_in(client)
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


def test_the_code_field_has_the_focus(admin_user):
    client = Client()
    password_step(client)
    page = client.get(CODE_STEP).content.decode()
    assert re.search(r'<input type="text" name="code"[^>]* autofocus[ >]', page), page


def test_every_code_step_entry_names_the_pending_sign_ins_user(admin_user, settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    password_step(client)
    client.post(CODE_STEP, {"code": "000000"})  # wrong
    client.post(CODE_STEP, {"code": "000000"})  # wrong: the limit is reached
    client.post(CODE_STEP, {"code": totp_clock.code()})  # throttled
    cache.clear()
    signed = Client()
    password_step(signed)
    signed.post(CODE_STEP, {"code": totp_clock.code()})

    entries = AuditEntry.objects.filter(action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOGIN]).order_by("pk")
    assert [(e.action, e.details.get("throttled", False)) for e in entries] == [
        (AuditAction.LOGIN_FAILED, False), (AuditAction.LOGIN_FAILED, False), (AuditAction.LOGIN_FAILED, True),
        (AuditAction.LOGIN, False)]
    assert [e.target_username for e in entries] == ["ada"] * 4
