import pytest

from tests.browser.conftest import sign_in_with_the_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_helpdesk_user_signs_in_and_sees_the_pending_list(helpdesk_user, live_server, page):
    page = sign_in_with_the_form(page, live_server.url, helpdesk_user.username)
    assert page.get_by_role("heading", level=1).inner_text() == "Pending enrollments"
