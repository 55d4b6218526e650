"""The one module that talks to Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN; TWILIO_API_BASE_URL
points the client at another base URL, e.g. a local fake in tests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class SmsDeliveryError(Exception):
    """Twilio refused the message, could not be reached, or is not configured."""


class SmsNotConfigured(SmsDeliveryError):
    """No Twilio account or no sender label: retrying cannot help, so the message fails at once."""


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends every request to ``base_url`` instead of *.twilio.com, keeping path and query."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        rebased = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().request(method, rebased, *args, **kwargs)


class SmsSession:
    """One Twilio client, and so one HTTP session (kept-alive connections), for many messages."""

    def __init__(self) -> None:
        self._client: Client | None = None

    def send(self, *, to: str, body: str, sender: str) -> str:
        """Send one SMS from ``sender`` (the SMS Sender Label). Returns Twilio's message SID."""
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise SmsNotConfigured("SMS is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if not sender:
            raise SmsNotConfigured("SMS is not configured: set the SMS Sender Label in Admin > App Portal and SMS.")
        if self._client is None:
            self._client = _client()
        try:
            result = self._client.messages.create(to=to, from_=sender, body=body)
        except TwilioRestException as exc:
            raise SmsDeliveryError(f"Twilio refused the SMS to {to}: {exc.msg} (code {exc.code})") from exc
        except TwilioException as exc:
            raise SmsDeliveryError(f"SMS to {to} failed: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - requests' connection errors and timeouts
            raise SmsDeliveryError(f"SMS to {to} failed: {exc}") from exc
        return str(result.sid or "")


def _client() -> Client:
    base_url: str = settings.TWILIO_API_BASE_URL
    timeout: float = settings.TWILIO_TIMEOUT
    http_client = RebasedHttpClient(base_url, timeout=timeout) if base_url else TwilioHttpClient(timeout=timeout)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
