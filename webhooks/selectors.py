"""Reads of Admin > Webhooks, through ``restrict(user)``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import User
from lib.pagination import KeysetPage, keyset_page
from webhooks.models import Delivery, Endpoint, EndpointQuerySet

PAGE_SIZE = 50


def endpoints_listed(user: User | AnonymousUser) -> EndpointQuerySet:
    """The endpoints ``user`` may see, each with its latest delivery's event, status, code and time
    (one subquery per column on the (endpoint, created_at, id) index: a handful of endpoints)."""
    latest = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    return Endpoint.objects.restrict(user).annotate(
        last_event=Subquery(latest.values("event")[:1]), last_status=Subquery(latest.values("status")[:1]),
        last_code=Subquery(latest.values("response_code")[:1]), last_at=Subquery(latest.values("created_at")[:1]),
    ).order_by("name", "id")


def endpoint_get(user: User | AnonymousUser, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.restrict(user), pk=pk)


def delivery_get(user: User | AnonymousUser, pk: int) -> Delivery:
    return get_object_or_404(Delivery.objects.restrict(user).select_related("endpoint"), pk=pk)


def delivery_log_page(user: User | AnonymousUser, endpoint: Endpoint, *, position: str = "",
                      page_size: int = PAGE_SIZE) -> KeysetPage[Delivery]:
    """The endpoint's delivery log at ``position`` (``lib.pagination``), newest first."""
    rows = Delivery.objects.restrict(user).filter(endpoint=endpoint)
    return keyset_page(rows, key="created_at", descending=True, position=position, page_size=page_size)
