"""A real webhook receiver for the tests: an HTTP server on 127.0.0.1 (a thread, a free port) that
checks every request's signature with the ``standardwebhooks`` verifier, as an integrator's receiver
would, and answers what the test tells it to. It can be stopped and started again on its port (the
receiver down for a while)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.outside import DEFAULT_WAIT_SECONDS, free_port, wait_for


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool  # the signature checked out with the path's secret
    problem: str = ""  # why not

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Answer:
    status: int = 200
    body: bytes = b'{"ok": true}'
    delay: float = 0.0  # seconds before answering (a slow receiver)


@dataclass
class WebhookReceiver:
    port: int = field(default_factory=free_port)
    secrets: dict[str, str] = field(default_factory=dict)  # path -> the endpoint's secret
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)  # answered in turn; then ``default``
    default: Answer = field(default_factory=Answer)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hooks") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        """Down: nothing listens on the port any more (a connection is refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, *, timeout: float = DEFAULT_WAIT_SECONDS) -> list[Received]:
        wait_for(lambda: len(self.received) >= count, timeout=timeout, what=f"{count} webhook request(s)")
        return list(self.received)

    def take(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            return self.answers.pop(0) if self.answers else self.default


def _handler(state: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server hook
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            secret = state.secrets.get(self.path)
            verified, problem = False, "no secret for this path"
            if secret:
                try:
                    Webhook(secret).verify(body, headers)
                    verified, problem = True, ""
                except WebhookVerificationError as exc:
                    problem = str(exc)
            answer = state.take(Received(self.path, headers, body, verified, problem))
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                self.close_connection = True  # the sender gave up waiting (a timeout test)

    return Handler


def running_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
