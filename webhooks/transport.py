"""The one module that talks HTTP to webhook receivers (the standard library's ``http.client``:
no redirects followed, connections kept alive per receiver for a batch).

A receiver's answer, whatever its status, is a ``Response``; only a failure to get one (refused
connection, DNS, TLS, timeout, a connection dropped mid-answer) raises ``WebhookTransportError``.
The timeout (WEBHOOK_TIMEOUT_SECONDS) bounds connecting and each read, and reading the answer as a
whole: a receiver that drips its answer is cut off.
"""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

USER_AGENT = "Onramp-Webhooks/1.0"
# Of the answer only this much is read (the log keeps an excerpt); a longer one closes the connection.
READ_LIMIT = 16 * 1024


class WebhookTransportError(Exception):
    """No answer from the receiver: the connection or the TLS handshake failed, or it timed out."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most READ_LIMIT bytes of the answer

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


Origin = tuple[str, str, int]


class HttpSession:
    """Open connections to the receivers of one batch, one per origin; ``close()`` ends them."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout)
        self._open: dict[Origin, http.client.HTTPConnection] = {}

    def close(self) -> None:
        for connection in self._open.values():
            connection.close()
        self._open.clear()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        """POST ``body`` to ``url``. A kept-alive connection the receiver closed meanwhile is
        retried once on a new one (nothing was answered on it, so nothing was received twice)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise WebhookTransportError(f"Not an http(s) URL: {parts.scheme}://{parts.hostname or ''}")
        origin: Origin = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
        reused = origin in self._open
        try:
            return self._post(origin, target, body, headers)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if not reused:
                raise WebhookTransportError(f"The receiver closed the connection: {exc or type(exc).__name__}") from exc
        try:
            return self._post(origin, target, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise WebhookTransportError(_describe(exc)) from exc

    def _post(self, origin: Origin, target: str, body: bytes, headers: dict[str, str]) -> Response:
        connection = self._open.get(origin) or self._connect(origin)
        self._open[origin] = connection
        try:
            deadline = time.monotonic() + self.timeout
            connection.request("POST", target, body=body, headers=headers)
            answer = connection.getresponse()
            read = _read_some(answer, deadline)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self._drop(origin)
            raise
        except (OSError, http.client.HTTPException) as exc:
            self._drop(origin)
            raise WebhookTransportError(_describe(exc)) from exc
        if answer.will_close or not answer.isclosed():
            self._drop(origin)  # the receiver ends it, or more answer is left than was read
        return Response(status=answer.status, body=read)

    def _connect(self, origin: Origin) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout, context=_tls())
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _drop(self, origin: Origin) -> None:
        connection = self._open.pop(origin, None)
        if connection is not None:
            connection.close()


def _read_some(answer: http.client.HTTPResponse, deadline: float) -> bytes:
    """Up to READ_LIMIT bytes of the answer, read by the deadline (else TimeoutError)."""
    chunks: list[bytes] = []
    size = 0
    while size < READ_LIMIT:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took longer than the timeout")
        chunk = answer.read1(READ_LIMIT - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "Timed out: no answer within the timeout."
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "Connection refused."
    return f"{type(exc).__name__}: {exc}"
