"""The one-write baseline of the redeem benchmark: ``POST /benchmark/one-write`` reads a JSON body and
performs one INSERT in one committed transaction, through the same server, middleware and database
connection as the redeem API. Redemption is measured against it (SPEC "Performance": at least half
its throughput).

Benchmark-only: config/urls.py mounts it only when BENCHMARK_BASELINE_VIEW is on (off by default,
so a console never serves it). It lives here, beside the benchmark, because no app owns it; its
table is made by ``create_table`` (the benchmark calls it; no migration), not by a model.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TABLE = "benchmark_one_write"
MAX_BODY = 16 * 1024


def create_table() -> None:
    """The baseline's table (created if missing): an id, the time of the write and the body's size."""
    key = "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key}, written_at timestamp NOT NULL, "
                       "body_bytes integer NOT NULL)")


@csrf_exempt
@require_POST
def one_write(request: HttpRequest) -> JsonResponse:
    """201 {"id"} after one INSERT committed; 400 when the body is not a JSON object."""
    body = request.read(MAX_BODY + 1)
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict) or len(body) > MAX_BODY:
        return JsonResponse({"error": "invalid_request"}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (written_at, body_bytes) VALUES (CURRENT_TIMESTAMP, %s) RETURNING id",
                       [len(body)])
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("benchmark/one-write", one_write, name="benchmark_one_write")]
