"""Console login against LDAP (django-auth-ldap). Listed in AUTHENTICATION_BACKENDS only when
LDAP_SERVER_URI is set, so python-ldap is imported only then."""

from typing import Any

from django_auth_ldap.backend import LDAPBackend

from accounts.ldap import console_role_sync


class ConsoleLdapBackend(LDAPBackend):  # type: ignore[misc]
    """Signs console users in by their directory password and gives them the one role their
    LDAP group maps to (LDAP_ADMIN_GROUP_DN, LDAP_SUPER_HELPDESK_GROUP_DN, LDAP_HELPDESK_GROUP_DN).
    A directory user in none of those groups is refused: the directory, not a stale local group,
    decides who may use the console."""

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> Any:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        role = console_role_sync(user=user, group_dns=set(ldap_user.group_dns))
        return user if role is not None else None
