"""Idempotency-Key on POST /api/v1/enrollments: a retried create answers with the first answer (same
status, same body) and creates nothing more, also when both requests arrive at once; the stored
answer is sealed; a refusal is not remembered; the keys are forgotten after 24 hours."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from enrollment.models import PendingEnrollment
from integrations.api import enrollments
from integrations.api.idempotency import purge_expired
from integrations.models import IdempotentCreate
from integrations.tasks import purge_idempotent_creates
from licensing.services import licence_counts
from provisioning.single.services import user_provision_authorized
from tests.integrations.conftest import Api
from tests.outside import concurrently, wait_for

URL = "/api/v1/enrollments"
BODY = {"username": "mila", "email": "mila@example.com", "notify": {"email": False, "sms": False}}


def create(client: Api, key: str, body: dict[str, Any] = BODY) -> tuple[int, dict[str, Any]]:
    response = client.post(URL, body, **{"Idempotency-Key": key})
    return response.status_code, response.json()


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_retried_create_gets_the_first_answer_and_creates_nothing_more(api, licences):
    client = api("enrollments:write")

    first = create(client, "onboarding-4711")
    again = create(client, "onboarding-4711")
    other = create(client, "onboarding-4712")

    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert other[0] == 201 and other[1]["token"] != first[1]["token"]
    assert PendingEnrollment.objects.count() == 2 and licence_counts().reserved == 2


@pytest.mark.django_db
def test_the_first_answer_is_kept_sealed_because_it_holds_the_otp(api, licences):
    status, body = create(api("enrollments:write"), "k-1")

    row = IdempotentCreate.objects.get()
    assert (row.key, row.status) == ("k-1", 201)
    assert body["otp"] not in row.body_sealed and body["token"] not in row.body_sealed


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api, licences):
    client = api("enrollments:write")
    create(client, "k-1")

    status, body = create(client, "k-1", {**BODY, "username": "eve", "email": "eve@example.com"})

    assert (status, body["error"]) == (422, "idempotency_key_reused")
    assert PendingEnrollment.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_api_key(api, licences):
    create(api("enrollments:write"), "k-1")

    status, _ = create(api("enrollments:write"), "k-1")

    assert status == 201 and PendingEnrollment.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_not_remembered_so_a_retry_after_the_fix_goes_through(api, licences):
    client = api("enrollments:write")
    licences(0)
    refused = create(client, "k-1")
    licences(5)

    accepted = create(client, "k-1")

    assert refused[0] == 409 and accepted[0] == 201 and PendingEnrollment.objects.count() == 1


@pytest.mark.django_db
def test_after_24_hours_a_key_is_forgotten_and_purged(api, licences):
    client = api("enrollments:write")
    create(client, "k-1")
    IdempotentCreate.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    status, _ = create(client, "k-1")
    IdempotentCreate.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert status == 201 and PendingEnrollment.objects.count() == 2
    assert purge_idempotent_creates.delay().get() == 1 and not IdempotentCreate.objects.exists()
    assert purge_expired() == 0


@pytest.mark.django_db
def test_a_malformed_idempotency_key_is_422(api, licences):
    status, body = create(api("enrollments:write"), "with space")

    assert status == 422 and "Idempotency-Key" in body["fields"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_creates_at_once_make_one_enrollment_and_get_the_same_answer(api, licences, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.fail("This test needs PostgreSQL: run it with DATABASE_URL=postgres://...")
    key = api("enrollments:write").key
    provision = user_provision_authorized

    def slow_provision(**kwargs: Any) -> Any:
        # The first holds its Idempotency-Key row until the second request waits on it (a lock not granted).
        wait_for(another_waits_on_a_lock, what="the second create to wait on the first's Idempotency-Key row")
        return provision(**kwargs)

    monkeypatch.setattr(enrollments, "user_provision_authorized", slow_provision)

    answers = concurrently(2, lambda _: create(Api(key), "onboarding-4711"))

    assert [status for status, _ in answers] == [201, 201]
    assert json.dumps(answers[0][1], sort_keys=True) == json.dumps(answers[1][1], sort_keys=True)
    assert PendingEnrollment.objects.count() == 1 and licence_counts().reserved == 1
    assert IdempotentCreate.objects.count() == 1


def another_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read the backends as they are now, not as first seen
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())")
        return bool(cursor.fetchone()[0])
