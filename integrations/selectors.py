"""Reads for Admin > API keys and the integration API, through ``restrict`` like every console read:
the API's caller answers ``has_perm`` from its key's scopes (``integrations.keys.ApiCaller``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from enrollment.models import Device, PendingEnrollment
from integrations.models import ApiKey
from lib.pagination import KeysetPage, keyset_page

Row = TypeVar("Row", bound=Model)


def api_key_list(user: Any) -> list[ApiKey]:
    return list(ApiKey.objects.restrict(user).order_by("revoked_at", "-created_at", "-id")[:500])


def pending_page(caller: Any, *, username: str | None, state: str | None, source: str | None,
                 created_since: datetime | None, position: str, page_size: int) -> KeysetPage[PendingEnrollment]:
    """Newest first; ``position`` a ``lib.pagination`` position (the API's cursor)."""
    pending = _given(PendingEnrollment.objects.restrict(caller), username=username, state=state, source=source,
                     created_at__gte=created_since)
    return keyset_page(pending, key="created_at", descending=True, position=position, page_size=page_size)


def device_page(caller: Any, *, username: str | None, platform: str | None, enrolled_since: datetime | None,
                position: str, page_size: int) -> KeysetPage[Device]:
    """Newest enrollment first, as the Devices list."""
    devices = _given(Device.objects.restrict(caller), username=username, platform=platform,
                     enrolled_at__gte=enrolled_since)
    return keyset_page(devices, key="enrolled_at", descending=True, position=position, page_size=page_size)


def _given(queryset: QuerySet[Row], **lookups: Any) -> QuerySet[Row]:
    """``queryset`` filtered by the lookups whose value was given (not None): the API's optional filters."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value is not None})


def pending_for(caller: Any, token: str, action: str = "view") -> PendingEnrollment | None:
    """The pending enrollment ``token`` names, if ``caller`` may ``action`` it."""
    return PendingEnrollment.objects.restrict(caller, action).filter(token=token).first()
