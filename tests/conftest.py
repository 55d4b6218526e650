"""The fixed cast (an admin, a super helpdesk, a helpdesk, an end user, an outsider) and helpers
shared by every test."""

import django.apps
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from accounts.models import EndUser, User
from accounts.roles import ADMINISTRATOR, HELPDESK, ROLE_GRANTS, SUPER_HELPDESK, grant
from audit.actor import Actor
from enrollment.models import Source
from enrollment.services import CreatedEnrollment, pending_enrollment_create
from licensing.services import licence_total_set
from notifications.models import SmsSettings

pytest_plugins = ["tests.ldap_server", "tests.outside"]

PASSWORD = "correct horse battery staple"


def ensure_roles() -> None:
    """Transactional tests truncate every table, migration data included: put the roles back. Only
    then: granting costs about 180 queries, and the migrated groups are already right otherwise."""
    if Group.objects.filter(name__in=ROLE_GRANTS).count() < len(ROLE_GRANTS):
        grant(django.apps.apps, ROLE_GRANTS)


def make_console_user(username: str, role: str | None, **extra: object) -> User:
    ensure_roles()
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@onramp.test", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: no sign-in throttle, rate-limit count or cached QR
    code left over from another test."""
    cache.clear()


@pytest.fixture
def admin_user(db: None) -> User:
    return make_console_user("ada", ADMINISTRATOR, receive_email_alerts=True)


@pytest.fixture
def super_helpdesk_user(db: None) -> User:
    return make_console_user("sam", SUPER_HELPDESK)


@pytest.fixture
def helpdesk_user(db: None) -> User:
    return make_console_user("hal", HELPDESK)


@pytest.fixture
def outsider(db: None) -> User:
    """Signed in, but holds no role."""
    return make_console_user("oscar", None)


@pytest.fixture
def end_user(db: None) -> EndUser:
    user = EndUser(username="eve", email="eve@example.com", mobile="+491712345678")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def cast(admin_user: User, super_helpdesk_user: User, helpdesk_user: User, outsider: User) -> dict[str, User]:
    return {"admin": admin_user, "super_helpdesk": super_helpdesk_user, "helpdesk": helpdesk_user,
            "outsider": outsider}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def sender_label(db: None) -> str:
    """The SMS Sender Label Admin > App Portal and SMS would set."""
    settings_row = SmsSettings.load()
    settings_row.sender_label = "Onramp"
    settings_row.save()
    return "Onramp"


@pytest.fixture
def licences(db: None):  # type: ignore[no-untyped-def]
    """Call with a number to set the licence total."""

    def set_total(total: int) -> None:
        licence_total_set(total=total, actor=Actor.system("tests"))

    set_total(100)
    return set_total


@pytest.fixture
def make_pending(licences, admin_user: User):  # type: ignore[no-untyped-def]
    """Create a pending enrollment through the service, as the admin."""

    def make(username: str = "eve", **kwargs: object) -> CreatedEnrollment:
        kwargs.setdefault("source", Source.SINGLE)
        return pending_enrollment_create(actor=Actor.for_user(admin_user), username=username, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run transactional tests last. pytest-django orders them so, but pytest then regroups the
    browser tests by pytest-playwright's session-scoped browser parameter; a transactional test
    empties every table, migration data (roles, shipped templates) included."""

    def transactional(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures or (
            "transactional_db" in fixtures
        )

    items.sort(key=transactional)
