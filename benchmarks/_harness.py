"""Small shared helpers for the benchmark scripts in this directory.

Typical use::

    from _harness import bench_database_url, recreate_database, setup_django, migrate, timed

    url = bench_database_url("onramp_bench_x")      # BENCH_DATABASE_URL's server, this database name
    recreate_database(url)                           # DROP + CREATE (PostgreSQL only)
    setup_django(url)                                # settings from config.settings, throwaway secrets
    migrate()
    timing = timed(lambda: client.get("/"), repeat=30, warmup=3)
    print_table(["case", "median ms"], [["home", ms(timing.median)]])
    write_results("x", {...})                        # benchmarks/results/x-<timestamp>.json

Figures are meant to be compared as ratios within one run (absolute times drift on shared machines).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# The project's packages (config, the apps, tests.outside's free_port and wait_for) import from here.
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


# --- timing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples of one callable, in seconds."""

    samples: list[float] = field(repr=False)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile, ``q`` between 0 and 1."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    @property
    def p90(self) -> float:
        return self.percentile(0.9)

    @property
    def mean(self) -> float:
        return statistics.mean(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    def as_dict(self) -> dict[str, Any]:
        return {"n": len(self.samples), "median_s": self.median, "p90_s": self.p90, "min_s": self.minimum,
                "samples_s": self.samples}


def timed(fn: Callable[[], object], *, repeat: int = 30, warmup: int = 3) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed (perf_counter)."""
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def time_once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def proc_status_kb(field: str, pid: int | str = "self") -> int:
    """A memory figure of /proc/<pid>/status in kB: VmHWM (peak resident), VmRSS ..."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/{pid}/status")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "n/a"


# --- output -------------------------------------------------------------------------------


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: left-aligned first column, right-aligned others."""
    cells = [[str(c) for c in columns]] + [[str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]

    def line(row: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def print_table(columns: Sequence[str], rows: Sequence[Sequence[object]], *, title: str = "") -> None:
    if title:
        print(f"\n{title}")
    print(format_table(columns, rows))


@dataclass(frozen=True)
class Target:
    """One target of SPEC "Performance" and the figure this run measured for it.

    ``value`` is a ratio against a baseline of the same run (unit "x"), or seconds for the test
    command. ``at_least`` targets (throughput, delivery rate) are met at or above ``limit``, the
    others at or below it. ``detail`` says what was compared (shown by run_all.py).
    """

    name: str
    value: float
    limit: float
    unit: str = "x"
    at_least: bool = False
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    @property
    def rule(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.limit:g}{self.unit}"

    @property
    def figure(self) -> str:
        return f"{self.value:.2f}{self.unit}"

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.name, "rule": self.rule, "figure": self.figure, "value": self.value,
                "limit": self.limit, "unit": self.unit, "at_least": self.at_least, "met": self.met,
                "detail": self.detail}


def print_targets(targets: Sequence[Target], *, title: str = "Targets") -> None:
    print_table(["target", "rule", "figure", "", "detail"],
                [[t.name, t.rule, t.figure, "met" if t.met else "MISSED", t.detail] for t in targets], title=title)


def write_results(name: str, payload: dict[str, Any], *, targets: Sequence[Target] = ()) -> Path:
    """Write ``payload`` (plus timestamp, host facts and ``targets``) to
    benchmarks/results/<name>-<UTC stamp>.json, and to $BENCH_RESULT_FILE too when set (run_all.py
    reads each benchmark's targets from there)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    path = RESULTS_DIR / f"{name}-{now:%Y%m%dT%H%M%SZ}.json"
    document = {"benchmark": name, "at": now.isoformat(), "python": sys.version.split()[0],
                "cpus": os.cpu_count(), **payload, "targets": [t.as_dict() for t in targets]}
    text = json.dumps(document, indent=2, default=_json_default) + "\n"
    path.write_text(text)
    if os.environ.get("BENCH_RESULT_FILE"):
        Path(os.environ["BENCH_RESULT_FILE"]).write_text(text)
    return path


def _json_default(value: object) -> object:
    if isinstance(value, Timing | Target):
        return value.as_dict()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)  # type: ignore[call-overload]
    return str(value)


# --- PostgreSQL benchmark databases ---------------------------------------------------------


def bench_database_url(name: str, *, base: str | None = None) -> str:
    """``base`` (default: $BENCH_DATABASE_URL, else the local server) with its database name set to ``name``."""
    parts = urlsplit(base or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER_URL)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"Benchmarks need PostgreSQL; got {parts.scheme}:// in BENCH_DATABASE_URL.")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def _server_connection(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None, dbname="postgres", autocommit=True,
    )


def drop_database(url: str) -> None:
    from psycopg import sql

    with _server_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url))))


def recreate_database(url: str) -> None:
    """Drop (if present) and create the database named in ``url``."""
    from psycopg import sql

    drop_database(url)
    with _server_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(url))))


def database_exists(url: str) -> bool:
    with _server_connection(url) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]).fetchone()
    return row is not None


# --- Django ---------------------------------------------------------------------------------


def setup_django(database_url: str, *, settings_module: str = "config.settings",
                 env: dict[str, str] | None = None) -> None:
    """Configure and start Django against ``database_url``.

    Works from a clean checkout: throwaway SECRET_KEY and OTP_ENCRYPTION_KEY unless the
    environment has them, no .env file, no HTTPS redirects (the test Client speaks plain HTTP).
    ``env`` entries override the environment (e.g. {"REDIS_URL": ...} for a real broker).
    """
    from cryptography.fernet import Fernet

    defaults = {
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "OTP_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ONRAMP_ENV_FILE": "/nonexistent",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    os.environ.update(env or {})
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module

    import warnings

    import django

    # WhiteNoise warns when collectstatic never ran; benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def analyze() -> None:
    """Refresh planner statistics (do this after seeding, before measuring)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def switch_database(url: str) -> None:
    """Point Django's default connection at another (migrated) database until switched again."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database_name(url)


@contextmanager
def count_queries() -> Iterator[list[dict[str, Any]]]:
    """Yields a list that holds, once the block has ended, the queries run inside it
    (Django's CaptureQueriesContext; each a dict with "sql" and "time" in seconds as text)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        captured: list[dict[str, Any]] = []
        yield captured
    captured.extend(ctx.captured_queries)
