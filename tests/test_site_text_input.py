"""Site-wide guard: a NUL in any field of any form on the site gets an answer with a message, never a
500 (PostgreSQL cannot store a NUL, so one that reaches the database is a DataError).

The walk reads the forms from the pages themselves: every named page the admin (console), a
visitor (sign-in, activation link) or a signed-in end user (portal) can open, every <form> on it,
then submits each form once per field, that field holding a NUL and the others what the page
offered.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.forms import BaseForm
from django.test import Client

from accounts.models import EndUser, User
from tests.conftest import PASSWORD, ClientResponse, MakePending, client_for
from tests.test_urls_permissions import ALL_URLS, SampleContext

NUL = "a\x00b"
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile"
SKIPPED_TYPES = {"submit", "button", "image", "reset", "file"}
# Where a person types text: a NUL there must be refused with a message. Elsewhere (hidden, select,
# checkbox, number) a NUL must only never be a 500.
TYPED_TYPES = {"text", "email", "tel", "password", "search", "url"}
NUL_MESSAGES = (b"Null characters are not allowed", b"NUL character")


@dataclass
class PageForm:
    action: str
    method: str
    values: dict[str, str] = field(default_factory=dict)  # what the page would submit as it stands
    fields: list[str] = field(default_factory=list)
    typed: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """The forms of a page with the values the page offers (value attributes, checked boxes,
    selected options, textarea contents)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PageForm(action=a.get("action") or self.path, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name", "")
        if form is None or not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in SKIPPED_TYPES:
                return
            if kind not in ("checkbox", "radio") or "checked" in a:
                form.values[name] = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in TYPED_TYPES:
                form.typed.add(name)
        elif tag == "select":
            self._select = name
            form.values.setdefault(name, "")
        elif tag == "option" and self._select is not None:
            if "selected" in a or not form.values.get(self._select):
                form.values[self._select] = a.get("value", "")
            return
        elif tag == "textarea":
            self._textarea = name
            form.values[name] = ""
            form.typed.add(name)
        else:
            return
        if name not in form.fields:
            form.fields.append(name)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def refused_with_a_message(response: ClientResponse, name: str) -> bool:
    """The page came back (200/400) with an error on field ``name``, or (a refusal before any form,
    such as a query string) with a message about the NUL."""
    if response.status_code not in (200, 400):
        return False
    context = getattr(response, "context", None)
    contexts = context if isinstance(context, list) else [context] if context is not None else []
    shown = [value for ctx in contexts for value in ctx.flatten().values() if isinstance(value, BaseForm)]
    return any(name in form.errors for form in shown) or any(m in response.content for m in NUL_MESSAGES)


def portal_client(end_user: EndUser) -> Client:
    client = Client()
    response = client.post("/portal/login/", {"username": end_user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def pages(sample: SampleContext, end_user: EndUser) -> list[tuple[Client, str, bytes]]:
    """(client, path, HTML) of every named page that answers GET with HTML to its audience."""
    # A visitor opens the activation link on a phone: the page shows the device form once it knows the platform.
    admin, visitor, portal = client_for(sample.users["admin"]), Client(HTTP_USER_AGENT=PHONE), portal_client(end_user)
    for client in (admin, visitor, portal):
        client.raise_request_exception = False  # a 500 is a finding to list, not the end of the walk
    found = []
    for url in ALL_URLS:
        if not url.pattern.name or url.name in ("logout", "home", "portal_logout"):
            continue
        path = url.build(sample)
        if not url.is_public():
            audiences = [admin]
        elif path.startswith("/portal/"):
            audiences = [portal, visitor]
        else:
            audiences = [visitor]
        for client in audiences:
            response = client.get(path)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                found.append((client, path, response.content))
    return found


@pytest.mark.django_db
def test_every_form_answers_a_nul_in_any_field_with_a_message_never_a_500(
        cast: dict[str, User], make_pending: MakePending, end_user: EndUser) -> None:
    sample = SampleContext(token=make_pending("walker").enrollment.token, users=cast)
    walked, problems = set(), []
    for client, path, content in pages(sample, end_user):
        parser = FormParser(path)
        parser.feed(content.decode())
        for form in parser.forms:
            action = urlsplit(form.action).path or path
            if "logout" in action:
                continue
            for name in form.fields:
                submit = client.post if form.method == "post" else client.get
                response = submit(action, {**form.values, name: NUL})
                where = f"{form.method.upper()} {action} {name}"
                walked.add(where)
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif name in form.typed and not refused_with_a_message(response, name):
                    problems.append(f"{where}: {response.status_code} without a message about the field")
    assert {"POST /devices/pending/provision/ username", "POST /settings/end-users/new/ username",
            "POST /portal/login/ username", f"POST /enroll/{sample.token}/ otp",
            "GET /devices/pending/ q"} <= walked, sorted(walked)
    assert not problems, "\n".join(problems)
