"""The fixed cast (an admin, a super helpdesk, a helpdesk, an end user, an outsider) and helpers
shared by every test."""

import base64
import hashlib
import shutil
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import django.apps
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import EndUser, User
from accounts.roles import ADMINISTRATOR, HELPDESK, ROLE_GRANTS, SUPER_HELPDESK, grant
from audit.actor import Actor
from enrollment.models import Source
from enrollment.services import CreatedEnrollment, pending_enrollment_create
from lib.crypto import seal
from licensing.services import licence_total_set
from notifications.models import SmsSettings
from provisioning.models import DpcSettings
from restrictions.models import RestrictionSettings
from twofactor import session as twofactor_session
from twofactor.models import Authenticator, default_required_roles

if TYPE_CHECKING:
    # What django.test.Client answers: django-stubs name it (an HttpResponse with .json(), .context, ...).
    from django.test.client import _MonkeyPatchedWSGIResponse

    from tests.twofactor.clock import Clock

    ClientResponse: TypeAlias = _MonkeyPatchedWSGIResponse
else:
    from django.http import HttpResponse as ClientResponse  # noqa: F401 - the name the tests import

pytest_plugins = [
    "tests.databases", "tests.ldap_server", "tests.live_server", "tests.outside", "tests.redis_and_celery",
]

PASSWORD = "correct horse battery staple"
# The authenticator secret of the cast's users whose role requires two-step verification (make_console_user):
# pyotp.TOTP(TOTP_SECRET).at(t) is their code at time t.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# The companion app's signing certificate digest, and the checksum QR codes carry for it.
DIGEST = hashlib.sha256(b"signing cert").digest()
CHECKSUM = base64.urlsafe_b64encode(DIGEST).decode()
# The ``make_pending`` fixture: make_pending(username="eve", **pending_enrollment_create arguments).
MakePending = Callable[..., CreatedEnrollment]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker has a test database of its own (pytest-django), a private storage
    folder of its own (job ids start at 1 in every worker's database) and a redis-server of its own in
    place of REDIS_URL's: Celery's queues and purge are per Redis database, and neighbouring database
    numbers of a shared Redis may be anyone's (a run in one process uses REDIS_URL as given)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    name = workerinput["workerid"]
    settings.PRIVATE_STORAGE_DIR = Path(settings.PRIVATE_STORAGE_DIR) / name
    # Whether the run has a Redis (REDIS_URL): config/test_settings.py took it out of the environment
    # the workers started with, so the controller passes it on (pytest_configure_node).
    if workerinput["with_redis"]:
        from tests.redis_and_celery import RedisProcess  # here: pytest_plugins has it rewritten for assertions

        server = RedisProcess()
        server.start()
        config.add_cleanup(lambda: shutil.rmtree(server.dir, ignore_errors=True))
        config.add_cleanup(server.stop)
        settings.TEST_REDIS_URL = server.url


def ensure_roles() -> None:
    """Transactional tests truncate every table, migration data included: put the roles back, as the
    migrations grant them. Only then (the migrated groups are right otherwise), and in a few queries:
    Django's post_migrate has made the permissions again, so the groups only need linking to them
    (grant() itself, about 200 queries, only when one is missing)."""
    if Group.objects.filter(name__in=ROLE_GRANTS).count() == len(ROLE_GRANTS):
        return
    wanted = {dotted for perms in ROLE_GRANTS.values() for dotted in perms}
    found = {f"{p.content_type.app_label}.{p.codename}": p.pk for p in Permission.objects.select_related("content_type")
             .filter(codename__in={dotted.partition(".")[2] for dotted in wanted})}
    if not wanted <= found.keys():
        grant(django.apps.apps, ROLE_GRANTS)
        return
    through = Group.permissions.through
    links = []
    for role, perms in ROLE_GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        links += [through(group_id=group.pk, permission_id=found[dotted]) for dotted in perms]
    through.objects.bulk_create(links, ignore_conflicts=True)


def make_console_user(username: str, role: str | None, *, second_factor: bool | None = None, **extra: object) -> User:
    """A console user with ``role``. Users of a role that requires two-step verification by default
    (Administrator) have an authenticator on ``TOTP_SECRET``, turned on (one row), as in a real deployment;
    ``second_factor`` says otherwise."""
    ensure_roles()
    user = User.objects.create_user(username=username, password=PASSWORD, email=f"{username}@onramp.test", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if second_factor if second_factor is not None else role in default_required_roles():
        Authenticator.objects.create(user=user, secret_sealed=seal(TOTP_SECRET), confirmed_at=timezone.now())
    return user


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: no sign-in throttle, rate-limit count or cached QR
    code left over from another test."""
    cache.clear()


@pytest.fixture
def totp_clock(monkeypatch: pytest.MonkeyPatch) -> "Clock":
    """The time two-step verification reads, fixed at tests.twofactor.clock.T0 and moved by the test."""
    from tests.twofactor.clock import Clock
    from twofactor import totp

    clock = Clock()
    monkeypatch.setattr(totp, "now", clock.now)
    return clock


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


def signed_in_session(user: User, *, second_step: bool = True) -> str:
    """The key of a saved session signed in as ``user``: what django.contrib.auth.login() stores for it
    (its id, the first backend, its session hash), written once; with ``second_step``, marked as having
    passed two-step verification (what the code step or the set-up stores), so a user whose role requires
    it reaches the console. Client.force_login runs login() on a made-up
    request: it saves a session, makes a second one (cycle_key), deletes the first, saves the second again and
    updates last_login, 15 queries and 5-8 ms a client (1.3-2 ms this way). Nothing in the project listens to
    user_logged_in and no test reads last_login; signing in itself is tests/accounts' (the login views)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if second_step:
        store[twofactor_session.VERIFIED] = True
    store.save()
    key: str = store.session_key
    return key


def client_for(user: User | None, *, second_step: bool = True) -> Client:
    """A test client, signed in as ``user`` when given (signed_in_session)."""
    client = Client()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user, second_step=second_step)
    return client


@pytest.fixture
def sender_label(db: None) -> str:
    """The SMS Sender Label Admin > App Portal and SMS would set."""
    settings_row = SmsSettings.load()
    settings_row.sender_label = "Onramp"
    settings_row.save()
    return "Onramp"


@pytest.fixture
def companion(db: None) -> DpcSettings:
    """Admin > Companion app filled in, as every QR code needs it."""
    dpc = DpcSettings.load()
    dpc.component_name = "com.example.companion/.admin.CompanionAdminReceiver"
    dpc.download_url = "https://mdm.example.com/dpc/companion.apk"
    dpc.signature_checksum = CHECKSUM
    dpc.default_locale = "en_US"
    dpc.time_zone = "Europe/Berlin"
    dpc.save()
    return dpc


@pytest.fixture
def licences(db: None) -> Callable[[int], None]:
    """Call with a number to set the licence total."""

    def set_total(total: int) -> None:
        licence_total_set(total=total, actor=Actor.system("tests"))

    set_total(100)
    return set_total


@pytest.fixture
def make_pending(licences: Callable[[int], None], admin_user: User) -> MakePending:
    """Create a pending enrollment through the service, as the admin."""

    def make(username: str = "eve", **kwargs: Any) -> CreatedEnrollment:
        kwargs.setdefault("source", Source.SINGLE)
        return pending_enrollment_create(actor=Actor.for_user(admin_user), username=username, **kwargs)

    return make


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run transactional tests last. pytest-django orders them so, but pytest then regroups the
    browser tests by pytest-playwright's session-scoped browser parameter; a transactional test
    empties every table, migration data (roles, shipped templates) included. Within each group the
    tests marked ``slow`` come first: pytest-xdist hands tests out in this order, so a long test
    overlaps the others instead of being the last one running. Each worker still runs its share in
    this order (every transactional test after every other)."""

    def transactional(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        return bool(marker and marker.kwargs.get("transaction")) or "live_server" in fixtures or (
            "transactional_db" in fixtures
        )

    items.sort(key=lambda item: (transactional(item), item.get_closest_marker("slow") is None))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller, for each worker it starts: whether the run has a Redis."""
    node.workerinput["with_redis"] = bool(settings.TEST_REDIS_URL)


@pytest.fixture
def restrict(db: None) -> Callable[..., RestrictionSettings]:
    """Save Admin > Enrollment restrictions with ``fields`` (the rest at their defaults)."""

    def save(**fields: Any) -> RestrictionSettings:
        rules = RestrictionSettings.load()
        for name, value in fields.items():
            setattr(rules, name, value)
        rules.save()
        return rules

    return save
