"""The redeem benchmark's one-write baseline (benchmarks/baseline_view.py): mounted only when
BENCHMARK_BASELINE_VIEW is on, and then one INSERT per request."""

import importlib
import json
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches
from pytest_django.fixtures import Settings

import config.urls
from benchmarks.baseline_view import TABLE, create_table

pytestmark = pytest.mark.django_db

URL = "/benchmark/one-write"
BODY = json.dumps({"token": "t", "otp": "1", "device": {"platform": "android"}})


def reload_urls() -> None:
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def baseline_on(settings: Settings) -> Iterator[None]:
    settings.BENCHMARK_BASELINE_VIEW = True
    reload_urls()
    create_table()
    yield
    settings.BENCHMARK_BASELINE_VIEW = False
    reload_urls()


def rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return int(cursor.fetchone()[0])


def test_the_setting_is_off_by_default_and_the_url_is_404(settings):
    assert settings.BENCHMARK_BASELINE_VIEW is False
    assert Client().post(URL, BODY, content_type="application/json").status_code == 404
    assert Client().get(URL).status_code == 404


def test_it_writes_one_row_with_one_insert_when_the_setting_is_on(baseline_on):
    with CaptureQueriesContext(connection) as ctx:
        response = Client().post(URL, BODY, content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"]} and isinstance(response.json()["id"], int)
    assert rows() == 1
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and writes[0].startswith(f"INSERT INTO {TABLE}")


def test_it_refuses_what_is_not_a_json_object_and_writes_nothing(baseline_on):
    for body in (b"not json", b"[1, 2]", b""):
        assert Client().post(URL, body, content_type="application/json").status_code == 400
    assert Client().get(URL).status_code == 405
    assert rows() == 0
