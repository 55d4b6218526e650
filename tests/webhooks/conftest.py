"""Fixtures of the webhook tests: a running receiver that verifies signatures, and endpoints made
through the service, their secrets known to the receiver."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from accounts.models import User
from audit.actor import Actor
from tests.redis_and_celery import celery_broker
from tests.webhooks.receiver import WebhookReceiver, running_receiver
from webhooks.models import Endpoint, Event
from webhooks.services import endpoint_create

# make_endpoint(events=[...], path="/hooks", enabled=True, name="HR") -> Endpoint
MakeEndpoint = Callable[..., Endpoint]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from running_receiver()


@pytest.fixture
def make_endpoint(receiver: WebhookReceiver, admin_user: User) -> MakeEndpoint:
    """An endpoint aimed at ``receiver`` (at ``path``), subscribed to ``events`` (default: all)."""

    def make(*, events: list[str] | None = None, path: str = "/hooks", enabled: bool = True, name: str = "HR",
             **_: Any) -> Endpoint:
        made = endpoint_create(name=name, url=receiver.url(path), events=events or list(Event.values),
                               enabled=enabled, actor=Actor.for_user(admin_user))
        receiver.secrets[path] = made.secret
        return made.endpoint

    return make


@pytest.fixture
def unconsumed_broker() -> Iterator[Any]:
    """Eager mode off and tasks published to an in-memory broker nobody consumes: the test attempts the
    deliveries itself (``webhooks.tasks.deliver``), and the retries it publishes wait there unseen."""
    with celery_broker("memory://") as app:
        yield app
