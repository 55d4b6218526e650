"""Real stand-ins for the outside systems, shared by every test (registered in tests/conftest.py).

Session-scoped servers (started once, on free ports):
- ``smtp_server``: an aiosmtpd SMTP server on 127.0.0.1 that keeps every message it receives.
- ``twilio_server``: an HTTP server speaking the slice of Twilio's REST API the twilio client uses
  to send an SMS (POST /2010-04-01/Accounts/{sid}/Messages.json).

``own_redis`` (function-scoped): a redis-server of the test's own that the test can stop and start.

Function-scoped fixtures that point Django's settings at them (through pytest-django's
``settings``) and start each test with an empty inbox:
- ``smtp``: EMAIL_BACKEND is Django's SMTP backend talking to ``smtp_server``.
- ``twilio``: TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_API_BASE_URL aim the real twilio client
  at ``twilio_server``.
- ``redis_cache``: Django's cache on the suite's Redis (settings.TEST_REDIS_URL), as production has
  it, with a raw client to read exactly what was stored.
- ``celery_worker_real``: a real Celery worker (in-process thread, pool solo) consuming from the
  suite's Redis (settings.TEST_REDIS_URL), with eager mode off. Use it with
  ``pytest.mark.django_db(transaction=True)``: the worker has its own database connection and only
  sees committed rows.

Waiting is done by polling with a deadline (``wait_for``), never by sleeping a fixed time.
"""

from __future__ import annotations

import base64
import contextlib
import email
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs

import pytest

DEFAULT_WAIT_SECONDS = 15.0
T = TypeVar("T")


def free_port() -> int:
    """A TCP port nobody listens on right now (aiosmtpd cannot use port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], *, timeout: float = DEFAULT_WAIT_SECONDS, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class ReceivedEmail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: Any = None  # the client's (host, port): one per SMTP connection

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    @property
    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(filename, content type, bytes) of every attachment."""
        found = []
        for part in self.message.iter_attachments():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append((str(part.get_filename()), part.get_content_type(), payload))
        return found


class SmtpServer:
    """What the aiosmtpd handler received. ``messages`` is in arrival order. Addresses in
    ``refused`` are answered 550 at RCPT TO (the connection stays usable, as with a real server)."""

    def __init__(self) -> None:
        self.messages: list[ReceivedEmail] = []
        self.refused: set[str] = set()
        self.host = "127.0.0.1"
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(ReceivedEmail(envelope.mail_from, list(envelope.rcpt_tos), parsed,
                                               peer=session.peer))
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd hook
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    @property
    def connections(self) -> int:
        """How many SMTP connections delivered the messages received so far."""
        return len({m.peer for m in self.messages})

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.refused.clear()

    def to(self, address: str) -> list[ReceivedEmail]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for(self, count: int, *, timeout: float = DEFAULT_WAIT_SECONDS) -> list[ReceivedEmail]:
        """Wait until at least ``count`` messages arrived; returns them all."""
        wait_for(lambda: len(self.messages) >= count, timeout=timeout, what=f"{count} email(s)")
        return list(self.messages)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    sink = SmtpServer()
    controller = Controller(sink, hostname=sink.host, port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer, settings: Any) -> SmtpServer:
    """Django's SMTP backend aimed at ``smtp_server`` (pytest-django forces locmem otherwise)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "onramp@onramp.test"
    smtp_server.clear()
    return smtp_server


# --- Twilio -------------------------------------------------------------------------------------


@dataclass
class ReceivedSms:
    account_sid: str
    auth: tuple[str, str]
    from_: str
    to: str
    body: str
    sid: str


@dataclass
class TwilioServer:
    """Answers like Twilio's Messages API. ``fail_numbers`` maps a To number to
    (HTTP status, Twilio error code, message) to answer with an error instead."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[ReceivedSms] = field(default_factory=list)
    fail_numbers: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    requests: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def clear(self) -> None:
        self.messages.clear()
        self.fail_numbers.clear()
        self.requests = 0

    def fail(self, number: str, *, status: int = 400, code: int = 21211, message: str | None = None) -> None:
        self.fail_numbers[number] = (status, code, message or f"The 'To' number {number} is not a valid phone number.")

    def wait_for(self, count: int, *, timeout: float = DEFAULT_WAIT_SECONDS) -> list[ReceivedSms]:
        wait_for(lambda: len(self.messages) >= count, timeout=timeout, what=f"{count} SMS")
        return list(self.messages)


def _twilio_handler(state: TwilioServer) -> type[BaseHTTPRequestHandler]:
    path_re = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json$")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server hook
            state.requests += 1
            match = path_re.match(self.path.split("?")[0])
            if not match:
                self._answer(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
                return
            auth = self.headers.get("Authorization", "")
            credentials = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth else ""
            user, _, password = credentials.partition(":")
            if user != match["sid"] or not password:
                self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            to, from_, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
            if to in state.fail_numbers:
                status, code, message = state.fail_numbers[to]
                self._answer(status, {"code": code, "message": message, "status": status,
                                      "more_info": f"https://www.twilio.com/docs/errors/{code}"})
                return
            sid = "SM" + uuid.uuid4().hex
            state.messages.append(ReceivedSms(match["sid"], (user, password), from_, to, body, sid))
            self._answer(201, {"sid": sid, "account_sid": match["sid"], "status": "queued", "to": to,
                               "from": from_, "body": body, "num_segments": "1", "direction": "outbound-api",
                               "uri": f"/2010-04-01/Accounts/{match['sid']}/Messages/{sid}.json"})

    return Handler


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[TwilioServer]:
    state = TwilioServer()
    server = ThreadingHTTPServer((state.host, 0), _twilio_handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


TWILIO_TEST_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TEST_TOKEN = "test-auth-token"


@pytest.fixture
def twilio(twilio_server: TwilioServer, settings: Any) -> TwilioServer:
    """Twilio settings aimed at ``twilio_server`` (account TWILIO_TEST_SID, token TWILIO_TEST_TOKEN)."""
    settings.TWILIO_ACCOUNT_SID = TWILIO_TEST_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TEST_TOKEN
    settings.TWILIO_API_BASE_URL = twilio_server.url
    twilio_server.clear()
    return twilio_server


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
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30) as worker:
            yield worker
    finally:
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


# --- Concurrency ----------------------------------------------------------------------------------


def concurrently(count: int, attempt: Callable[[int], T]) -> list[T]:
    """Run ``attempt(n)`` for n in 0..count-1, each in a thread of its own, all released at the same
    moment (a barrier); their answers, in the order they finished. Each thread closes its database
    connections, so a transactional test's database can be dropped afterwards."""
    from django.db import connections

    barrier = threading.Barrier(count)
    answers: list[T] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            answer = attempt(n)
            with lock:
                answers.append(answer)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers
