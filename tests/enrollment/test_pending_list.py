import pytest

from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_it_lists_pending_enrollments_for_a_helpdesk_user(make_pending, helpdesk_user):
    made = make_pending("alice", mobile="+491712345678")
    response = client_for(helpdesk_user).get("/devices/pending/")
    assert response.status_code == 200
    assert b"alice" in response.content
    assert made.enrollment.token.encode() in response.content


def test_it_finds_an_enrollment_by_search(make_pending, helpdesk_user):
    make_pending("alice")
    make_pending("bob")
    response = client_for(helpdesk_user).get("/devices/pending/", {"q": "ali"})
    assert [e.username for e in response.context["page"].rows] == ["alice"]
