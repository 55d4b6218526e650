import pytest
from cryptography.fernet import Fernet
from django.db import connection

from enrollment.otp import otp_matches
from lib import crypto
from lib.crypto import SecretUnreadable, seal, unseal

pytestmark = pytest.mark.django_db


def _raw_otp_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT otp_ciphertext FROM enrollment_pendingenrollment WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.mark.smoke
def test_the_raw_column_never_holds_the_otp_but_the_configured_key_opens_it(make_pending, settings):
    made = make_pending("alice")
    raw = _raw_otp_column(made.enrollment.pk)
    assert made.otp not in raw
    assert Fernet(settings.OTP_ENCRYPTION_KEYS[0].encode()).decrypt(raw.encode()).decode() == made.otp
    assert unseal(raw) == made.otp


def test_a_different_key_cannot_read_it(make_pending, settings):
    raw = _raw_otp_column(make_pending("alice").enrollment.pk)
    settings.OTP_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretUnreadable):
        unseal(raw)
    assert otp_matches(raw, "anything") is False


def test_a_rotated_key_list_still_reads_old_secrets(settings):
    old = seal("12345678")
    settings.OTP_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.OTP_ENCRYPTION_KEYS]
    assert unseal(old) == "12345678"


def test_sealing_the_same_otp_twice_gives_different_ciphertexts():
    assert seal("12345678") != seal("12345678")


def test_otp_matches_compares_in_constant_time(monkeypatch):
    import hmac

    from pyotp.utils import strings_equal

    calls = []

    def spy(a, b):
        calls.append((a, b))
        return strings_equal(a, b)

    monkeypatch.setattr("enrollment.otp.strings_equal", spy)
    sealed = seal("482913")
    assert otp_matches(sealed, " 482913 ") is True
    assert otp_matches(sealed, "482914") is False
    assert calls == [("482913", "482913"), ("482913", "482914")]
    # pyotp's strings_equal is hmac.compare_digest on normalised text.
    assert "compare_digest" in strings_equal.__code__.co_names
    assert strings_equal.__globals__["compare_digest"] is hmac.compare_digest


def test_a_bad_key_fails_with_a_clear_message(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OTP_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="OTP_ENCRYPTION_KEY must be Fernet keys"):
        seal("x")
    assert crypto._box.cache_info().maxsize == 4
