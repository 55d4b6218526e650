"""The sign-in throttles of the console, the portal and the Provision User authorizer: an attempt is
counted before its password is checked, atomically, so concurrent tries never pass the limit; the
username is keyed as authentication reads it; unknown and known usernames cost the same hashing."""

import threading
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import EndUser
from enrollment.models import PendingEnrollment
from tests.conftest import PASSWORD, ClientResponse, client_for
from tests.outside import concurrently
from tests.provisioning.test_provision_user import URL as PROVISION_URL
from tests.provisioning.test_provision_user import form_data

COUNTING_HASHER = "tests.accounts.test_sign_in_throttle.CountingHasher"


class CountingHasher(MD5PasswordHasher):
    """The suite's fast hasher, counting how often a password is hashed (a check or a decoy)."""

    runs = 0
    lock = threading.Lock()

    def encode(self, password: str, salt: str) -> str:
        with CountingHasher.lock:
            CountingHasher.runs += 1
        return super().encode(password, salt)


@pytest.fixture
def hash_runs(settings: Settings) -> Iterator[Callable[[], int]]:
    """Hashes made from now on, by every thread."""
    settings.PASSWORD_HASHERS = [COUNTING_HASHER]
    CountingHasher.runs = 0
    yield lambda: CountingHasher.runs


def console_sign_in(username: str, password: str, address: str = "127.0.0.1") -> int:
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password}).status_code


def portal_sign_in(username: str, password: str, address: str = "127.0.0.1") -> int:
    return Client(REMOTE_ADDR=address).post(
        "/portal/login/", {"username": username, "password": password}).status_code


OTHER_ADDRESS = "203.0.113.80"  # so only the per-username count can refuse


# --- the username as authentication reads it ------------------------------------------------------


def fullwidth_first(username: str) -> str:
    """"hal" → "ｈal": NFKC turns the fullwidth letter back into "h"."""
    return chr(ord(username[0]) + 0xFEE0) + username[1:]


VARIANTS = {
    "leading spaces": lambda u: "   " + u,
    "trailing spaces": lambda u: u + "  ",
    "an ideographic space": lambda u: "\u3000" + u,
    "a fullwidth first letter": fullwidth_first,
}


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_throttled_console_username_stays_throttled_in_every_spelling_that_signs_in(helpdesk_user, settings,
                                                                                     variant):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert console_sign_in("hal", "wrong") == 200

    assert console_sign_in(VARIANTS[variant]("hal"), PASSWORD, OTHER_ADDRESS) == 429


@pytest.mark.django_db
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_throttled_portal_username_stays_throttled_in_every_spelling(end_user, settings, variant):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert portal_sign_in("eve", "wrong") == 200

    assert portal_sign_in(VARIANTS[variant]("eve"), PASSWORD, OTHER_ADDRESS) == 429


@pytest.mark.django_db
def test_the_portal_signs_in_the_user_a_variant_spelling_names(end_user):
    assert portal_sign_in("  ｅve", PASSWORD) == 302


@pytest.mark.django_db
def test_a_throttled_authorizer_stays_throttled_in_every_spelling(licences, admin_user, helpdesk_user, end_user,
                                                                  settings):
    settings.LOGIN_MAX_FAILURES = 2
    client = client_for(helpdesk_user)
    for _ in range(2):
        client.post(PROVISION_URL, form_data(authorizer_password="wrong"))

    other = Client(REMOTE_ADDR=OTHER_ADDRESS)
    other.force_login(helpdesk_user)
    response = other.post(PROVISION_URL, form_data(authorizer_username="  ａda"))

    assert "Too many failed authorizations" in response.content.decode()
    assert not PendingEnrollment.objects.exists()


@pytest.mark.django_db
def test_right_passwords_do_not_add_up_to_a_throttle(licences, admin_user, helpdesk_user, end_user, settings,
                                                     totp_clock):
    """Each success gives its count back: a busy authorizer or a shared office address is never
    refused for signing in correctly."""
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(4):
        assert console_sign_in("hal", PASSWORD) == 302
    client = client_for(helpdesk_user)
    for n in range(4):
        client.post(PROVISION_URL, form_data(username=f"user{n}", email=f"user{n}@example.com",
                                             authorizer_code=totp_clock.next_code()))
    assert PendingEnrollment.objects.count() == 4


# --- counted before the password is checked, under concurrency ------------------------------------

def own_address(n: int) -> str:
    return f"198.51.100.{n + 1}"


def signed_in_copy(signed_in: Client, n: int) -> Client:
    """A client of its own (clients are not thread-safe) on the same signed-in session."""
    client = Client(REMOTE_ADDR=own_address(n))
    client.cookies = signed_in.cookies
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["console", "portal", "authorizer", "console per IP"])
def test_concurrent_wrong_passwords_never_get_more_checks_than_the_limit(path, hash_runs, redis_cache, settings):
    """20 wrong passwords at once against a limit of 10: exactly 10 are checked. Per username the
    tries come from 20 addresses; per IP, one address tries 20 usernames."""
    from tests.conftest import ensure_roles, make_console_user

    ensure_roles()
    settings.LOGIN_MAX_FAILURES = 10
    make_console_user("hal", "Helpdesk")
    eve = EndUser(username="eve", email="eve@example.com")
    eve.set_password(PASSWORD)
    eve.save()
    helpdesk = client_for(make_console_user("helen", "Helpdesk"))
    attempts: dict[str, Callable[[int], ClientResponse]] = {
        "console": lambda n: Client(REMOTE_ADDR=own_address(n)).post(
            "/login/", {"username": "hal", "password": "wrong"}),
        "portal": lambda n: Client(REMOTE_ADDR=own_address(n)).post(
            "/portal/login/", {"username": "eve", "password": "wrong"}),
        "authorizer": lambda n: signed_in_copy(helpdesk, n).post(
            PROVISION_URL, form_data(authorizer_username="hal", authorizer_password="wrong")),
        "console per IP": lambda n: Client().post("/login/", {"username": f"nobody{n}", "password": "wrong"}),
    }
    before = hash_runs()

    answers = concurrently(20, lambda n: throttled(attempts[path](n)))

    assert len(answers) == 20
    assert hash_runs() - before == 10
    assert sorted(answers) == [False] * 10 + [True] * 10


def throttled(response: ClientResponse) -> bool:
    if response.status_code == 429:
        return True
    return "Too many failed authorizations" in response.content.decode()


# --- unknown usernames cost what known ones cost --------------------------------------------------

@pytest.mark.django_db
def test_an_unknown_portal_username_runs_the_hasher_as_often_as_a_known_one(end_user, hash_runs):
    known = hash_runs()
    assert portal_sign_in("eve", "wrong") == 200
    known = hash_runs() - known

    unknown = hash_runs()
    assert portal_sign_in("nobody-here", "wrong") == 200
    unknown = hash_runs() - unknown

    assert known == unknown == 1


@pytest.mark.django_db
def test_an_inactive_or_passwordless_portal_user_costs_one_hash_too(end_user, hash_runs):
    EndUser.objects.create(username="nopass", email="n@example.com")
    end_user.is_active = False
    end_user.save()
    before = hash_runs()
    assert portal_sign_in("eve", PASSWORD) == 200
    assert portal_sign_in("nopass", "whatever") == 200
    assert hash_runs() - before == 2
