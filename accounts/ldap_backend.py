"""Console login against LDAP (django-auth-ldap). Listed in AUTHENTICATION_BACKENDS only when
LDAP_SERVER_URI is set, so python-ldap is imported only then."""

from typing import Any

from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from django_auth_ldap.backend import LDAPBackend

from accounts.roles import ADMINISTRATOR, HELPDESK, ROLES, SUPER_HELPDESK
from accounts.services import console_role_sync


def console_role_for_ldap_groups(group_dns: set[str]) -> str | None:
    """The one role a console user gets from their LDAP groups: the highest that matches."""
    by_dn = {dn.lower(): role for dn, role in (
        (settings.LDAP_ADMIN_GROUP_DN, ADMINISTRATOR),
        (settings.LDAP_SUPER_HELPDESK_GROUP_DN, SUPER_HELPDESK),
        (settings.LDAP_HELPDESK_GROUP_DN, HELPDESK),
    ) if dn}
    matched = {by_dn[dn.lower()] for dn in group_dns if dn.lower() in by_dn}
    return next((role for role in ROLES if role in matched), None)  # ROLES: highest first


class ConsoleLdapBackend(LDAPBackend):  # type: ignore[misc]
    """Signs console users in by their directory password and gives them the one role their
    LDAP group maps to (LDAP_ADMIN_GROUP_DN, LDAP_SUPER_HELPDESK_GROUP_DN, LDAP_HELPDESK_GROUP_DN).
    A directory user in none of those groups is refused: the directory, not a stale local group,
    decides who may use the console."""

    @sensitive_variables()
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        # Django marks only ``credentials`` in ``authenticate()``: this frame and django-auth-ldap's
        # below it would show the password in an error report.
        return super().authenticate(request, username=username, password=password, **kwargs)

    @sensitive_variables()
    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> Any:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        role = console_role_for_ldap_groups(set(ldap_user.group_dns))
        console_role_sync(user=user, role=role)
        return user if role is not None else None
