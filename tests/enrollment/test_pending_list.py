from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.models import PendingEnrollment, Source, State
from enrollment.otp import OtpRule
from lib.pagination import KeysetPage
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db]

SORT_FIELDS = {"username": "username", "mobile": "mobile", "expires": "otp_expires_at",
               "created": "created_at", "source": "source", "state": "state"}


@pytest.mark.smoke
def test_it_lists_pending_enrollments_for_a_helpdesk_user(make_pending, helpdesk_user):
    made = make_pending("alice", mobile="+491712345678")
    response = client_for(helpdesk_user).get("/devices/pending/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice" in html and "+491712345678" in html
    assert made.enrollment.token in html
    for column in ("View OTP", "Username", "Mobile", "OTP Expires", "Token", "Reset OTP", "Delete", "Source", "State"):
        assert f">{column}<" in html or f">{column} " in html or f"{column}</a>" in html, column
    assert made.otp not in html


@pytest.mark.smoke
def test_it_finds_an_enrollment_by_search(make_pending, helpdesk_user):
    make_pending("alice")
    make_pending("bob")
    response = client_for(helpdesk_user).get("/devices/pending/", {"q": "ali"})
    assert [e.username for e in response.context["page"].rows] == ["alice"]


def test_it_searches_by_mobile_and_by_token_prefix(make_pending, helpdesk_user):
    make_pending("alice", mobile="+491711111111")
    bob = make_pending("bob", mobile="+491722222222").enrollment
    client = client_for(helpdesk_user)
    assert [e.username for e in client.get("/devices/pending/", {"q": "1722"}).context["page"].rows] == ["bob"]
    by_token = client.get("/devices/pending/", {"q": bob.token[:10]}).context["page"].rows
    assert [e.username for e in by_token] == ["bob"]
    # A token matches by its start only.
    assert client.get("/devices/pending/", {"q": bob.token[5:15]}).context["page"].count == 0


@pytest.mark.parametrize("typed", ["0171 2345678", "(0171) 2345678", "+49 171 2345678", "491712345678",
                                   "0049 171 2345678"])
def test_a_mobile_typed_as_people_write_it_finds_its_e164_form(make_pending, helpdesk_user, settings, typed):
    settings.PHONE_DEFAULT_REGION = "DE"
    make_pending("alice", mobile="+491712345678")
    make_pending("bob", mobile="+491712345679")
    rows = client_for(helpdesk_user).get("/devices/pending/", {"q": typed}).context["page"].rows
    assert [e.username for e in rows] == ["alice"]


def test_it_filters_by_source_and_state(make_pending, helpdesk_user):
    make_pending("alice", source=Source.SINGLE)
    make_pending("bob", source=Source.BULK)
    carol = make_pending("carol", source=Source.BULK).enrollment
    PendingEnrollment.objects.filter(pk=carol.pk).update(state=State.LOCKED)
    client = client_for(helpdesk_user)

    def names(**params: str) -> list[str]:
        return sorted(e.username for e in client.get("/devices/pending/", params).context["page"].rows)

    assert names(source="bulk") == ["bob", "carol"]
    assert names(state="locked") == ["carol"]
    assert names(source="bulk", state="active") == ["bob"]
    assert names(source="nonsense") == ["alice", "bob", "carol"]


@pytest.fixture
def varied(make_pending):
    """Five enrollments whose every sortable column differs."""
    now = timezone.now()
    rows = []
    for i, (name, mobile, source, state) in enumerate([
        ("dave", "+491700000004", Source.QR, State.ACTIVE),
        ("alice", "+491700000009", Source.BULK, State.LOCKED),
        ("eve", "+491700000001", Source.SELF, State.EXPIRED),
        ("carol", "+491700000007", Source.SINGLE, State.ACTIVE),
        ("bob", "+491700000002", Source.BULK, State.ACTIVE),
    ]):
        rule = OtpRule(validity_hours=10 + (i * 7) % 5)
        e = make_pending(name, mobile=mobile, source=source, otp_rule=rule).enrollment
        PendingEnrollment.objects.filter(pk=e.pk).update(state=state, created_at=now - timedelta(minutes=(i * 3) % 5))
        rows.append(e.pk)
    return list(PendingEnrollment.objects.filter(pk__in=rows))


@pytest.mark.parametrize("key", list(SORT_FIELDS))
@pytest.mark.parametrize("descending", [False, True])
def test_it_sorts_each_column_both_ways(varied, helpdesk_user, key, descending):
    field = SORT_FIELDS[key]
    expected = sorted(varied, key=lambda e: (getattr(e, field), e.pk), reverse=descending)
    sort = f"-{key}" if descending else key
    rows = client_for(helpdesk_user).get("/devices/pending/", {"sort": sort}).context["page"].rows
    assert [e.username for e in rows] == [e.username for e in expected]


@pytest.fixture
def seven(make_pending, settings):
    settings.PENDING_LIST_PAGE_SIZE = 3
    for name in ["g", "c", "a", "e", "b", "f", "d"]:
        make_pending(f"user-{name}")


def _names(page: KeysetPage[PendingEnrollment]) -> list[str]:
    return [e.username.removeprefix("user-") for e in page.rows]


@pytest.mark.parametrize(("sort", "forward"), [
    ("username", [["a", "b", "c"], ["d", "e", "f"], ["g"]]),
    ("-username", [["g", "f", "e"], ["d", "c", "b"], ["a"]]),
])
def test_next_walks_every_row_once_in_order_and_last_reads_from_the_end(seven, helpdesk_user, sort, forward):
    client = client_for(helpdesk_user)
    pages, position = [], ""
    while True:
        page = client.get("/devices/pending/", {"sort": sort, "page": position}).context["page"]
        pages.append(page)
        if not page.has_next:
            break
        position = page.next_position
    assert [_names(p) for p in pages] == forward
    assert [(p.has_previous, p.has_next) for p in pages] == [(False, True), (True, True), (True, False)]
    assert pages[0].count == 7 and not pages[0].count_capped

    # The last page is the last three rows, read from the far end; Previous goes back towards the start.
    everything = [name for rows in forward for name in rows]
    last = client.get("/devices/pending/", {"sort": sort, "page": "last"}).context["page"]
    assert (_names(last), last.has_previous, last.has_next) == (everything[-3:], True, False)
    back = client.get("/devices/pending/", {"sort": sort, "page": last.previous_position}).context["page"]
    assert (_names(back), back.has_previous, back.has_next) == (everything[1:4], True, True)
    start = client.get("/devices/pending/", {"sort": sort, "page": back.previous_position}).context["page"]
    assert (_names(start), start.has_previous, start.has_next) == (everything[:1], False, True)


def test_the_last_page_says_how_many_there_are_and_links_back(seven, helpdesk_user):
    response = client_for(helpdesk_user).get("/devices/pending/", {"sort": "username", "page": "last"})
    html = response.content.decode()
    assert "7 pending enrollments." in html
    assert 'rel="prev"' in html and ">First</a>" in html
    assert 'rel="next"' not in html and ">Last</a>" not in html


@pytest.mark.parametrize("position", ["x", "2", "99", "after.", "after.!!", "before.bm90IGpzb24", "after.WzEsMl0",
                                      "after.WyJub3QgYSBkYXRlIiwxXQ", "after.WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwxXQ"])
def test_a_page_position_it_cannot_read_shows_the_first_page(seven, helpdesk_user, position):
    """Garbage, old page numbers, a cursor that is not JSON, of the wrong shape, not a date, or a date
    without a time zone: the first page, never an error."""
    response = client_for(helpdesk_user).get("/devices/pending/", {"page": position, "sort": "-created"})
    assert response.status_code == 200
    assert _names(response.context["page"]) == ["d", "f", "b"]


def test_an_unknown_sort_falls_back_to_newest_first(make_pending, helpdesk_user):
    make_pending("first")
    make_pending("second")
    rows = client_for(helpdesk_user).get("/devices/pending/", {"sort": "otp_ciphertext"}).context["page"].rows
    assert [e.username for e in rows] == ["second", "first"]


def test_the_page_and_sort_links_keep_the_rest_of_the_query(seven, helpdesk_user):
    page = client_for(helpdesk_user).get("/devices/pending/", {"sort": "username", "state": "active"})
    html = page.content.decode()
    assert f'href="?sort=username&amp;state=active&amp;page={page.context["page"].next_position}" rel="next"' in html
    assert 'href="?sort=username&amp;state=active&amp;page=last">Last' in html
    assert 'href="?sort=-username&amp;state=active&amp;page=1"' in html
    assert 'href="??' not in html


@pytest.mark.smoke
@pytest.mark.parametrize(("sort", "expected"), [
    ("expires", ["soon", "later", "unlimited"]),
    ("-expires", ["unlimited", "later", "soon"]),
])
def test_unlimited_otps_sort_as_the_furthest_expiry_on_every_page(make_pending, helpdesk_user, settings, sort,
                                                                  expected):
    """On SQLite a NULL sorts first, on PostgreSQL last: both must put "Unlimited" after every date,
    on the first page and when a page is read from the far end."""
    make_pending("unlimited", otp_rule=OtpRule(validity_hours=None))
    make_pending("later", otp_rule=OtpRule(validity_hours=48))
    make_pending("soon", otp_rule=OtpRule(validity_hours=1))
    client = client_for(helpdesk_user)
    assert [e.username for e in client.get("/devices/pending/", {"sort": sort}).context["page"].rows] == expected
    settings.PENDING_LIST_PAGE_SIZE = 1
    last = client.get("/devices/pending/", {"sort": sort, "page": "last"}).context["page"]
    assert [e.username for e in last.rows] == expected[2:]
    middle = client.get("/devices/pending/", {"sort": sort, "page": last.previous_position}).context["page"]
    assert [e.username for e in middle.rows] == expected[1:2]
    first = client.get("/devices/pending/", {"sort": sort}).context["page"]
    following = client.get("/devices/pending/", {"sort": sort, "page": first.next_position}).context["page"]
    assert [e.username for e in following.rows] == expected[1:2]


def test_new_tokens_never_start_with_a_character_spreadsheets_read_as_a_formula(monkeypatch):
    from enrollment import services

    # Of "=", "+", "-" and "@" only "-" is in the URL-safe alphabet: a token starting with it is drawn again.
    draws = iter(["-" + "a" * 31, "-" + "b" * 31, "c" * 32])
    monkeypatch.setattr("enrollment.services.secrets.token_urlsafe", lambda n: next(draws))
    assert services.new_token() == "c" * 32
