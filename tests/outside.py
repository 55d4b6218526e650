"""Real stand-ins for the outside systems, shared by every test (registered in tests/conftest.py).

Session-scoped servers (started once, on free ports):
- ``smtp_server``: an aiosmtpd SMTP server on 127.0.0.1 that keeps every message it receives.
- ``twilio_server``: an HTTP server speaking the slice of Twilio's REST API the twilio client uses
  to send an SMS (POST /2010-04-01/Accounts/{sid}/Messages.json).

Function-scoped fixtures that point Django's settings at them (through pytest-django's
``settings``) and start each test with an empty inbox:
- ``smtp``: EMAIL_BACKEND is Django's SMTP backend talking to ``smtp_server``.
- ``twilio``: TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_API_BASE_URL aim the real twilio client
  at ``twilio_server``.

Redis and Celery (a test's own redis-server, the suite's broker, a real worker, the cache as
production has it) are in ``tests.redis_and_celery``.

Waiting is done by polling with a deadline (``wait_for``), never by sleeping a fixed time.
"""

from __future__ import annotations

import base64
import email
import json
import re
import socket
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
