"""Redis and Celery as production runs them, for the tests that need the real thing (registered in
tests/conftest.py beside ``tests.outside``):

- ``own_redis`` (function-scoped): a redis-server of the test's own that the test can stop and start.
- ``redis_cache``: Django's cache on the suite's Redis (settings.TEST_REDIS_URL), as production has
  it, with a raw client to read exactly what was stored.
- ``celery_worker_real``: a real Celery worker (in-process thread, pool solo) consuming from the
  suite's Redis (settings.TEST_REDIS_URL), with eager mode off. Use it with
  ``pytest.mark.django_db(transaction=True)``: the worker has its own database connection and only
  sees committed rows.
- ``celery_broker``, ``suite_broker``, ``running_worker``: the pieces, for tests that stop the broker.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.outside import free_port, wait_for

# --- Redis of a test's own ----------------------------------------------------------------------


class RedisProcess:
    """A redis-server of this test's own, on a fixed port, that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="onramp-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), what="redis-server answering")

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None


def _pings(client: Any) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    """A Redis of the test's own (``.stop()`` and ``.start()`` it to simulate an outage)."""
    server = RedisProcess()
    server.start()
    yield server
    if server.process is not None:
        server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


# --- Celery -------------------------------------------------------------------------------------


@contextlib.contextmanager
def celery_broker(broker_url: str) -> Iterator[Any]:
    """Point the project's Celery app at ``broker_url`` with eager mode off and production's Redis
    transport options, then put it back. Publishing goes to that broker; a broker that is down makes
    ``.delay()`` raise (after one quick retry, as in production: the suite's settings have no Redis)."""
    from django.conf import settings

    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = dict(settings.REDIS_BROKER_TRANSPORT_OPTIONS)
    _reset_pools(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_pools(app)


def _reset_pools(app: Any) -> None:
    # Connection and producer pools are per broker URL and kombu keeps them process-wide: drop the
    # app's cached references and kombu's registry, so the next publish uses the broker configured
    # now and a pool closed by an earlier use is never handed out again ("Acquire on closed pool").
    import kombu.pools

    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    kombu.pools.reset()  # type: ignore[no-untyped-call]  # kombu has no annotations there


@contextlib.contextmanager
def suite_broker(settings: Any) -> Iterator[Any]:
    """``celery_broker`` on the suite's Redis (settings.TEST_REDIS_URL; ``settings`` is pytest-django's
    fixture), eager mode off: for tests with a real worker, in this process or another."""
    if not settings.TEST_REDIS_URL:
        raise RuntimeError("Tests with a real Celery worker need REDIS_URL (it becomes settings.TEST_REDIS_URL).")
    # celery_broker first: the app reads its configuration from Django's settings the first time it
    # is asked, and must save the suite's (eager) value, not this test's, to put back afterwards.
    with celery_broker(settings.TEST_REDIS_URL) as app:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield app


@contextlib.contextmanager
def running_worker(app: Any) -> Iterator[Any]:
    """A real Celery worker for ``app`` in a thread of this process (so ``settings`` changes made by
    the test reach it). It closes its database connections after each task, so the test database
    can be dropped at the end."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**_: Any) -> None:
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    # Stopping, the worker closes its connection only once the blocking read of its queues (BRPOP) has
    # answered: kombu waits up to polling_interval (1 s unless set) for it. A tenth of a second here stops
    # it that much sooner after each test; what reaches the worker is the same.
    saved = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**saved, "polling_interval": 0.1}
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30) as worker:
            yield worker
    finally:
        app.conf.broker_transport_options = saved
        task_postrun.disconnect(close_connections)


@pytest.fixture
def celery_worker_real(settings: Any) -> Iterator[Any]:
    """A real Celery worker on the suite's Redis (settings.TEST_REDIS_URL), eager mode off. Stale
    tasks left in the queue by an earlier run are purged first."""
    with suite_broker(settings) as app:
        app.control.purge()
        with running_worker(app) as worker:
            yield worker


# --- Cache --------------------------------------------------------------------------------------


@dataclass
class RawRedisCache:
    """What Django's Redis cache stored, read past Django: raw keys (``<prefix>:<version>:<key>``)
    and their raw values, byte for byte."""

    client: Any
    prefix: str

    def keys(self, pattern: str = "*") -> list[bytes]:
        return sorted(self.client.scan_iter(f"{self.prefix}:*:{pattern}"))

    def values(self, pattern: str = "*") -> list[bytes]:
        return [self.client.get(key) for key in self.keys(pattern)]


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[RawRedisCache]:
    """Django's default cache as production configures it, on the suite's Redis under a key prefix
    of its own (so nothing else in that database is touched); its keys are deleted afterwards."""
    import redis

    if not settings.TEST_REDIS_URL:
        pytest.fail("Run with REDIS_URL set: this test needs the real Redis (it becomes settings.TEST_REDIS_URL).")
    from lib.cache import cache_settings

    prefix = f"test-cache-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**cache_settings(settings.TEST_REDIS_URL), "KEY_PREFIX": prefix}}
    raw = RawRedisCache(client=redis.Redis.from_url(settings.TEST_REDIS_URL), prefix=prefix)
    try:
        yield raw
    finally:
        for key in raw.keys():
            raw.client.delete(key)
        raw.client.close()
