"""Reads for the console. The pending list pages by keyset (``lib.pagination``): the first page, a
search and the last page cost the same with 1,000,000 rows as with 10."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import Device, PendingEnrollment, Platform, Source, State
from lib.pagination import FAR_FUTURE, KeysetPage, keyset_page
from restrictions.models import CorporateIdentifier

# An OTP without expiry ("Unlimited") sorts as the furthest expiry, on SQLite as on PostgreSQL; the
# index pending_expires_sort_idx holds exactly this expression.
EXPIRES_SORT_KEY = Coalesce("otp_expires_at", models.Value(FAR_FUTURE), output_field=models.DateTimeField())
SORTS: dict[str, str | Any] = {
    "username": "username",
    "mobile": "mobile",
    "expires": EXPIRES_SORT_KEY,
    "created": "created_at",
    "source": "source",
    "state": "state",
}
DEFAULT_SORT = "-created"


def pending_get(user: User | AnonymousUser, token: str) -> PendingEnrollment:
    """The pending enrollment named in a URL, through the user's scope (404 if not visible)."""
    if not user.has_perm("enrollment.view_pendingenrollment"):
        raise PermissionDenied
    return get_object_or_404(PendingEnrollment.objects.restrict(user), token=token)


def normalise_sort(sort: str) -> str:
    return sort if sort.lstrip("-") in SORTS else DEFAULT_SORT


def pending_list_page(
    user: User | AnonymousUser,
    *,
    search: str = "",
    source: str = "",
    state: str = "",
    sort: str = DEFAULT_SORT,
    position: str = "",
    page_size: int = 25,
) -> KeysetPage[PendingEnrollment]:
    """The page at ``position`` (``lib.pagination``) of the pending enrollments ``user`` may see."""
    qs = PendingEnrollment.objects.restrict(user).search(search)
    if source in Source.values:
        qs = qs.filter(source=source)
    if state in State.values:
        qs = qs.filter(state=state)
    sort = normalise_sort(sort)
    key = SORTS[sort.lstrip("-")]
    return keyset_page(qs, key=key, descending=sort.startswith("-"), position=position, page_size=page_size,
                       key_field=None if isinstance(key, str) else models.DateTimeField())


def device_list_page(
    user: User | AnonymousUser, *, search: str = "", platform: str = "", position: str = "", page_size: int = 25
) -> KeysetPage[Device]:
    """The page at ``position`` of the devices ``user`` may see, newest enrollment first. Each has
    ``corporate``: whether it enrolled with a corporate identifier (Admin > Enrollment restrictions):
    one index probe per row of the page (PostgreSQL leaves the unused column out of the count)."""
    devices = Device.objects.restrict(user).search(search).annotate(
        corporate=models.Exists(CorporateIdentifier.objects.filter(device=models.OuterRef("pk"))))
    if platform in Platform.values:
        devices = devices.filter(platform=platform)
    return keyset_page(devices, key="enrolled_at", descending=True, position=position, page_size=page_size)
