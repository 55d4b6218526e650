"""``Authorization: Bearer <key>``: who is calling, whether the key may do this, and how often.

In order: no key, or one that is not a key of this console → 401 ``unauthorized``; a revoked or
expired key → 401 ``key_revoked`` / ``key_expired``; too many calls with the key in the window
(API_RATE_LIMIT per API_RATE_WINDOW, ``lib.ratelimit``) → 429 with Retry-After; a key without the
operation's scope → 403 ``missing_scope``. Refused keys are counted per client address under the
same rate, so guessing is throttled and a flood writes one audit entry per window, not one per
request. The key is found by its hash (one indexed read, no password hash: ``integrations.keys``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from ninja.security.http import HttpAuthBase

from audit.actor import Actor, client_ip
from integrations.api.errors import ApiError
from integrations.keys import ApiCaller, api_actor_name, key_lookup
from integrations.models import KeyStatus
from integrations.services import api_key_used
from lib.ratelimit import Decision, hit

STATE_ATTRIBUTE = "onramp_api_call"


@dataclass
class CallState:
    """What the audit of a call needs to know, kept on the request while it is answered."""

    caller: ApiCaller | None = None
    audited: bool = True  # False for the requests of a flood after its first refusal
    error: str = ""  # the error code answered, if any


def call_state(request: HttpRequest) -> CallState:
    state = getattr(request, STATE_ATTRIBUTE, None)
    if state is None:
        state = CallState()
        setattr(request, STATE_ATTRIBUTE, state)
    return state


def rate_limited(decision: Decision, state: CallState) -> ApiError:
    state.audited = decision.first_refusal
    return ApiError(429, "rate_limited", f"Too many API calls. Try again in {decision.retry_after} seconds.",
                    retry_after=decision.retry_after)


class BearerKey(HttpAuthBase):
    """The API's one security scheme (HTTP bearer); each operation names the scope it needs. It reads the
    header itself, so a missing or malformed one gets the API's error body, not a bare 401."""

    openapi_scheme = "bearer"
    openapi_description = "An API key from Admin > API keys: `Authorization: Bearer onr_…`."

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    @sensitive_variables()
    def __call__(self, request: HttpRequest) -> ApiCaller:
        state = call_state(request)
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        api_key = key_lookup(key.strip()) if scheme.lower() == "bearer" else None
        if api_key is None or api_key.status() != KeyStatus.ACTIVE:
            decision = hit("api-refused", client_ip(request) or "-", settings.RATE_LIMIT_API)
            if not decision.allowed:
                raise rate_limited(decision, state)
            if api_key is None:
                raise ApiError(401, "unauthorized", "Send an API key of this console as “Authorization: Bearer "
                                                    "<key>” (Admin > API keys).")
            state.caller = ApiCaller(key=api_key, actor=Actor.outside(request, api_actor_name(api_key)))
            if api_key.status() == KeyStatus.REVOKED:
                raise ApiError(401, "key_revoked", "This API key was revoked. Ask an administrator for a new one.")
            raise ApiError(401, "key_expired", "This API key has expired. Ask an administrator for a new one.")
        caller = state.caller = ApiCaller(key=api_key, actor=Actor.outside(request, api_actor_name(api_key)))
        decision = hit("api", str(api_key.pk), settings.RATE_LIMIT_API)
        if not decision.allowed:
            raise rate_limited(decision, state)
        api_key_used(api_key=api_key, ip=caller.actor.ip)
        if not caller.has_scope(self.scope):
            raise ApiError(403, "missing_scope", f"This API key lacks the scope {self.scope}.")
        return caller



READ_ENROLLMENTS = BearerKey("enrollments:read")
WRITE_ENROLLMENTS = BearerKey("enrollments:write")
READ_DEVICES = BearerKey("devices:read")
