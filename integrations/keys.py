"""API keys: how they look, how they are stored and what a key may do.

A key is ``onr_`` and 43 URL-safe characters (256 random bits from ``secrets``). It is stored as
HMAC-SHA256 under a key derived from SECRET_KEY (Django's ``salted_hmac``): the key is random, so a
fast keyed hash is enough (a password hash exists to slow down guessing of low-entropy secrets, and
would cost every API call tens of milliseconds); without SECRET_KEY a stolen table matches nothing.
Looking a key up is one indexed read by its hash; keys made under a SECRET_KEY_FALLBACKS key keep
working while it is listed. The first 10 characters (``onr_`` and six more) are kept in clear so a
person can tell keys apart.

What a key may do is its scopes, read through ``ApiCaller.has_perm`` with the console's permission
names, so the API reads through the same ``Model.objects.restrict(...)`` as the console.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

from audit.actor import Actor
from integrations.models import ApiKey, Scope

KEY_PREFIX = "onr_"
SHOWN_PREFIX = len(KEY_PREFIX) + 6
_SALT = "onramp.integrations.api_key"

# What each scope allows, in the console's permission names.
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    Scope.ENROLLMENTS_READ: frozenset({"enrollment.view_pendingenrollment"}),
    Scope.ENROLLMENTS_WRITE: frozenset({
        "enrollment.add_pendingenrollment", "enrollment.change_pendingenrollment",
        "enrollment.delete_pendingenrollment", "enrollment.view_otp", "enrollment.reset_otp",
    }),
    Scope.DEVICES_READ: frozenset({"enrollment.view_device"}),
}


@sensitive_variables()
def key_generate() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@sensitive_variables()
def key_hashes(key: str) -> list[str]:
    """The hash of ``key`` under SECRET_KEY first, then under each of SECRET_KEY_FALLBACKS."""
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(_SALT, key, secret=secret, algorithm="sha256").hexdigest() for secret in secrets_in_use]


@sensitive_variables()
def key_lookup(key: str) -> ApiKey | None:
    """The key row for ``key`` (revoked and expired ones too: the caller says why it refuses), or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    return ApiKey.objects.filter(key_hash__in=key_hashes(key)).first()


@dataclass(frozen=True)
class ApiCaller:
    """The integration behind a request: its key and the actor its calls are audited as."""

    key: ApiKey
    actor: Actor

    def has_scope(self, scope: str) -> bool:
        return scope in self.key.scopes

    def has_perm(self, perm: str, obj: object = None) -> bool:
        """A console permission, as the key's scopes grant it (``restrict`` asks this)."""
        return any(perm in SCOPE_PERMISSIONS.get(scope, frozenset()) for scope in self.key.scopes)


def api_actor_name(key: ApiKey) -> str:
    return f"api:{key.name}"
