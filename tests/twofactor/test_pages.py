"""The site-wide page checks (tests/test_site.py: one <h1>, skip link and <main>, labelled inputs, every
aria-describedby and <label for> naming an element of the page) on the two-step verification pages the
admin's walk does not open: set-up (the admin's authenticator is on), the code step (a visitor without a
pending sign-in is sent to the login page) and the account page with new recovery codes, each as opened and
with its form's errors."""

import pytest
from django.test import Client

from accounts.roles import HELPDESK
from tests.conftest import PASSWORD, client_for, make_console_user
from tests.test_site import PageStructure, _dangling

pytestmark = pytest.mark.django_db


def problems_of(name: str, content: bytes) -> list[str]:
    parser = PageStructure()
    parser.feed(content.decode())
    found = [f"{name}: {ref}" for ref in _dangling(content)]
    if parser.h1 != 1:
        found.append(f"{name}: {parser.h1} <h1>")
    if parser.main_ids != ["main"] or parser.skip_link_targets != ["#main"]:
        found.append(f"{name}: main {parser.main_ids}, skip link {parser.skip_link_targets}")
    if parser.unlabelled():
        found.append(f"{name}: unlabelled {parser.unlabelled()}")
    return found


def test_the_two_step_pages_pass_the_site_wide_checks(admin_user, totp_clock):
    hal = client_for(make_console_user("hal", HELPDESK))
    visitor = Client()
    visitor.post("/login/", {"username": "ada", "password": PASSWORD})
    pages = {
        "set-up": hal.get("/account/two-step/setup/"),
        "set-up with errors": hal.post("/account/two-step/setup/", {"code": "!"}),
        "set-up empty": hal.post("/account/two-step/setup/", {}),
        "code step": visitor.get("/login/code/"),
        "code step with errors": visitor.post("/login/code/", {"code": "!"}),
        "code step empty": visitor.post("/login/code/", {}),
    }
    admin = client_for(admin_user)
    admin.post("/account/two-step/recovery-codes/", {"regenerate-code": totp_clock.code()})
    pages["account with new codes"] = admin.get("/account/")
    pages["account with errors"] = admin.post("/account/two-step/recovery-codes/", {"regenerate-code": "!"})
    assert {name: r.status_code for name, r in pages.items()} == {
        "set-up": 200, "set-up with errors": 400, "set-up empty": 400, "code step": 200,
        "code step with errors": 200, "code step empty": 200, "account with new codes": 200,
        "account with errors": 400}
    assert b'aria-invalid="true"' in pages["code step with errors"].content
    problems = [problem for name, response in pages.items() for problem in problems_of(name, response.content)]
    assert not problems, "\n".join(problems)


def test_the_throttled_code_step_and_the_reset_pages_pass_the_site_wide_checks(admin_user, settings):
    settings.LOGIN_MAX_FAILURES = 1
    hal = make_console_user("hal", HELPDESK)
    client_for(hal).get("/account/two-step/setup/")  # an unfinished set-up to reset
    visitor = Client()
    visitor.post("/login/", {"username": "ada", "password": PASSWORD})
    visitor.post("/login/code/", {"code": "000000"})  # the one wrong code the limit allows
    admin = client_for(admin_user)
    pages = {
        "code step throttled": visitor.post("/login/code/", {"code": "000000"}),
        "reset own": admin.get(f"/settings/users/{admin_user.pk}/two-step/reset/"),
        "reset unfinished": admin.get(f"/settings/users/{hal.pk}/two-step/reset/"),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        "code step throttled": 429, "reset own": 200, "reset unfinished": 200}
    problems = [problem for name, response in pages.items() for problem in problems_of(name, response.content)]
    assert not problems, "\n".join(problems)
