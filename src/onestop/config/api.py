"""The JSON API (django-ninja). OpenAPI at /api/docs; errors are problem+json (RFC 9457).

This module only mounts each app's router (at the end; an app adds its line as it grows an
API) and installs the handlers, the one place where a ``DomainError`` becomes an HTTP
response.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onestop.accounts.api import router as accounts_router
from onestop.cases.api import router as cases_router
from onestop.catalog.api import router as catalog_router
from onestop.core.errors import DomainError
from onestop.regions.api import router as regions_router

PROBLEM = "application/problem+json"

api = NinjaAPI(
    title="onestop API",
    version="1",
    description="一件事一次办 政务服务平台接口。错误以 application/problem+json 返回。",
    urls_namespace="api",
)


def problem(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(request, exc.as_problem(), exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    body = {
        "type": "https://onestop.invalid/problems/validation_failed",
        "title": gettext("输入有误"),
        "status": 422,
        "detail": gettext("请求内容不符合接口要求，详见 errors。"),
        "code": "validation_failed",
        "errors": exc.errors,
    }
    return problem(request, body, 422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "type": "https://onestop.invalid/problems/unauthenticated",
        "title": gettext("未登录"),
        "status": 401,
        "detail": gettext("请先登录，或在 Authorization 头中提供有效的令牌。"),
        "code": "unauthenticated",
    }
    return problem(request, body, 401)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    body = {
        "type": "https://onestop.invalid/problems/request_too_large",
        "title": gettext("请求内容过大"),
        "status": 413,
        "detail": gettext(
            "请求体超过了 JSON 请求的大小上限；较大的文件请用 multipart 上传接口提交。"
        ),
        "code": "request_too_large",
    }
    return problem(request, body, 413)


# django-ninja's own refusals, said in Chinese like every other error.
_NINJA_MESSAGES = {
    "Cannot parse request body": (
        "请求内容无法解析",
        "请求体应为合法的 JSON（或接口要求的表单格式）。",
    ),
    "CSRF check Failed": (
        "CSRF 校验失败",
        "以页面会话调用接口时须带 X-CSRFToken 头；接口客户端请使用 Bearer 令牌。",
    ),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    title, detail = next(
        (known for prefix, known in _NINJA_MESSAGES.items() if message.startswith(prefix)),
        (message, message),
    )
    body = {
        "type": "about:blank",
        "title": str(title),
        "status": exc.status_code,
        "detail": str(detail),
    }
    return problem(request, body, exc.status_code)


api.add_router("/auth", accounts_router)
api.add_router("/regions", regions_router)
api.add_router("/catalog", catalog_router)
api.add_router("", cases_router)
