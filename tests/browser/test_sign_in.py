import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_helpdesk_user_signs_in_and_sees_the_pending_list(helpdesk_user, sign_in):
    page = sign_in(helpdesk_user.username)
    assert page.get_by_role("heading", level=1).inner_text() == "Pending enrollments"
