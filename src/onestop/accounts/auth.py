"""API authentication: the page session (with CSRF) or a bearer token for API clients.

The endpoints that issue tokens and say who is logged in are ``accounts/api.py``.

Tokens are stateless signed values (``django.core.signing``) carrying the user id and a
fingerprint of the password hash, so changing the password or deactivating the account
revokes every token at once; they expire after ``ONESTOP_API_TOKEN_MAX_AGE`` seconds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy
from ninja.security import HttpBearer, SessionAuth

from onestop.core.errors import DomainError

_SALT = "onestop.api-token"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = gettext_lazy("未登录")


def _fingerprint(user: Any) -> str:
    return salted_hmac(_SALT, user.password or "-", algorithm="sha256").hexdigest()[:16]


def token_issue(user: Any) -> str:
    """A bearer token for ``user``; valid until it expires or the password changes."""
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=_SALT, compress=True)


def token_user(token: str) -> Any | None:
    """The active user a token belongs to, or None for a bad, expired or revoked token."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.ONESTOP_API_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("f", ""), _fingerprint(user)):
        return None
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class PageSession(SessionAuth):
    """The page session, CSRF-checked. A request without a logged-in session (an API client
    with a bearer token) has no CSRF cookie to check: ninja's ``SessionAuth`` would refuse it
    with 403 before the bearer scheme is tried, so it is passed on instead."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# Session first (pages calling the API with htmx/fetch, CSRF-checked), then bearer tokens.
api_auth = [PageSession(csrf=True), BearerToken()]
