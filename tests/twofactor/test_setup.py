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
