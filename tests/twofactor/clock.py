"""twofactor.totp's clock, set by a test (no sleeping for a new 30-second step), and signing in with it."""

import pyotp
from django.test import Client

from tests.conftest import PASSWORD, TOTP_SECRET, ClientResponse

# 2027-01-15 08:00:00 UTC, the start of a 30-second step.
T0 = 1_799_481_600.0
STEP = 30


class Clock:
    def __init__(self, start: float = T0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def tick(self, steps: int = 1) -> None:
        self.t += STEP * steps

    def code(self, secret: str = TOTP_SECRET, *, offset: int = 0) -> str:
        """The code an authenticator app on ``secret`` shows ``offset`` steps from the clock's time."""
        return pyotp.TOTP(secret).at(self.t + STEP * offset)

    def next_code(self, secret: str = TOTP_SECRET) -> str:
        """A code of a step not used yet: the clock moves on one step first."""
        self.tick()
        return self.code(secret)


def sign_in_with_code(client: Client, username: str, clock: Clock, *, secret: str = TOTP_SECRET,
                      password: str = PASSWORD) -> ClientResponse:
    """The password, then (asked for it) the authenticator's code: the answer to the code, or to the password
    when no code was asked."""
    response = client.post("/login/", {"username": username, "password": password})
    if response.status_code == 302 and response["Location"] == "/login/code/":
        response = client.post("/login/code/", {"code": clock.next_code(secret)})
    return response
