"""The login endpoints of the API (mounted at ``/api/auth``): a token for a user name and
password, a docking system's token for its client credentials, and who the caller is. How a
request is authenticated is ``accounts/auth.py``."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import Form, Router, Schema
from pydantic import Field

from onestop.accounts import throttle
from onestop.accounts.auth import (
    Unauthenticated,
    api_auth,
    client_authenticate,
    client_token_issue,
    token_issue,
)
from onestop.core.errors import DomainError

router = Router(tags=["登录"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class MeOut(Schema):
    username: str
    name: str
    kind: str
    role: str | None = None
    region_code: str | None = None
    department: str | None = None


# The operation ids are the ones the schema published while these endpoints lived in
# config/auth.py, so generated clients keep their method names.
@router.post(
    "/token",
    response={200: TokenOut, 401: dict, 429: dict},
    auth=None,
    summary="用户名和密码换取访问令牌",
    description=(
        "同一用户名或同一来源地址登录失败次数过多时，在一段时间内拒绝登录（即使密码正确），"
        "答 429 并在 Retry-After 头中给出需等待的秒数。"
    ),
    operation_id="onestop_config_auth_token_create",
)
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    ip = throttle.client_ip(request)
    lockout = throttle.login_blocked(username=payload.username, ip=ip)
    if lockout is not None:
        raise throttle.LoginThrottled(lockout)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        throttle.login_failed(username=payload.username, ip=ip)
        raise Unauthenticated(gettext("用户名或密码错误。"))
    throttle.login_succeeded(username=payload.username)
    return TokenOut(token=token_issue(user), expires_in=settings.ONESTOP_API_TOKEN_MAX_AGE)


@router.get(
    "/me",
    response=MeOut,
    auth=api_auth,
    summary="当前登录用户",
    operation_id="onestop_config_auth_me",
)
def me(request: HttpRequest) -> MeOut:
    user = request.auth
    staff = getattr(user, "staff", None)
    applicant = getattr(user, "applicant", None)
    if staff is not None:
        return MeOut(
            username=user.username,
            name=staff.name,
            kind="staff",
            role=staff.role,
            region_code=staff.region.code,
            department=staff.department.name if staff.department else None,
        )
    return MeOut(
        username=user.username,
        name=applicant.name if applicant else user.get_full_name() or user.username,
        kind="applicant" if applicant else "user",
    )


# ------------------------------------------------------------- docking systems' tokens


class OAuthError(DomainError):
    """An error of the token endpoint (RFC 6749 §5.2): problem+json whose ``code`` is the
    OAuth error code, repeated as ``error`` / ``error_description`` for OAuth libraries."""

    title = gettext_lazy("无法签发令牌")

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    def as_problem(self) -> dict[str, Any]:
        body = super().as_problem()
        body.update(error=self.code, error_description=self.message)
        return body


class ClientTokenIn(Schema):
    grant_type: str = Field(description="固定为 client_credentials")
    scope: str = Field(
        "", max_length=200, description="以空格分隔的授权范围；不填为该客户端的全部范围"
    )
    client_id: str = Field("", max_length=64, description="也可用 HTTP Basic 认证头提供")
    client_secret: str = Field("", max_length=128, description="也可用 HTTP Basic 认证头提供")


class ClientTokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int
    scope: str


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """client_id and client_secret from an ``Authorization: Basic`` header (RFC 6749 §2.3.1:
    each form-urlencoded, then joined by a colon)."""
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError(
            "invalid_request", 400, gettext("Authorization 头不是有效的 Basic 认证。")
        ) from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post(
    "/client-token",
    response={200: ClientTokenOut, 400: dict, 401: dict, 429: dict},
    auth=None,
    summary="对接系统以客户端凭据换取访问令牌（OAuth 2.0 client_credentials）",
    description=(
        "表单提交 grant_type=client_credentials，客户端标识和密钥放在 HTTP Basic 认证头中"
        "或表单的 client_id、client_secret 中；scope 可选，须是该客户端授权范围的子集。"
        "令牌短期有效（expires_in 秒），以 Bearer 方式调用授权范围内的对接接口："
        "cases:read（GET /cases、/cases/by-number/{number}、/cases/{id}）、"
        "events:read（GET /events）、tasks:read（GET /tasks/{id}）；客户端被吊销后立即失效。"
        "错误以 problem+json 返回，code 与 error 为 OAuth 错误码（invalid_request、"
        "invalid_client、unsupported_grant_type、invalid_scope）。"
    ),
)
def client_token(
    request: HttpRequest, response: HttpResponse, payload: Form[ClientTokenIn]
) -> ClientTokenOut:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    if payload.grant_type != "client_credentials":
        raise OAuthError(
            "unsupported_grant_type", 400, gettext("只支持 grant_type=client_credentials。")
        )
    basic = _basic_credentials(request)
    if basic is not None and (payload.client_id or payload.client_secret):
        raise OAuthError(
            "invalid_request", 400, gettext("客户端凭据只能用一种方式提供（Basic 头或表单）。")
        )
    client_id, secret = basic or (payload.client_id, payload.client_secret)
    if not client_id or not secret:
        raise OAuthError("invalid_request", 400, gettext("请提供 client_id 和 client_secret。"))
    ip = throttle.client_ip(request)
    subject = f"client:{client_id}"
    lockout = throttle.login_blocked(username=subject, ip=ip)
    if lockout is not None:
        raise throttle.LoginThrottled(lockout)
    client = client_authenticate(client_id=client_id, secret=secret)
    if client is None:
        throttle.login_failed(username=subject, ip=ip)
        raise OAuthError(
            "invalid_client", 401, gettext("客户端标识或密钥错误，或该客户端已被吊销。")
        )
    throttle.login_succeeded(username=subject)
    asked = payload.scope.split()
    if not set(asked) <= set(client.scopes):
        raise OAuthError(
            "invalid_scope",
            400,
            gettext("请求的授权范围超出了该客户端的范围（%(scopes)s）。")
            % {"scopes": " ".join(client.scopes)},
        )
    scopes = sorted(set(asked or client.scopes))
    return ClientTokenOut(
        access_token=client_token_issue(client, scopes),
        expires_in=settings.ONESTOP_API_CLIENT_TOKEN_SECONDS,
        scope=" ".join(scopes),
    )
