"""A real OpenLDAP slapd for the tests (python-ldap's slapdtest), with a small tree:

ou=people: alice (console Administrator), bob (console Helpdesk), lars (end user with mail and
mobile, in no group), auth (authorizer); ou=groups: onramp-admins, onramp-helpdesk,
onramp-authorizers (groupOfNames).

Fixtures: ``slapd`` (session: one server for the run) and ``ldap_settings`` (points the Django
settings at it for one test). Registered through ``pytest_plugins`` in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

SUFFIX = "dc=onramp,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ADMINS_DN = f"cn=onramp-admins,{GROUPS}"
HELPDESK_DN = f"cn=onramp-helpdesk,{GROUPS}"
AUTHORIZERS_DN = f"cn=onramp-authorizers,{GROUPS}"
PASSWORDS = {"alice": "alice-secret-pw", "bob": "bob-secret-pw", "lars": "lars-secret-pw", "auth": "auth-secret-pw"}


def _person(uid: str, given: str, sn: str, extra: str = "") -> str:
    return f"""dn: uid={uid},{PEOPLE}
objectClass: inetOrgPerson
uid: {uid}
cn: {given} {sn}
givenName: {given}
sn: {sn}
userPassword: {PASSWORDS[uid]}
{extra}"""


def _group(cn: str, *members: str) -> str:
    lines = "".join(f"member: uid={m},{PEOPLE}\n" for m in members)
    return f"""dn: cn={cn},{GROUPS}
objectClass: groupOfNames
cn: {cn}
{lines}"""


SEED_LDIF = "\n".join([
    f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: onramp
o: Onramp Test
""",
    f"""dn: {PEOPLE}
objectClass: organizationalUnit
ou: people
""",
    f"""dn: {GROUPS}
objectClass: organizationalUnit
ou: groups
""",
    _person("alice", "Alice", "Admin", "mail: alice@ldap.onramp.test\n"),
    _person("bob", "Bob", "Helpdesk", "mail: bob@ldap.onramp.test\n"),
    _person("lars", "Lars", "Larsen", "mail: lars@ldap.onramp.test\nmobile: 0171 7654321\n"),
    _person("auth", "Aud", "Horizer", "mail: auth@ldap.onramp.test\n"),
    _group("onramp-admins", "alice"),
    _group("onramp-helpdesk", "bob"),
    _group("onramp-authorizers", "auth"),
])


@pytest.fixture(scope="session")
def slapd() -> Iterator[Any]:
    # slapdtest reads TMP once, when its module is imported: its run directory must not land in
    # the CWD. TMP is put back afterwards so nothing else in the run writes there.
    rundir_parent = tempfile.mkdtemp(prefix="onramp-slapd-")
    previous_tmp = os.environ.get("TMP")
    os.environ["TMP"] = rundir_parent
    try:
        from slapdtest import SlapdObject
    finally:
        if previous_tmp is None:
            del os.environ["TMP"]
        else:
            os.environ["TMP"] = previous_tmp

    class OnrampSlapd(SlapdObject):  # type: ignore[misc]
        suffix = SUFFIX
        root_cn = "admin"
        root_pw = "slapd-root-pw"
        openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif", "nis.ldif")

    server = OnrampSlapd()
    server.start()
    try:
        server.ldapadd(SEED_LDIF)
        yield server
    finally:
        server.stop()
        shutil.rmtree(rundir_parent, ignore_errors=True)


@pytest.fixture
def ldap_settings(slapd: Any, settings: Any) -> Any:
    """Point the settings at the test slapd, as the environment would (LDAP_* plus the
    django-auth-ldap settings and backend that config/settings.py derives from them)."""
    from accounts.ldap import django_auth_ldap_settings

    values = {
        "LDAP_SERVER_URI": slapd.ldap_uri,
        "LDAP_BIND_DN": slapd.root_dn,
        "LDAP_BIND_PASSWORD": slapd.root_pw,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_USER_FILTER": "(uid=%(user)s)",
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        "LDAP_ADMIN_GROUP_DN": ADMINS_DN,
        "LDAP_SUPER_HELPDESK_GROUP_DN": "",
        "LDAP_HELPDESK_GROUP_DN": HELPDESK_DN,
        "LDAP_AUTHORIZER_GROUP_DNS": [AUTHORIZERS_DN],
        "LDAP_MOBILE_ATTR": "mobile",
        "LDAP_START_TLS": False,
    }
    for name, value in values.items():
        setattr(settings, name, value)
    derived = django_auth_ldap_settings(
        server_uri=slapd.ldap_uri, bind_dn=slapd.root_dn, bind_password=slapd.root_pw,
        user_search_base=PEOPLE, user_filter="(uid=%(user)s)", group_search_base=GROUPS, start_tls=False,
    )
    for name, value in derived.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "accounts.ldap_backend.ConsoleLdapBackend",
    ]
    return settings
