"""Keyset pagination (lib.pagination): pages in order with ties on the sort key, from either end, rows
inserted between requests neither repeated nor skipped, and the same queries whatever the row count."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from enrollment.models import Device
from lib import pagination
from lib.pagination import keyset_page
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db]

NOON = datetime(2024, 5, 1, 12, tzinfo=UTC)


def device(name: str, minutes: int) -> Device:
    return Device.objects.create(username=name, platform="android", enrollment_token="t" * 32, source="single",
                                 enrolled_at=NOON + timedelta(minutes=minutes))


@pytest.fixture
def tied() -> list[str]:
    """Seven devices, three of them enrolled at the same minute; the list order (newest first, then the
    higher id first) as names."""
    for name, minutes in [("a", 1), ("b", 2), ("c", 3), ("d", 3), ("e", 3), ("f", 4), ("g", 5)]:
        device(name, minutes)
    return [d.username for d in Device.objects.order_by("-enrolled_at", "-id")]


def page(position: str = "", size: int = 2) -> pagination.KeysetPage[Device]:
    return keyset_page(Device.objects.all(), key="enrolled_at", descending=True, position=position, page_size=size)


def names(p: pagination.KeysetPage[Device]) -> list[str]:
    return [d.username for d in p]


def test_the_order_breaks_ties_on_the_key_by_id(tied):
    assert tied == ["g", "f", "e", "d", "c", "b", "a"]


def walk(start: str, *, forward: bool) -> list[list[str]]:
    """Names page by page from ``start``, following Next (forward) or Previous until there is none; every
    page after the first must link back the way it came."""
    seen, current = [], page(start)
    while True:
        seen.append(names(current))
        if not (current.has_next if forward else current.has_previous):
            return seen
        current = page(current.next_position if forward else current.previous_position)
        assert current.has_previous if forward else current.has_next


def test_next_walks_every_row_once_in_order_through_ties(tied):
    assert not page().has_previous
    assert walk("", forward=True) == [["g", "f"], ["e", "d"], ["c", "b"], ["a"]]


def test_last_then_previous_walks_every_row_once_back_to_the_start(tied):
    assert not page(pagination.LAST).has_next
    assert walk(pagination.LAST, forward=False) == [["b", "a"], ["d", "c"], ["f", "e"], ["g"]]


def test_ascending_pages_read_the_ties_the_other_way(tied):
    first = keyset_page(Device.objects.all(), key="enrolled_at", descending=False, position="", page_size=3)
    second = keyset_page(Device.objects.all(), key="enrolled_at", descending=False, position=first.next_position,
                         page_size=3)
    assert (names(first), names(second)) == (["a", "b", "c"], ["d", "e", "f"])


def test_a_row_inserted_between_requests_is_neither_repeated_nor_skipped(tied):
    first = page()
    second = page(first.next_position)
    assert names(second) == ["e", "d"]
    # Between the requests: one row in the tie the second page ended in, one newer than everything shown,
    # one older than everything; and the second page's last row is deleted.
    device("tie", 3)  # same minute as c, d, e and a higher id: sorts before e, on a page already passed
    device("newest", 9)
    device("oldest", 0)
    Device.objects.filter(username="d").delete()
    rest = [name for names_ in walk(second.next_position, forward=True) for name in names_]
    shown = names(first) + names(second) + rest
    assert rest == ["c", "b", "a", "oldest"]
    assert len(shown) == len(set(shown))
    # Previous from there reads back what is now before it: the new row in the tie included.
    assert names(page(page(second.next_position).previous_position, size=3)) == ["f", "tie", "e"]


@pytest.mark.parametrize("position", ["", "last", "after", "before"])
def test_every_page_takes_two_queries_whatever_the_row_count(position):
    counts = []
    for total in (4, 40):
        Device.objects.all().delete()
        for n in range(total):
            device(f"user{n}", n)
        start = page("", size=2)
        at = {"": "", "last": "last", "after": start.next_position, "before": page("last", 2).previous_position}
        with CaptureQueriesContext(connection) as queries:
            result = page(at[position])
        assert len(result) == 2
        counts.append(len(queries))
    assert counts == [2, 2]


def test_a_list_takes_the_same_queries_for_every_page_with_5_rows_as_with_40(make_pending, helpdesk_user, settings):
    settings.PENDING_LIST_PAGE_SIZE = 2
    client = client_for(helpdesk_user)
    counts = []
    for more in (5, 35):
        for n in range(more):
            make_pending(f"user{more}-{n}")
        first = client.get("/devices/pending/").context["page"]
        per_page = []
        for position in ("", "last", first.next_position, first.next_position.replace("after.", "before.")):
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/devices/pending/", {"page": position, "q": ""}).status_code == 200
            per_page.append(len(queries))
        counts.append(per_page)
    assert counts[0] == counts[1]
    assert len(set(counts[0])) == 1


def test_the_count_is_exact_up_to_the_cap_and_more_than_above(monkeypatch, make_pending, helpdesk_user):
    for n in range(4):
        make_pending(f"user{n}")
    client = client_for(helpdesk_user)
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    assert "4 pending enrollments." in client.get("/devices/pending/").content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    response = client.get("/devices/pending/")
    assert response.context["page"].count_capped
    assert "More than 3 pending enrollments." in response.content.decode()


def test_an_expression_key_needs_its_field():
    with pytest.raises(ValueError, match="key_field"):
        keyset_page(Device.objects.all(), key=F("enrolled_at"), descending=True, position="",
                    page_size=2)
