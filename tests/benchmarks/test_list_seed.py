"""The list benchmark's COPY seeding (benchmarks/list_seed.py) names every column a row must have: a
NOT NULL column without a database default that a migration adds would otherwise fail the benchmark
only when someone runs it."""

import pytest
from django.apps import apps
from django.db.models import NOT_PROVIDED

from benchmarks.list_seed import TABLES

MODELS = {model._meta.db_table: model for model in apps.get_models()}


@pytest.mark.parametrize(("table", "columns"), [(table, columns) for table, columns, _make in TABLES])
def test_every_required_column_is_seeded(table, columns):
    model = MODELS[table]
    required = {field.column for field in model._meta.concrete_fields
                if not field.null and not field.primary_key and field.db_default is NOT_PROVIDED}
    assert required - set(columns) == set()


@pytest.mark.parametrize(("table", "columns", "make"), TABLES)
def test_each_row_has_a_value_for_each_column(table, columns, make):
    from benchmarks.list_seed import Seeder

    rows = list(make(Seeder(3, seed=1), admin_id=1, sealed="sealed"))
    assert len(rows) == 3 and {len(row) for row in rows} == {len(columns)}
