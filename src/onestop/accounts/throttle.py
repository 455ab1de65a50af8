"""Login throttling: failed logins are counted per user name and per client IP, and after
too many within a window further attempts are refused — with the right password too — until
the window has passed. Both ways of logging in use it: the API token endpoint (429 with
``Retry-After``, ``accounts/api.py``) and the login page (a message on the form,
``accounts/forms.py``).

- ``ONESTOP_LOGIN_MAX_FAILURES`` (5) failures for one user name, or
  ``ONESTOP_LOGIN_MAX_FAILURES_PER_IP`` (20) from one client IP, within
  ``ONESTOP_LOGIN_WINDOW_SECONDS`` (900) lock that name or IP for the window, counted from
  the failure that reached the limit. A window with fewer failures starts afresh once it
  has passed; a successful login clears the user name's count (not the IP's: one account
  an attacker knows must not let them go on guessing others).
- Refused attempts are not counted, so a lock ends when its window does.
- User names are compared case-folded (``Admin`` and ``admin`` share a count). The client IP
  is ``REMOTE_ADDR``, or behind ``ONESTOP_TRUSTED_PROXIES`` proxies the address the outermost
  of them put into ``X-Forwarded-For``.

All state is here, in Django's cache (``CACHES["default"]``). Time is ``core.clock.now()``,
so a frozen clock moves the windows; the cache entries also expire on their own after a
window. The default local-memory cache is per process: with several worker processes or
hosts each counts on its own, so production sets ``ONESTOP_CACHE_URL`` to a shared cache
(Redis).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from onestop.core import clock
from onestop.core.errors import DomainError

_PREFIX = "onestop:login-throttle"


@dataclass(frozen=True)
class Lockout:
    """Attempts are refused for another ``retry_after`` seconds."""

    retry_after: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return ngettext(
            "登录失败次数过多，请 %(minutes)d 分钟后再试。",
            "登录失败次数过多，请 %(minutes)d 分钟后再试。",
            minutes,
        ) % {"minutes": minutes}


class LoginThrottled(DomainError):
    """429: too many failed logins for this user name or from this address."""

    status = 429
    code = "too_many_login_attempts"
    title = gettext_lazy("登录尝试过于频繁")

    def __init__(self, lockout: Lockout) -> None:
        super().__init__(lockout.message, retry_after=lockout.retry_after)
        self.retry_after = lockout.retry_after


def client_ip(request: HttpRequest) -> str:
    proxies = int(settings.ONESTOP_TRUSTED_PROXIES)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[max(0, len(forwarded) - proxies)]
    return request.META.get("REMOTE_ADDR", "") or "-"


def _window() -> int:
    return int(settings.ONESTOP_LOGIN_WINDOW_SECONDS)


def _subjects(username: str, ip: str) -> list[tuple[str, int]]:
    """(cache key stem, failure limit) for the user name and the IP."""
    name = hashlib.sha256(username.strip().casefold().encode("utf-8", "replace")).hexdigest()
    address = hashlib.sha256(ip.encode("utf-8", "replace")).hexdigest()
    return [
        (f"{_PREFIX}:user:{name}", int(settings.ONESTOP_LOGIN_MAX_FAILURES)),
        (f"{_PREFIX}:ip:{address}", int(settings.ONESTOP_LOGIN_MAX_FAILURES_PER_IP)),
    ]


def login_blocked(*, username: str, ip: str) -> Lockout | None:
    """The lockout in force for this user name or address, if any (the longer of two)."""
    now = clock.now().timestamp()
    waits = [
        until - now
        for stem, _ in _subjects(username, ip)
        if (until := cache.get(f"{stem}:until")) is not None and until > now
    ]
    if not waits:
        return None
    return Lockout(retry_after=max(1, math.ceil(max(waits))))


def login_failed(*, username: str, ip: str) -> None:
    """Count one failed login; lock the name or address that reached its limit."""
    now = clock.now().timestamp()
    window = _window()
    timeout = window + 60  # the cache forgets a little after the window closes
    for stem, limit in _subjects(username, ip):
        start = cache.get(f"{stem}:start")
        if start is None or now - start >= window:
            cache.set_many({f"{stem}:start": now, f"{stem}:count": 0}, timeout)
        try:
            count = cache.incr(f"{stem}:count")
        except ValueError:  # evicted between the two calls
            cache.set(f"{stem}:count", 1, timeout)
            count = 1
        if count >= limit:
            cache.set(f"{stem}:until", now + window, timeout)


def login_succeeded(*, username: str) -> None:
    """A successful login clears the user name's count."""
    stem = _subjects(username, "")[0][0]
    cache.delete_many([f"{stem}:start", f"{stem}:count", f"{stem}:until"])
