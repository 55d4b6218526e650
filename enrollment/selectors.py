"""Reads for the console. The pending list pages from whichever end of the ordering is nearer,
so the first and the last page cost the same with 100,000 rows as with 10."""

from dataclasses import dataclass
from math import ceil

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, OrderBy
from django.shortcuts import get_object_or_404

from accounts.models import User
from enrollment.models import PendingEnrollment, Source, State

SORTS = {
    "username": "username",
    "mobile": "mobile",
    "expires": "otp_expires_at",
    "created": "created_at",
    "source": "source",
    "state": "state",
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class ListPage:
    rows: list[PendingEnrollment]
    number: int
    num_pages: int
    count: int
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return 0 if self.count == 0 else (self.number - 1) * self.page_size + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0


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
    page: int = 1,
    page_size: int = 25,
) -> ListPage:
    qs = PendingEnrollment.objects.restrict(user).search(search)
    if source in Source.values:
        qs = qs.filter(source=source)
    if state in State.values:
        qs = qs.filter(state=state)
    sort = normalise_sort(sort)
    column = F(SORTS[sort.lstrip("-")])
    # A missing value sorts as the largest: "Unlimited" (no OTP expiry) comes last when ascending,
    # first when descending, on SQLite as on PostgreSQL (they differ by default).
    ascending: list[str | OrderBy] = [column.asc(nulls_last=True), "id"]
    descending: list[str | OrderBy] = [column.desc(nulls_first=True), "-id"]
    forward, backward = (descending, ascending) if sort.startswith("-") else (ascending, descending)

    count = qs.count()
    num_pages = max(1, ceil(count / page_size))
    number = min(max(page, 1), num_pages)
    start = (number - 1) * page_size
    stop = min(start + page_size, count)
    if start <= count - stop:
        rows = list(qs.order_by(*forward)[start:stop])
    else:
        # Nearer the end: read the reversed ordering from its start, then turn the slice round.
        rows = list(qs.order_by(*backward)[count - stop : count - start])
        rows.reverse()
    return ListPage(rows=rows, number=number, num_pages=num_pages, count=count, page_size=page_size)
