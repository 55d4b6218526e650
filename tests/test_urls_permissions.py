"""Every console URL refuses anonymous visitors and users without its permission, and every list
shows a user exactly the rows ``Model.objects.restrict(user)`` gives.

The walk reads the project's URL patterns at collection time, so URLs added later are checked
without editing this file. A new URL kwarg other than ``token`` or ``pk`` fails with a message
naming the pattern: add a sample for it to ``SAMPLE_KWARGS`` below.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Model
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import EndUser, User
from accounts.roles import ADMINISTRATOR
from audit.models import AuditEntry
from enrollment.models import Device, PendingEnrollment, Platform, Source
from integrations.models import ApiKey
from lib.crypto import seal
from licensing.models import LedgerEntry
from notifications.models import Channel, Message, MessageTemplate
from provisioning.models import BulkJob, BulkJobStatus, EnrollmentOption, NetworkType, QrProvisioning
from restrictions.models import CorporateIdentifier, IdentifierKind
from tests.conftest import MakePending, client_for, make_console_user
from webhooks.models import Endpoint

# Reached without signing in: matched by path prefix ("" is the home redirect, exactly "/").
PUBLIC_EXACT = {"/"}
PUBLIC_PREFIXES = ("/healthz", "/login/", "/logout/", "/portal/", "/enroll/", "/api/", "/static/")


@dataclass(frozen=True)
class SampleContext:
    token: str
    users: dict[str, User]
    device_id: str = "00000000-0000-4000-8000-000000000000"


# kwarg name -> how to get a sample value. ``pk`` prefers an object the namespace is about.
PK_BY_NAMESPACE: dict[str, Callable[[SampleContext], int]] = {
    "accounts": lambda ctx: ctx.users["helpdesk"].pk,
    "twofactor": lambda ctx: ctx.users["helpdesk"].pk,
}
SAMPLE_KWARGS: dict[str, Callable[[SampleContext, "ConsoleUrl"], Any]] = {
    "token": lambda ctx, url: ctx.token,
    "public_id": lambda ctx, url: ctx.device_id,
    "pk": lambda ctx, url: PK_BY_NAMESPACE[url.namespace](ctx) if url.namespace in PK_BY_NAMESPACE else 1,
}


@dataclass(frozen=True)
class ConsoleUrl:
    """One URL pattern of the project, flattened through its includes."""

    route: str  # the concatenated route, e.g. "devices/pending/<token:token>/"
    name: str  # "namespace:name", or the route when unnamed
    namespace: str
    pattern: URLPattern
    kwargs: tuple[str, ...]  # the kwargs the URL needs (defaults excluded)

    @property
    def view(self) -> Callable[..., Any]:
        return self.pattern.callback

    @property
    def path_prefix(self) -> str:
        return "/" + self.route.lstrip("^")

    def is_public(self) -> bool:
        prefix = self.path_prefix
        return prefix in PUBLIC_EXACT or prefix.startswith(PUBLIC_PREFIXES)

    def build(self, ctx: SampleContext) -> str:
        missing = [k for k in self.kwargs if k not in SAMPLE_KWARGS]
        if missing:
            pytest.fail(
                f"URL pattern {self.name!r} ({self.route}) takes {missing}: add a sample for it to "
                "SAMPLE_KWARGS in tests/test_urls_permissions.py"
            )
        values = {k: SAMPLE_KWARGS[k](ctx, self) for k in self.kwargs}
        route = self.route
        for key, value in values.items():
            # path() converters: "<conv:key>" or "<key>".
            for placeholder in [p for p in _placeholders(route) if p.split(":")[-1] == key]:
                route = route.replace(f"<{placeholder}>", str(value))
        if "<" in route or "(" in route or "^" in route.lstrip("^"):
            pytest.fail(f"Cannot build a sample URL for {self.name!r} from {self.route!r}")
        return "/" + route.lstrip("^").rstrip("$").replace("\\", "")


def _placeholders(route: str) -> list[str]:
    found, start = [], route.find("<")
    while start != -1:
        end = route.find(">", start)
        found.append(route[start + 1 : end])
        start = route.find("<", end)
    return found


def _kwargs_of(pattern: URLPattern | URLResolver) -> list[str]:
    inner = pattern.pattern
    converters = getattr(inner, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(inner, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = "", inherited: tuple[str, ...] = ()
) -> Iterator[ConsoleUrl]:
    """Every endpoint pattern under the root URLconf, recursively through includes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        kwargs = inherited + tuple(_kwargs_of(entry))
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from walk(entry.url_patterns, route, ns, kwargs)
        else:
            needed = tuple(k for k in kwargs if k not in (entry.default_args or {}))
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
            yield ConsoleUrl(route=route, name=name, namespace=namespace, pattern=entry, kwargs=needed)


ALL_URLS = list(walk())
CONSOLE_URLS = [u for u in ALL_URLS if not u.is_public()]


@pytest.fixture
def sample(cast: dict[str, User], make_pending: MakePending) -> SampleContext:
    token = make_pending("walker").enrollment.token
    device = Device.objects.create(username="walker", platform=Platform.IOS, enrollment_token=token,
                                   source=Source.SINGLE)
    return SampleContext(token=token, users=cast, device_id=str(device.public_id))


def test_the_walk_finds_the_console_urls_of_the_foundation() -> None:
    names = {u.name for u in CONSOLE_URLS}
    assert {"enrollment:pending_list", "enrollment:pending_detail", "provisioning:pending_reset",
            "enrollment:pending_delete", "enrollment:pending_delete_many", "enrollment:settings_otp_policy",
            "enrollment:settings_general", "licensing:overview", "audit:list", "audit:export",
            "accounts:user_list", "accounts:user_edit"} <= names
    assert {"home", "login", "logout", "healthz"} <= {u.name for u in ALL_URLS if u.is_public()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONSOLE_URLS, ids=[u.name for u in CONSOLE_URLS])
def test_every_console_url_needs_sign_in_and_its_permission(url: ConsoleUrl, sample: SampleContext) -> None:
    perms = getattr(url.view, "required_permissions", None)
    assert perms is not None, (
        f"{url.name} ({url.route}) is a console URL but its view is not wrapped in accounts.access.console_view"
    )
    path = url.build(sample)
    problems = []

    for method in ("get", "post"):
        response = getattr(client_for(None), method)(path)
        if not (response.status_code == 302 and response["Location"].startswith("/login/")):
            problems.append(
                f"anonymous {method.upper()} {path}: {response.status_code}, expected a redirect to /login/")

    outsider = client_for(sample.users["outsider"])
    for method in ("get", "post"):
        status = getattr(outsider, method)(path).status_code
        if not perms:  # the signed-in user's own pages (the account page): every console user's
            if status == 403 or status >= 500:
                problems.append(f"outsider {method.upper()} {path}: {status}, expected allowed (<500, not 403)")
        elif status != 403:
            problems.append(f"outsider {method.upper()} {path}: {status}, expected 403")

    for role in ("admin", "super_helpdesk", "helpdesk"):
        user = sample.users[role]
        status = client_for(user).get(path).status_code
        if user.has_perms(perms):
            if status == 403 or status >= 500:
                problems.append(f"{role} (holds {perms}) GET {path}: {status}, expected allowed (<500, not 403)")
        elif status != 403:
            problems.append(f"{role} (lacks some of {perms}) GET {path}: {status}, expected 403")

    assert not problems, "\n".join(problems)


# Reached before the second factor is set up: the set-up itself and the account page it leads to.
BEFORE_SECOND_FACTOR = {"twofactor:setup", "twofactor:account"}
SETUP_PATH = "/account/two-step/setup/"


@pytest.mark.django_db
def test_every_console_url_sends_a_user_who_must_set_up_two_step_verification_to_set_up(sample: SampleContext) -> None:
    """An Administrator (the role requires it by default) signed in by the password alone, with no
    authenticator yet: every console page, GET or POST, redirects to the set-up page and does nothing;
    only the set-up and the account page answer. One client for the whole walk (the middleware acts
    before any view, so no POST changes anything)."""
    client = client_for(make_console_user("newcomer", ADMINISTRATOR, second_factor=False), second_step=False)
    problems = []
    for url in CONSOLE_URLS:
        path = url.build(sample)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            redirected = response.status_code == 302 and response["Location"] == SETUP_PATH
            if url.name in BEFORE_SECOND_FACTOR:
                if redirected or response.status_code >= 500 or response.status_code == 403:
                    problems.append(f"{method.upper()} {path}: {response.status_code}, expected the page itself")
            elif not redirected:
                problems.append(f"{method.upper()} {path}: {response.status_code}, expected a redirect to {SETUP_PATH}")
    assert {u.name for u in CONSOLE_URLS} >= BEFORE_SECOND_FACTOR
    assert not problems, "\n".join(problems)
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_walk_sees_the_licence_total_view_with_its_change_permission() -> None:
    (url,) = [u for u in CONSOLE_URLS if u.name == "licensing:licence_total_update"]
    assert "licensing.change_licencepool" in getattr(url.view, "required_permissions", ())


def test_an_unknown_url_kwarg_fails_with_a_message_naming_the_pattern() -> None:
    from django.urls import path

    pattern = path("widgets/<slug:widget>/", lambda request, widget: HttpResponse(), name="widget_detail")
    (url,) = list(walk([pattern], namespace="gadgets"))
    with pytest.raises(pytest.fail.Exception, match="gadgets:widget_detail.*widget"):
        url.build(SampleContext(token="t" * 32, users={}))


# SPEC "People and roles", spelled out.
ADMIN_ONLY = ["/settings/otp-policy/", "/settings/general/", "/licenses/", "/settings/users/",
              "/settings/users/new/"]


@pytest.mark.django_db
@pytest.mark.smoke
@pytest.mark.parametrize("path", ADMIN_ONLY + ["/audit/"])
def test_a_helpdesk_user_is_refused_settings_licences_audit_and_users(path: str, helpdesk_user: User) -> None:
    assert client_for(helpdesk_user).get(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_a_super_helpdesk_user_is_refused_settings_licences_and_users(path: str, super_helpdesk_user: User) -> None:
    assert client_for(super_helpdesk_user).get(path).status_code == 403


@pytest.mark.django_db
def test_a_super_helpdesk_user_reads_the_audit_log(super_helpdesk_user: User) -> None:
    assert client_for(super_helpdesk_user).get("/audit/").status_code == 200


@pytest.mark.django_db
@pytest.mark.smoke
def test_an_administrator_reaches_every_page(admin_user: User, make_pending: MakePending) -> None:
    token = make_pending("alice").enrollment.token
    client = client_for(admin_user)
    pages = ["/devices/pending/", f"/devices/pending/{token}/", f"/devices/pending/{token}/reset/",
             f"/devices/pending/{token}/delete/", f"/devices/pending/{token}/qr.png", "/audit/",
             f"/settings/users/{admin_user.pk}/", *ADMIN_ONLY]
    assert {p: client.get(p).status_code for p in pages} == {p: 200 for p in pages}


@pytest.mark.django_db
def test_a_helpdesk_user_reaches_the_pending_list_and_its_actions(helpdesk_user: User,
                                                                  make_pending: MakePending) -> None:
    token = make_pending("alice").enrollment.token
    client = client_for(helpdesk_user)
    pages = ["/devices/pending/", f"/devices/pending/{token}/", f"/devices/pending/{token}/reset/",
             f"/devices/pending/{token}/delete/"]
    assert {p: client.get(p).status_code for p in pages} == {p: 200 for p in pages}


# Object level: a user who may open a list sees exactly what Model.objects.restrict(user) returns.
def _pks(rows: Any) -> list[int]:
    return [row.pk for row in rows]


# list URL name -> (the model it lists, the pks of the rows its page shows, from the template context)
LIST_ROWS: dict[str, tuple[type[Model], Callable[[Any], list[int]]]] = {
    "enrollment:pending_list": (PendingEnrollment, lambda c: _pks(c["page"].rows)),
    "enrollment:device_list": (Device, lambda c: _pks(c["page"])),
    "provisioning:bulk_list": (BulkJob, lambda c: _pks(c["jobs"]) + _pks(c["drafts"])),
    "provisioning:qr_list": (QrProvisioning, lambda c: [row.qr.pk for row in c["rows"]]),
    "notifications:message_list": (Message, lambda c: _pks(c["page"])),
    "notifications:template_list": (MessageTemplate, lambda c: _pks(c["templates"])),
    "audit:list": (AuditEntry, lambda c: _pks(c["page"])),
    "licensing:overview": (LedgerEntry, lambda c: _pks(c["ledger"])),
    "accounts:user_list": (User, lambda c: _pks(c["users"])),
    "accounts:end_user_list": (EndUser, lambda c: _pks(c["page"])),
    "restrictions:identifier_list": (CorporateIdentifier, lambda c: _pks(c["page"])),
    "webhooks:endpoint_list": (Endpoint, lambda c: _pks(c["endpoints"])),
    "integrations:api_key_list": (ApiKey, lambda c: _pks(c["keys"])),
}


@pytest.fixture
def one_of_each(sample: SampleContext, end_user: EndUser) -> None:
    """At least one row of every listed model (the pending enrollment, its audit entries and ledger
    rows come with ``sample``; the templates are the defaults)."""
    admin = sample.users["admin"]
    Device.objects.create(username="walker", platform=Platform.ANDROID, enrollment_token=sample.token,
                          source=Source.SINGLE)
    BulkJob.objects.create(status=BulkJobStatus.COMPLETED, created_by=admin, created_by_name=admin.username,
                           file_name="walk.csv")
    QrProvisioning.objects.create(option=EnrollmentOption.SELF_SERVICE_PORTAL, created_by=admin,
                                  created_by_name=admin.username, network_type=NetworkType.MOBILE_DATA,
                                  payload_sealed=seal("{}"))
    Message.objects.create(channel=Channel.EMAIL, recipient="walker@example.com", body_sealed=seal("hello"),
                           username="walker")
    CorporateIdentifier.objects.create(kind=IdentifierKind.SERIAL, value="WALK-1")
    Endpoint.objects.create(name="walker", url="https://hr.example.com/hook", secret_sealed=seal("whsec_x"))
    ApiKey.objects.create(name="walker", prefix="onr_walker", key_hash="0" * 64, scopes=["devices:read"])


def test_every_list_url_has_its_object_level_case() -> None:
    lists = {u.name for u in CONSOLE_URLS if u.name.endswith("_list") or u.name in ("audit:list", "licensing:overview")}
    assert lists == set(LIST_ROWS), "add the list URL's model and rows to LIST_ROWS"


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ROWS)
def test_a_user_who_may_see_a_list_sees_only_what_restrict_returns(
    name: str, sample: SampleContext, one_of_each: None
) -> None:
    (url,) = [u for u in CONSOLE_URLS if u.name == name]
    model, shown = LIST_ROWS[name]
    perms = getattr(url.view, "required_permissions", ())
    assert model._default_manager.exists(), f"{name}: no {model.__name__} to list"
    problems = []
    for role, user in sample.users.items():
        visible = sorted(model.objects.restrict(user).values_list("pk", flat=True))  # type: ignore[attr-defined]
        if not user.has_perms(perms):
            if role == "outsider" and visible:
                problems.append(f"outsider: {model.__name__}.objects.restrict() has {len(visible)} rows, expected none")
            continue
        response = client_for(user).get(url.build(sample))
        if response.status_code != 200:
            problems.append(f"{role} GET {name}: {response.status_code}")
        elif sorted(shown(response.context)) != visible or not visible:
            problems.append(f"{role} {name}: shows {sorted(shown(response.context))}, restrict() gives {visible}")
    assert not problems, "\n".join(problems)
