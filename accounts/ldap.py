"""The one module that talks to the LDAP directory.

python-ldap is optional (the ``ldap`` extra): it is imported lazily, and with no
``LDAP_SERVER_URI`` configured, or python-ldap missing, ``ldap_enabled()`` is False and nothing
here opens a connection. Passwords given to these functions are used for one bind and never
stored or logged. config/settings.py imports this module (for ``django_auth_ldap_settings``), so
it must not import models; console login and its roles live in accounts/ldap_backend.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

logger = logging.getLogger(__name__)

# Network and operation timeouts (seconds): a dead directory must not hang a web request.
LDAP_TIMEOUT = 5


class LdapError(Exception):
    """The directory could not be asked: not configured, unreachable, or it answered with an error."""


class LdapAuthorizationError(Exception):
    """The authorizer's credentials are wrong, or the authorizer is not in an authorizer group."""


@dataclass(frozen=True)
class LdapUser:
    username: str
    email: str
    mobile: str
    first_name: str
    last_name: str
    dn: str


def _ldap_module() -> Any | None:
    try:
        import ldap
    except ImportError:
        return None
    return ldap


def _ldap() -> Any:
    ldap = _ldap_module()
    if ldap is None:
        raise LdapError("python-ldap is not installed (the [ldap] extra).")
    return ldap


def ldap_enabled() -> bool:
    """True when an LDAP server is configured and python-ldap is installed."""
    return bool(settings.LDAP_SERVER_URI) and _ldap_module() is not None


def _connect() -> Any:
    if not settings.LDAP_SERVER_URI:
        raise LdapError("LDAP is not configured.")
    ldap = _ldap()
    try:
        connection = ldap.initialize(settings.LDAP_SERVER_URI)
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, LDAP_TIMEOUT)
        connection.set_option(ldap.OPT_TIMEOUT, LDAP_TIMEOUT)
        if settings.LDAP_START_TLS:
            connection.start_tls_s()
    except ldap.LDAPError as exc:
        raise LdapError(f"The LDAP server could not be reached: {_describe(exc)}") from exc
    return connection


def _describe(exc: Exception) -> str:
    if exc.args and isinstance(exc.args[0], dict):
        info = exc.args[0]
        return str(info.get("desc") or info.get("info") or exc)
    return str(exc) or exc.__class__.__name__


@sensitive_variables()
def _service_connection() -> Any:
    """A connection bound as the service account (or anonymously when no bind DN is set)."""
    ldap = _ldap()
    connection = _connect()
    try:
        connection.simple_bind_s(settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
    except ldap.LDAPError as exc:
        connection.unbind_s()
        raise LdapError(f"The LDAP service account could not bind: {_describe(exc)}") from exc
    return connection


def _first(attrs: dict[str, list[bytes]], name: str) -> str:
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return values[0].decode("utf-8", errors="replace")
    return ""


def _search_user(connection: Any, username: str) -> LdapUser | None:
    ldap = _ldap()
    from ldap.filter import filter_format

    user_filter = settings.LDAP_USER_FILTER.replace("%(user)s", "%s")
    query = filter_format(user_filter, [username])
    mobile_attr = settings.LDAP_MOBILE_ATTR
    try:
        results = connection.search_s(
            settings.LDAP_USER_SEARCH_BASE,
            ldap.SCOPE_SUBTREE,
            query,
            ["uid", "mail", mobile_attr, "givenName", "sn"],
        )
    except ldap.NO_SUCH_OBJECT:
        return None
    except ldap.LDAPError as exc:
        raise LdapError(f"The LDAP search failed: {_describe(exc)}") from exc
    entries = [(dn, attrs) for dn, attrs in results if dn]
    if len(entries) != 1:
        return None
    dn, attrs = entries[0]
    return LdapUser(
        username=_first(attrs, "uid") or username,
        email=_first(attrs, "mail"),
        mobile=_first(attrs, mobile_attr),
        first_name=_first(attrs, "givenName"),
        last_name=_first(attrs, "sn"),
        dn=dn,
    )


class LdapDirectory:
    """Lookups over one service connection, opened at the first lookup and closed on exit: a bulk
    preview asks about thousands of users and must not bind once per row."""

    def __init__(self) -> None:
        self._connection: Any = None

    def __enter__(self) -> LdapDirectory:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._connection.unbind_s()
            self._connection = None

    def lookup(self, username: str) -> LdapUser | None:
        """The directory entry for ``username`` (found with LDAP_USER_FILTER under
        LDAP_USER_SEARCH_BASE), or None when there is none. Raises LdapError when the directory
        cannot be asked."""
        if not username:
            return None
        if self._connection is None:
            self._connection = _service_connection()
        return _search_user(self._connection, username)


def ldap_lookup_user(username: str) -> LdapUser | None:
    """One lookup (see ``LdapDirectory.lookup``)."""
    with LdapDirectory() as directory:
        return directory.lookup(username)


@sensitive_variables()
def _bound_as(user: LdapUser, password: str) -> Any | None:
    """A connection bound as ``user``, or None when ``password`` is wrong. An empty password is
    refused here, because LDAP treats it as an anonymous bind that "succeeds". The caller
    unbinds."""
    if not password:
        return None
    ldap = _ldap()
    connection = _connect()
    try:
        connection.simple_bind_s(user.dn, password)
    except ldap.INVALID_CREDENTIALS:
        connection.unbind_s()
        return None
    except ldap.LDAPError as exc:
        connection.unbind_s()
        raise LdapError(f"The LDAP bind failed: {_describe(exc)}") from exc
    return connection


@sensitive_variables()
def ldap_authenticate(username: str, password: str) -> LdapUser | None:
    """The directory user when ``password`` binds as ``username``; None for an unknown user or a
    wrong password. Raises LdapError when the directory cannot be asked."""
    user = ldap_lookup_user(username)
    if user is None:
        return None
    connection = _bound_as(user, password)
    if connection is None:
        return None
    connection.unbind_s()
    return user


def _member_of_any(connection: Any, user: LdapUser, group_dns: list[str]) -> bool:
    """True when ``user`` is a member (groupOfNames ``member`` or groupOfUniqueNames
    ``uniqueMember``) of one of ``group_dns``, as seen through ``connection``."""
    ldap = _ldap()
    from ldap.filter import filter_format

    query = filter_format("(|(member=%s)(uniqueMember=%s))", [user.dn, user.dn])
    for group_dn in group_dns:
        try:
            found = connection.search_s(group_dn, ldap.SCOPE_BASE, query, ["cn"])
        except ldap.NO_SUCH_OBJECT:
            logger.warning("LDAP group %s does not exist", group_dn)
            continue
        except ldap.LDAPError as exc:
            raise LdapError(f"The LDAP group search failed: {_describe(exc)}") from exc
        if any(dn for dn, _ in found):
            return True
    return False


@sensitive_variables()
def ldap_authorizer_check(username: str, password: str) -> LdapUser:
    """Bind as the authorizer and, on that connection, check membership in
    LDAP_AUTHORIZER_GROUP_DNS.

    Raises LdapAuthorizationError (wrong credentials, not in a group) with a message fit for the
    form, or LdapError when the directory cannot be asked."""
    user = ldap_lookup_user(username)
    connection = _bound_as(user, password) if user is not None else None
    if user is None or connection is None:
        raise LdapAuthorizationError("The authorizing username or password is not correct.")
    try:
        allowed = _member_of_any(connection, user, list(settings.LDAP_AUTHORIZER_GROUP_DNS))
    finally:
        connection.unbind_s()
    if not allowed:
        raise LdapAuthorizationError(f"The authorizing user {username} is not allowed to authorize provisioning.")
    return user


def django_auth_ldap_settings(
    *,
    server_uri: str,
    bind_dn: str,
    bind_password: str,
    user_search_base: str,
    user_filter: str,
    group_search_base: str,
    start_tls: bool,
) -> dict[str, Any]:
    """The AUTH_LDAP_* settings for console login through django-auth-ldap, built from the plain
    LDAP_* values (config/settings.py calls this only when LDAP_SERVER_URI is set; the test
    fixture calls it for its slapd). Needs python-ldap."""
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    return {
        "AUTH_LDAP_SERVER_URI": server_uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_search_base, ldap.SCOPE_SUBTREE, user_filter),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(group_search_base or user_search_base, ldap.SCOPE_SUBTREE,
                                             "(objectClass=groupOfNames)"),
        "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(),
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: LDAP_TIMEOUT, ldap.OPT_REFERRALS: 0},
    }
