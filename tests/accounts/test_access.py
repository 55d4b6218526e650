"""console_view and the 403 page: a signed-out visitor is sent to sign in; a signed-in user without the
permission gets a 403 page that keeps the console's navigation and says what the role lacks."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from tests.conftest import MakePending, client_for, make_console_user

pytestmark = pytest.mark.django_db


def test_it_sends_an_anonymous_visitor_to_sign_in() -> None:
    response = client_for(None).get("/audit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_keeps_the_console_navigation_on_a_403_page(helpdesk_user: User) -> None:
    response = client_for(helpdesk_user).get("/audit/")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<nav aria-label="Main">' in html
    assert 'href="/devices/pending/"' in html and 'href="/devices/"' in html
    assert 'href="/audit/"' not in html
    assert "Sign out" in html
    assert html.count("<h1") == 1


def test_it_names_the_missing_permission_the_role_and_the_roles_that_hold_it(helpdesk_user: User) -> None:
    html = client_for(helpdesk_user).get("/audit/").content.decode()

    assert "Your role (Helpdesk) does not include" in html
    assert "Can view audit entry" in html
    assert "held by Administrator, Super Helpdesk" in html


def test_it_names_only_the_permissions_that_are_missing(make_pending: MakePending) -> None:
    reader = make_console_user("rita", None)
    reader.user_permissions.add(Permission.objects.get(codename="view_pendingenrollment"))
    token = make_pending("alice").enrollment.token

    response = client_for(reader).get(f"/devices/pending/{token}/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Can view the OTP of a pending enrollment" in html
    assert "Can view pending enrollment" not in html


def test_it_tells_a_user_without_a_role_so(outsider: User) -> None:
    response = client_for(outsider).get("/devices/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You have no console role" in html
    assert "Can view device" in html
