"""Site-wide guards: page structure and labelled inputs, label and aria-describedby targets, migrations,
roles, deploy checks."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import EndUser, User
from accounts.roles import ROLE_GRANTS
from tests.conftest import MakePending, client_for
from tests.test_site_text_input import FormParser
from tests.test_site_text_input import pages as audience_pages
from tests.test_urls_permissions import ALL_URLS, SampleContext

ROOT = Path(__file__).resolve().parent.parent
UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}


class PageStructure(HTMLParser):
    """Counts <h1>, finds the skip link and <main>, and lists form controls without a label."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.main_ids: list[str] = []
        self.skip_link_targets: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main_ids.append(a.get("id", ""))
        elif tag == "a" and "skip-link" in a.get("class", "").split():
            self.skip_link_targets.append(a.get("href", ""))
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("type", "text") in UNLABELLED_TYPES:
                return
            self.controls.append({**a, "_tag": tag, "_wrapped": "1" if self._label_depth else ""})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_depth:
            self._label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"<{c['_tag']} name={c.get('name')!r} id={c.get('id')!r}>"
            for c in self.controls
            if not (c["_wrapped"] or c.get("aria-label") or c.get("aria-labelledby")
                    or (c.get("id") and c["id"] in self.label_for))
        ]


def _html_pages(sample: SampleContext, admin: User) -> dict[str, bytes]:
    """Every named page that answers the admin's GET with HTML, plus the public login page."""
    pages: dict[str, bytes] = {}
    admin_client = client_for(admin)
    for url in ALL_URLS:
        if not url.pattern.name or url.name in ("logout", "home"):
            continue
        path = url.build(sample)
        client = client_for(None) if url.is_public() else admin_client
        response = client.get(path)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages[url.name] = response.content
    return pages


@pytest.mark.django_db
def test_every_page_has_one_h1_the_skip_link_main_and_labelled_inputs(cast: dict[str, User],
                                                                      make_pending: MakePending) -> None:
    sample = SampleContext(token=make_pending("walker").enrollment.token, users=cast)
    pages = _html_pages(sample, cast["admin"])
    assert {"enrollment:pending_list", "enrollment:pending_detail", "enrollment:settings_otp_policy",
            "licensing:overview", "audit:list", "accounts:user_create", "login"} <= set(pages)
    problems = []
    for name, content in pages.items():
        parser = PageStructure()
        parser.feed(content.decode())
        if parser.h1 != 1:
            problems.append(f"{name}: {parser.h1} <h1> elements")
        if parser.main_ids != ["main"] or parser.skip_link_targets != ["#main"]:
            problems.append(f"{name}: main {parser.main_ids}, skip link {parser.skip_link_targets}")
        if parser.unlabelled():
            problems.append(f"{name}: unlabelled {parser.unlabelled()}")
    assert not problems, "\n".join(problems)


def test_the_page_parser_spots_an_unlabelled_input() -> None:
    parser = PageStructure()
    parser.feed('<label for="a">A</label><input id="a"><label>B <input name="b"></label>'
                '<input name="c" aria-label="C"><input name="d"><input type="hidden" name="e">')
    assert parser.unlabelled() == ["<input name='d' id=None>"]


class ReferenceTargets(HTMLParser):
    """The ids of a page, and what its ``aria-describedby`` and ``<label for>`` attributes point at."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str]] = []  # (where, the id it names)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        for target in a.get("aria-describedby", "").split():
            self.references.append((f"<{tag} name={a.get('name')!r} aria-describedby>", target))
        if tag == "label" and "for" in a:
            self.references.append(("<label for>", a["for"]))

    def dangling(self) -> list[str]:
        return [f"{where}={target!r}" for where, target in self.references if target not in self.ids]


def _dangling(content: bytes) -> list[str]:
    parser = ReferenceTargets()
    parser.feed(content.decode())
    return parser.dangling()


def test_the_reference_parser_spots_a_describedby_or_label_pointing_at_nothing() -> None:
    assert _dangling(b'<label for="a">A</label><input id="a" aria-describedby="a_helptext a_error">'
                     b'<p id="a_helptext">Help</p><label for="">B</label>') == [
        "<input name=None aria-describedby>='a_error'", "<label for>=''"]


# Sent first: what a person leaves empty; then every field holding something no field takes.
INVALID_TEXT = "!"
# Forms that must come back with their errors shown (the list): where the references were wrong.
FORMS_WITH_ERRORS = {"POST /devices/pending/provision/", "POST /devices/pending/qr/new/",
                     "POST /settings/end-users/new/", "POST /settings/users/new/", "POST /settings/otp-policy/",
                     "POST /portal/", "POST /login/", "POST /portal/login/", "GET /notifications/"}


@pytest.mark.django_db
def test_every_describedby_and_label_target_exists_with_and_without_form_errors(
        cast: dict[str, User], make_pending: MakePending, end_user: EndUser) -> None:
    """Django points a field's ``aria-describedby`` at ``<id>_helptext`` and, with errors, ``<id>_error``:
    each page must hold those ids, and every <label for> must name a control of the page. Every page of
    the console (admin), portal (signed in) and activation link (a phone), as opened and with each of
    its forms sent empty and invalid (a filter form by GET)."""
    sample = SampleContext(token=make_pending("walker").enrollment.token, users=cast)
    problems, with_errors = [], set()
    sends = []
    for client, path, content in audience_pages(sample, end_user):
        problems += [f"GET {path}: {ref}" for ref in _dangling(content)]
        parser = FormParser(path)
        parser.feed(content.decode())
        for form in parser.forms:
            action = form.action.split("?")[0] or path
            if "logout" not in action:
                sends.append((client, action, form))
    # Confirmations (delete, remove, cancel) act on an empty post: last, so the others still find their objects.
    sends.sort(key=lambda send: any(word in send[1] for word in ("delete", "remove", "cancel")))
    for client, action, form in sends:
        invalid = {**form.values, **dict.fromkeys(form.fields, INVALID_TEXT)}
        for data in ({}, invalid):
            where = f"{form.method.upper()} {action}"
            # A 500 is the NUL walk's finding (test_site_text_input).
            response = client.post(action, data) if form.method == "post" else client.get(action, data)
            if response.get("Content-Type", "").startswith("text/html") and response.status_code in (200, 400):
                problems += [f"{where} {sorted(data)}: {ref}" for ref in _dangling(response.content)]
                if b'aria-invalid="true"' in response.content:
                    with_errors.add(where)
    activation = f"POST /enroll/{sample.token}/"
    assert FORMS_WITH_ERRORS | {activation} <= with_errors, sorted(with_errors)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"Missing migrations (exit {exc.code}):\n{out.getvalue()}")


@pytest.mark.django_db
@pytest.mark.smoke
def test_the_migrated_roles_hold_exactly_the_role_grants() -> None:
    # A non-transactional test: the database is as the migrations left it.
    for role, expected in ROLE_GRANTS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(expected), role


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ONRAMP_ENV_FILE": "/nonexistent",
        "SECRET_KEY": Fernet.generate_key().decode() + Fernet.generate_key().decode(),
        "OTP_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "ALLOWED_HOSTS": "onramp.example.com",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
