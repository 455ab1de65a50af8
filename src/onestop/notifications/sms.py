"""SMS gateways: where text messages leave the platform.

``ONESTOP_SMS_BACKEND`` names the backend: ``console`` (the embedded default: the text is
logged, with the number masked) or ``http`` (a gateway reached over HTTP), or the dotted
path of a class with the :class:`SmsBackend` interface.

The HTTP contract (also in docs/notifications.md)
--------------------------------------------------
The platform sends one request per message::

    POST {ONESTOP_SMS_URL}
    Authorization: Bearer {ONESTOP_SMS_TOKEN}
    Content-Type: application/json; charset=utf-8

    {"to": "13807371234", "text": "【一件事一次办】您的申请……", "id": "5812"}

- ``to``: a mainland mobile number, 11 digits; ``text``: the whole message, UTF-8;
  ``id``: the platform's message id (the outbox row id, as a string).
- Any 2xx status means the gateway has accepted the message; the row is then marked sent
  and never sent again.
- Any other status, a timeout (``ONESTOP_SMS_TIMEOUT`` seconds, default 10) or a connection
  error means "not accepted": the platform retries later, with the SAME ``id``.
- The gateway must be idempotent on ``id``: a request with an id it has already accepted is
  answered 2xx and not sent again. (A platform worker may die between the gateway's answer
  and marking the row sent; the retry then repeats the id.)
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from onestop.core.masking import mask_phone

logger = logging.getLogger("onestop.notifications.sms")


class SmsNotAccepted(Exception):
    """The gateway did not accept the message (it is retried with the same id)."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    id: str


class SmsBackend(Protocol):
    def send(self, sms: Sms) -> None:
        """Hand one message to the gateway; raise :class:`SmsNotAccepted` when it refuses."""


class ConsoleBackend:
    """Logs the message instead of sending it (the embedded default and demos)."""

    def send(self, sms: Sms) -> None:
        logger.warning("SMS %s to %s: %s", sms.id, mask_phone(sms.to), sms.text)


class HttpBackend:
    """POSTs the message as JSON to ``ONESTOP_SMS_URL`` (the contract in the module doc)."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 0):
        self.url = url if url is not None else settings.ONESTOP_SMS_URL
        self.token = token if token is not None else settings.ONESTOP_SMS_TOKEN
        self.timeout = timeout or float(getattr(settings, "ONESTOP_SMS_TIMEOUT", 10))

    def send(self, sms: Sms) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise SmsNotAccepted("ONESTOP_SMS_URL is not an http(s) URL")
        body = json.dumps({"to": sms.to, "text": sms.text, "id": sms.id}, ensure_ascii=False)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            raise SmsNotAccepted(f"gateway answered HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:  # refused, unreachable, timed out, bad URL
            raise SmsNotAccepted(f"gateway not reachable: {exc}") from None
        if not 200 <= status < 300:
            raise SmsNotAccepted(f"gateway answered HTTP {status}")


_BACKENDS = {
    "console": ConsoleBackend,
    "http": HttpBackend,
}


def sms_backend() -> SmsBackend:
    """The configured backend (``ONESTOP_SMS_BACKEND``), made afresh so settings changes apply."""
    name = getattr(settings, "ONESTOP_SMS_BACKEND", "console") or "console"
    cls = _BACKENDS.get(name) or import_string(name)
    return cls()
