"""Headless Chromium from Debian, driven by Playwright (no browser download)."""

import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


def sign_in_with_the_form(page: Page, base_url: str, username: str) -> Page:
    """Sign a console user in through the login form, as a person does; returns the page, on the pending list."""
    from tests.conftest import PASSWORD

    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/devices/pending/")
    return page


@pytest.fixture
def sign_in(live_server: LiveServer, page: Page) -> Callable[[str], Page]:
    """Sign a console user in for a journey that starts signed in; returns the page, on the pending list.

    The session is made on the server (tests/conftest.py: signed_in_session) and handed to the browser as its
    cookie: one page load instead of the login form's two and its POST, about half a second a test. Signing in
    through the form is test_sign_in.py's (and tests/accounts' for every rule of it)."""

    def go(username: str) -> Page:
        from django.conf import settings

        from accounts.models import User
        from tests.conftest import signed_in_session

        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                   "value": signed_in_session(User.objects.get(username=username))}])
        page.goto(f"{live_server.url}/devices/pending/")
        assert page.url == f"{live_server.url}/devices/pending/", page.url
        return page

    return go
