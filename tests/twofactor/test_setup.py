"""Setting up an authenticator app on the account page: the otpauth URI as a QR code and as text, one right
code turns it on, ten recovery codes shown once and stored hashed (SPEC F16)."""

import base64
import io
import re

import pyotp
import pytest
import zxingcpp
from PIL import Image

from accounts.roles import HELPDESK
from audit.models import AuditAction, AuditEntry
from lib.crypto import unseal
from tests.conftest import ClientResponse, client_for, make_console_user
from twofactor import codes
from twofactor.models import Authenticator, RecoveryCode

pytestmark = pytest.mark.django_db

SETUP = "/account/two-step/setup/"


def page_secret(response: ClientResponse) -> str:
    """The key as the set-up page shows it, without the spaces between its groups."""
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert match, response.content.decode()
    return match[1].replace(" ", "")


def page_qr_text(response: ClientResponse) -> str:
    match = re.search(r'src="data:image/png;base64,([^"]+)"', response.content.decode())
    assert match
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(match[1]))))
    return str(decoded.text)


def shown_recovery_codes(response: ClientResponse) -> list[str]:
    return re.findall(r'<li><code class="otp">([a-z0-9-]+)</code></li>', response.content.decode())


@pytest.fixture
def hal(db):
    return make_console_user("hal", HELPDESK)


def test_the_account_page_offers_set_up_to_a_user_without_a_second_factor(hal):
    page = client_for(hal).get("/account/").content.decode()
    assert 'data-testid="two-step-status">Off.' in page
    assert f'href="{SETUP}"' in page


def test_set_up_shows_the_otpauth_uri_as_a_qr_code_and_as_text_and_seals_the_secret(hal, settings):
    response = client_for(hal).get(SETUP, HTTP_HOST="console.example.com")

    assert response.status_code == 200
    secret = page_secret(response)
    uri = page_qr_text(response)
    assert uri == f"otpauth://totp/Onramp:hal%40console.example.com?secret={secret}&issuer=Onramp"
    assert f'data-testid="totp-uri">{uri}<'.replace("&", "&amp;") in response.content.decode()
    assert pyotp.parse_uri(uri).secret == secret and len(secret) == 32
    row = Authenticator.objects.get(user=hal)
    assert row.confirmed_at is None
    assert secret not in row.secret_sealed and unseal(row.secret_sealed) == secret
    assert response["Cache-Control"].startswith("max-age=0")


def test_reloading_set_up_keeps_the_secret_already_scanned(hal):
    client = client_for(hal)
    assert page_secret(client.get(SETUP)) == page_secret(client.get(SETUP))
    assert Authenticator.objects.count() == 1


def test_one_right_code_turns_it_on_and_shows_ten_recovery_codes_once(hal, totp_clock):
    client = client_for(hal)
    secret = page_secret(client.get(SETUP))

    response = client.post(SETUP, {"code": totp_clock.code(secret)})

    assert response.status_code == 302 and response["Location"] == "/account/"
    row = Authenticator.objects.get(user=hal)
    assert row.confirmed_at is not None
    assert row.last_step == int(totp_clock.now()) // 30
    shown = shown_recovery_codes(client.get("/account/"))
    assert len(shown) == 10 and len(set(shown)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in shown)
    stored = set(RecoveryCode.objects.filter(user=hal).values_list("code_hash", flat=True))
    assert stored == {codes.code_hashes(code)[0] for code in shown}
    assert not any(code.replace("-", "") in "".join(stored) for code in shown)
    assert shown_recovery_codes(client.get("/account/")) == []  # shown once
    entry = AuditEntry.objects.get(action=AuditAction.TWO_STEP_ENABLED)
    assert (entry.actor, entry.target_username) == (hal, "hal")


def test_a_wrong_code_does_not_turn_it_on(hal, totp_clock):
    client = client_for(hal)
    secret = page_secret(client.get(SETUP))

    response = client.post(SETUP, {"code": totp_clock.code(secret, offset=2)})

    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert Authenticator.objects.get(user=hal).confirmed_at is None
    assert not RecoveryCode.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TWO_STEP_ENABLED).exists()


def test_turning_it_on_keeps_this_session_and_ends_the_users_others(hal, totp_clock):
    here, elsewhere = client_for(hal, second_step=False), client_for(hal, second_step=False)
    secret = page_secret(here.get(SETUP))

    here.post(SETUP, {"code": totp_clock.code(secret)})

    assert here.get("/devices/pending/").status_code == 200
    assert elsewhere.get("/devices/pending/")["Location"].startswith("/login/")


def test_set_up_of_a_user_whose_authenticator_is_on_goes_to_the_account_page(admin_user):
    assert client_for(admin_user).get(SETUP)["Location"] == "/account/"


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(admin_user, totp_clock):
    client = client_for(admin_user)
    refused = client.post("/account/two-step/recovery-codes/", {"regenerate-code": "000000"})
    assert refused.status_code == 400 and "That code is not right." in refused.content.decode()
    assert not RecoveryCode.objects.exists()
    assert AuditEntry.objects.get(action=AuditAction.TWO_STEP_CODE_REFUSED).target_username == "ada"

    response = client.post("/account/two-step/recovery-codes/", {"regenerate-code": totp_clock.code()})

    assert response.status_code == 302
    first = shown_recovery_codes(client.get("/account/"))
    assert len(first) == 10
    client.post("/account/two-step/recovery-codes/", {"regenerate-code": totp_clock.next_code()})
    second = shown_recovery_codes(client.get("/account/"))
    assert len(second) == 10 and not set(first) & set(second)
    assert RecoveryCode.objects.filter(user=admin_user).count() == 10
    assert AuditEntry.objects.filter(action=AuditAction.RECOVERY_CODES_REGENERATED).count() == 2


def test_reloading_set_up_in_the_same_session_keeps_its_key_and_another_session_gets_another(hal, totp_clock):
    here, elsewhere = client_for(hal), client_for(hal)
    key = page_secret(here.get(SETUP))
    assert page_secret(here.get(SETUP)) == key

    other = page_secret(elsewhere.get(SETUP))

    assert other != key
    # The key the first session saw was replaced: its code turns nothing on, not even from that session.
    refused = here.post(SETUP, {"code": totp_clock.code(key)})
    assert refused.status_code == 400 and "Start the set-up again" in refused.content.decode()
    assert Authenticator.objects.get(user=hal).confirmed_at is None
    assert unseal(Authenticator.objects.get(user=hal).secret_sealed) not in (key, other)


def test_a_set_up_key_seen_before_a_password_change_never_signs_in(hal, admin_user, totp_clock):
    """The tester's scenario: session X (a stolen one) sees key K; an Administrator sets a new password; the
    user opens set-up in a new session and gets another key, turns it on; a code from K never signs in."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.services import console_user_save
    from audit.actor import Actor
    from tests.twofactor.clock import sign_in_with_code

    stolen = client_for(hal, second_step=False)
    seen = page_secret(stolen.get(SETUP))

    console_user_save(user=hal, role=Group.objects.get(name=HELPDESK), password="a brand new passphrase",
                      actor=Actor.for_user(admin_user), changed=["password"])

    assert not Authenticator.objects.filter(user=hal).exists()  # the unfinished set-up went with the password
    assert stolen.get(SETUP)["Location"].startswith("/login/")
    user = Client()
    assert user.post("/login/", {"username": "hal", "password": "a brand new passphrase"}).status_code == 302
    fresh = page_secret(user.get(SETUP))
    assert fresh != seen
    assert user.post(SETUP, {"code": totp_clock.code(fresh)})["Location"] == "/account/"

    attacker = Client()
    attacker.post("/login/", {"username": "hal", "password": "a brand new passphrase"})
    for offset in (0, 1):
        response = attacker.post("/login/code/", {"code": totp_clock.code(seen, offset=offset)})
        assert response.status_code == 200 and "_auth_user_id" not in attacker.session
    assert sign_in_with_code(Client(), "hal", totp_clock, secret=fresh,
                             password="a brand new passphrase")["Location"] == "/devices/pending/"


def test_any_new_password_drops_an_unfinished_set_up_and_keeps_one_that_is_on(hal, admin_user):
    client_for(hal).get(SETUP)
    hal.set_password("another long passphrase")
    hal.save()
    assert not Authenticator.objects.filter(user=hal).exists()

    admin_user.set_password("another long passphrase")
    admin_user.save()
    assert Authenticator.objects.get(user=admin_user).confirmed_at is not None


@pytest.mark.parametrize("typed", ["{0}-{1}", "{0} {1}", " {0}{1} "])
def test_the_set_up_code_may_be_typed_with_a_dash_or_a_space(hal, totp_clock, typed):
    client = client_for(hal)
    code = totp_clock.code(page_secret(client.get(SETUP)))

    response = client.post(SETUP, {"code": typed.format(code[:3], code[3:])})

    assert response.status_code == 302 and Authenticator.objects.get(user=hal).confirmed_at is not None


def test_the_set_up_page_names_the_account_as_the_app_will_and_focuses_the_code(hal):
    response = client_for(hal).get(SETUP, HTTP_HOST="console.example.com:8443")
    page = response.content.decode()

    assert pyotp.parse_uri(page_qr_text(response)).name == "hal@console.example.com"
    assert '<figcaption data-testid="totp-label">Onramp:hal@console.example.com</figcaption>' in page
    assert re.search(r'<input type="text" name="code"[^>]* autofocus[ >]', page), page
