"""Two-step verification under concurrency, against PostgreSQL: one code (or one recovery code) sent by
many requests at once signs in exactly one of them, and wrong codes at once never get more checks than
the sign-in throttle allows."""

from collections.abc import Callable

import pytest
from django.test import Client

from audit.models import AuditAction, AuditEntry
from tests.conftest import PASSWORD, ensure_roles, make_console_user
from tests.outside import concurrently
from twofactor import codes
from twofactor.models import RecoveryCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 12


def pending_clients(n: int, address: Callable[[int], str] = lambda i: f"198.51.100.{i + 1}") -> list[Client]:
    clients = []
    for i in range(n):
        client = Client(REMOTE_ADDR=address(i))
        assert client.post("/login/", {"username": "ada", "password": PASSWORD})["Location"] == "/login/code/"
        clients.append(client)
    return clients


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_one_code_sent_at_once_by_many_sign_ins_signs_in_exactly_one(settings, totp_clock):
    settings.LOGIN_MAX_FAILURES = 50  # the throttle is another test's
    ensure_roles()
    make_console_user("ada", "Administrator")
    clients = pending_clients(N)
    code = totp_clock.code()

    answers = concurrently(N, lambda i: clients[i].post("/login/code/", {"code": code}).status_code)

    assert sorted(answers) == [200] * (N - 1) + [302]
    assert sum(signed_in(client) for client in clients) == 1
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN).count() == 1


def test_one_recovery_code_sent_at_once_signs_in_exactly_one(settings):
    settings.LOGIN_MAX_FAILURES = 50
    ensure_roles()
    ada = make_console_user("ada", "Administrator")
    (code,) = codes.codes_generate()[:1]
    RecoveryCode.objects.create(user=ada, code_hash=codes.code_hashes(code)[0])
    clients = pending_clients(N)

    answers = concurrently(N, lambda i: clients[i].post("/login/code/", {"code": code}).status_code)

    assert sorted(answers) == [200] * (N - 1) + [302]
    assert AuditEntry.objects.filter(action=AuditAction.RECOVERY_CODE_USED).count() == 1


def test_concurrent_wrong_codes_never_get_more_checks_than_the_limit(settings, redis_cache, totp_clock):
    """20 wrong codes at once from 20 addresses against a limit of 10 for the username: exactly 10 are
    checked (each audited as a wrong code), the rest refused unchecked."""
    ensure_roles()
    settings.LOGIN_MAX_FAILURES = 10
    make_console_user("ada", "Administrator")
    clients = pending_clients(20)  # each right password gave its count back

    answers = concurrently(20, lambda i: clients[i].post("/login/code/", {"code": "000000"}).status_code)

    assert sorted(answers) == [200] * 10 + [429] * 10
    wrong = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert wrong.filter(details__reason="wrong two-step verification code").count() == 10
    assert wrong.filter(details__throttled=True).count() == 10
