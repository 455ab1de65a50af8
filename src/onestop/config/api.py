"""The JSON API (django-ninja). OpenAPI at /api/docs; errors are problem+json (RFC 9457).

This module only mounts each app's router (at the end; an app adds its line as it grows an
API) and installs the handlers, the one place where a ``DomainError`` becomes an HTTP
response. The published schema says so: every error response is declared
``application/problem+json`` with the ``Problem`` schema, and every operation that takes a
body also declares 400 (unparsable body), 413 (too large) and 422 (bad input, or characters
the edge refuses, ``core/middleware.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onestop.accounts.api import router as accounts_router
from onestop.accounts.throttle import LoginThrottled
from onestop.cases.api import router as cases_router
from onestop.catalog.api import router as catalog_router
from onestop.certificates.api import router as certificates_router
from onestop.core.errors import DomainError
from onestop.delivery.api import case_router as delivery_case_router
from onestop.delivery.api import router as delivery_router
from onestop.evaluations.api import router as evaluations_router
from onestop.regions.api import router as regions_router
from onestop.stats.api import router as stats_router
from onestop.supervision.api import router as supervision_router

PROBLEM = "application/problem+json"


class Problem(Schema):
    """An error answer (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    code: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
    details: dict[str, Any] | None = None


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# What any operation may answer besides its own responses, and what one with a body may.
_ANY_OPERATION = {
    "422": "输入有误：参数不符合要求，或路径、查询参数含有不允许的字符（invalid_characters）",
    "503": "服务暂时不可用（如数据库正在重启），按 Retry-After 头等待后重试（unavailable）",
}
# One that needs a login, and one whose path names a record.
_WITH_LOGIN = {
    "401": "未登录，或令牌无效、过期、已吊销（unauthenticated）",
    "403": "无权进行此操作：角色不允许，或接口客户端令牌的授权范围不包括此接口（insufficient_scope）",
}
_WITH_PATH = {"404": "路径所指的记录不存在，或不在调用者的查看范围内（not_found）"}
_WITH_BODY = {
    "400": "请求体无法解析：不是合法的 JSON，或 multipart 缺少 boundary（invalid_multipart）",
    "413": "请求体过大（request_too_large）",
    "422": "输入有误：字段不符合要求，或含有不允许的字符（invalid_characters，field 为 JSON"
    " 指针或表单字段名）",
}


def problems_declared(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every error response as problem+json, and the errors every operation
    (or every operation with a body) may give declared."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            extra = {**_ANY_OPERATION, **(_WITH_BODY if "requestBody" in operation else {})}
            if operation.get("security"):
                extra.update(_WITH_LOGIN)
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                extra.update(_WITH_PATH)
            for status, description in extra.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {PROBLEM: {"schema": dict(_PROBLEM_REF)}}
    return schema


class OnestopAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problems_declared(schema)
        return schema


api = OnestopAPI(
    title="onestop API",
    version="1",
    description=(
        "一件事一次办 政务服务平台接口。错误以 application/problem+json 返回（见 Problem）。"
        "未知的接口地址答 404，路径不接受的方法答 405（带 Allow 头），均为 problem+json；"
        "请求行过长由前置的 Web 服务器答 414。"
    ),
    urls_namespace="api",
)


def problem(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(request, exc.as_problem(), exc.status)


@api.exception_handler(LoginThrottled)
def _throttled(request: HttpRequest, exc: LoginThrottled) -> HttpResponse:
    response = problem(request, exc.as_problem(), exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


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


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """Normally answered at the edge (core/middleware.py) before the view parses the body."""
    body = {
        "type": "https://onestop.invalid/problems/invalid_multipart",
        "title": gettext("请求体不是有效的 multipart 内容"),
        "status": 400,
        "detail": gettext(
            "multipart/form-data 请求须在 Content-Type 中带 boundary 参数，并按其分隔各字段。"
        ),
        "code": "invalid_multipart",
    }
    return problem(request, body, 400)


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
api.add_router("/ratings", evaluations_router)
api.add_router("/certificates", certificates_router)
api.add_router("/delivery", delivery_router)
api.add_router("", delivery_case_router)  # /api/cases/{id}/shipments, …/delivery-choice
api.add_router("/supervision", supervision_router)
api.add_router("/stats", stats_router)
