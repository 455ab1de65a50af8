"""API authentication: the page session (with CSRF), a user's bearer token, or a docking
system's client-credentials token.

The endpoints that issue tokens and say who is logged in are ``accounts/api.py``.

User tokens are stateless signed values (``django.core.signing``) carrying the user id and a
fingerprint of the password hash, so changing the password or deactivating the account
revokes every token at once; they expire after ``ONESTOP_API_TOKEN_MAX_AGE`` seconds.

Client tokens (``ApiClient``, OAuth 2.0 client credentials) start with ``osc.`` and carry
the client id and a fingerprint of its secret hash; each request reads the client again,
so revoking it ends its tokens at once. They expire after
``ONESTOP_API_CLIENT_TOKEN_SECONDS`` and are accepted only by the operations that name one
of their scopes (``client_auth(scope)``): elsewhere, and without the scope, 403
``insufficient_scope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, gettext_lazy
from ninja.security import HttpBearer, SessionAuth

from onestop.accounts.models import ApiClient, ApiScope
from onestop.core.errors import DomainError

_SALT = "onestop.api-token"
_CLIENT_SALT = "onestop.api-client-token"
CLIENT_TOKEN_PREFIX = "osc."  # noqa: S105 - marks the kind of token, not a secret


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


class InsufficientScope(DomainError):
    status = 403
    code = "insufficient_scope"
    title = gettext_lazy("令牌的授权范围不包括此接口")


def _client_fingerprint(client: ApiClient) -> str:
    return salted_hmac(_CLIENT_SALT, client.secret_hash, algorithm="sha256").hexdigest()[:16]


def client_authenticate(*, client_id: str, secret: str) -> ApiClient | None:
    """The unrevoked client with this id and secret, or None (as slow either way)."""
    client = (
        ApiClient.objects.select_related("region")
        .filter(client_id=client_id, revoked_at__isnull=True)
        .first()
    )
    if client is None:
        make_password(secret)  # the same work as a check: the time tells no id apart
        return None
    return client if check_password(secret, client.secret_hash) else None


def client_token_issue(client: ApiClient, scopes: list[str]) -> str:
    """A short-lived bearer token for a docking system, for ``scopes`` (some of the
    client's); valid until it expires, the client is revoked or its secret changes."""
    value = signing.dumps(
        {"c": client.pk, "f": _client_fingerprint(client), "s": sorted(scopes)},
        salt=_CLIENT_SALT,
    )
    return CLIENT_TOKEN_PREFIX + value


@dataclass(frozen=True)
class ClientCall:
    """A request made with a client token: the client, and the scopes the token carries that
    the client still holds."""

    client: ApiClient
    scopes: frozenset[str]


def client_token_client(token: str) -> ClientCall | None:
    """The unrevoked client a token belongs to, or None for a bad, expired or revoked one."""
    if not token.startswith(CLIENT_TOKEN_PREFIX):
        return None
    try:
        data = signing.loads(
            token.removeprefix(CLIENT_TOKEN_PREFIX),
            salt=_CLIENT_SALT,
            max_age=settings.ONESTOP_API_CLIENT_TOKEN_SECONDS,
        )
    except signing.BadSignature:
        return None
    client = (
        ApiClient.objects.select_related("region")
        .filter(pk=data.get("c"), revoked_at__isnull=True)
        .first()
    )
    if client is None or not constant_time_compare(data.get("f", ""), _client_fingerprint(client)):
        return None
    return ClientCall(client, frozenset(data.get("s", ())) & frozenset(client.scopes))


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if token.startswith(CLIENT_TOKEN_PREFIX):
            if client_token_client(token) is None:
                return None
            raise InsufficientScope(
                gettext("接口客户端的令牌不能调用此接口，只能调用其授权范围内的对接接口。")
            )
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


class ClientToken(HttpBearer):
    """A docking system's token, for an operation that reads within ``scope``."""

    def __init__(self, scope: ApiScope) -> None:
        super().__init__()
        self.scope = ApiScope(scope)

    def authenticate(self, request: HttpRequest, token: str) -> ClientCall | None:
        call = client_token_client(token)
        if call is None:
            return None  # a user's token: the next scheme reads it
        if self.scope not in call.scopes:
            raise InsufficientScope(
                gettext("此接口需要授权范围 %(scope)s，该客户端没有。")
                % {"scope": self.scope.value},
                scope=self.scope.value,
            )
        return call


# Session first (pages calling the API with htmx/fetch, CSRF-checked), then bearer tokens.
api_auth = [PageSession(csrf=True), BearerToken()]


def client_auth(scope: ApiScope) -> list[Any]:
    """``api_auth`` and, for a docking operation, a client's token carrying ``scope``."""
    return [PageSession(csrf=True), ClientToken(scope), BearerToken()]
