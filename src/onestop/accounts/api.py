"""The login endpoints of the API (mounted at ``/api/auth``): a token for a user name and
password, and who the caller is. How a request is authenticated is ``accounts/auth.py``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema

from onestop.accounts import throttle
from onestop.accounts.auth import Unauthenticated, api_auth, token_issue

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
