"""The live server (pytest-django's ``live_server``: the browser tests, the API fuzz run) answers on a few
long-lived threads that keep their database connection from one request to the next, as production does
(CONN_MAX_AGE). Registered in tests/conftest.py.

Django's test server starts a thread per request and closes that thread's database connections after it:
every page, form post, download and htmx poll of a browser test then starts a PostgreSQL backend of its
own (10-15 ms, most of it the server's processor time). Here each request is queued to one of
``HANDLERS`` threads; their connections are closed when the server stops. The server is not a
ThreadingMixIn, so Django's handler answers ``Connection: close`` and no thread waits on a kept-alive
socket while a request queues behind it.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from pytest_django.live_server_helper import LiveServer

HANDLERS = 4


class ConnectionKeepingWSGIServer(WSGIServer):
    def __init__(self, *args: Any, connections_override: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override or {}
        self._requests: queue.SimpleQueue[tuple[socket.socket, Any] | None] = queue.SimpleQueue()
        self._handlers = [threading.Thread(target=self._handle_requests, name=f"live-server-{n}", daemon=True)
                          for n in range(HANDLERS)]
        for handler in self._handlers:
            handler.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        self._requests.put((request, client_address))

    def _handle_requests(self) -> None:
        for alias, connection in self.connections_override.items():
            connections[alias] = connection  # an in-memory SQLite database, shared as Django's server does
        try:
            while (item := self._requests.get()) is not None:
                request, client_address = item
                try:
                    self.finish_request(request, client_address)
                except Exception:
                    self.handle_error(request, client_address)
                finally:
                    self.shutdown_request(request)
        finally:
            if not self.connections_override:
                connections.close_all()

    def server_close(self) -> None:
        super().server_close()
        for _ in self._handlers:
            self._requests.put(None)
        for handler in self._handlers:
            handler.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, django_db_setup: None) -> Iterator[LiveServer]:
    """pytest-django's live_server (the same address: --liveserver, DJANGO_LIVE_TEST_SERVER_ADDRESS or
    localhost) on ConnectionKeepingWSGIServer. It needs the test database set up first, so that it is
    stopped, and its connections closed, before the database is dropped."""
    from django.test.testcases import LiveServerThread

    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", ConnectionKeepingWSGIServer)
        server = LiveServer(address)  # started: its thread has made its server
    yield server
    server.stop()
