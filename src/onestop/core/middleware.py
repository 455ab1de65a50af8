"""The edge: text no part of the platform may store is refused before any view runs.

``EdgeMiddleware`` looks at the path, the query string, form fields (urlencoded and
multipart field names and values; never file contents, and file names Django strips of
non-printable characters itself) and JSON bodies (every key and
string value of the decoded document) and answers **422** ``invalid_characters`` when one
holds

- a NUL or another control character (C0 other than tab, CR and LF; DEL; C1),
- a lone surrogate (U+D800–U+DFFF, from a JSON ``\\ud800`` escape), or bytes that are not
  UTF-8 at all (``%ED%A0%80``, a surrogate encoded, in a path, query or urlencoded form),
- a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
  can make a name or a number read differently from what is stored.

PostgreSQL refuses NUL in text (a 500 before this); the rest would be stored silently.
Under ``/api/`` the answer is problem+json naming the parameter (``field``: the query
parameter or form field, ``path``, or a JSON pointer such as ``/materials/0/key``); other
paths get a page. A multipart body Django cannot parse (no boundary) is 400
``invalid_multipart`` here too, instead of a 500 in the view.

Bodies are read the way Django itself reads them, so the view parses them again from its
cache: a JSON or urlencoded body through ``request.body`` (only up to
``DATA_UPLOAD_MAX_MEMORY_SIZE``; a larger one is left to the view, which answers 413),
multipart through ``request.POST`` (Django parses it once and keeps the result; uploaded
files stay where the upload handlers put them and are not read).

It also makes Django's own answers under ``/api/`` problem+json: an unknown path (404) and
a method the path does not take (405, ``Allow`` kept).

When the database cannot be reached (it restarts, the pooler is full: ``OperationalError``
or ``InterfaceError`` out of a view, or another database error that left the connection
closed), the answer is **503** ``unavailable`` with
``Retry-After`` instead of a 500 — problem+json under ``/api/``, a page that needs no
database elsewhere. The view's transaction was rolled back, so a retry is safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

API_PREFIX = "/api/"
PROBLEM = "application/problem+json"

# C0 controls but tab, LF and CR; DEL and C1; bidi embeddings/overrides and isolates;
# surrogates (only a lone one can be in a Python str).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


class Refused(Exception):
    """An answer given at the edge, before the view."""

    def __init__(self, status: int, code: str, title: str, detail: str, field: str | None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field

    def as_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://onestop.invalid/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.field is not None:
            body["field"] = self.field
        return body


def visible(text: str) -> str:
    """``text`` with every forbidden character written as ``\\uXXXX``, safe to echo back
    (a lone surrogate cannot even be encoded into the response)."""
    return FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _invalid(field: str) -> Refused:
    shown = visible(field)
    return Refused(
        422,
        "invalid_characters",
        gettext("输入含有不允许的字符"),
        gettext(
            "“%(field)s”含有不允许的字符（空字符、控制字符、不成对的代理项、非 UTF-8 字节"
            "或双向文字控制符），请删除后重试。"
        )
        % {"field": shown},
        shown,
    )


def _check_text(field: str, text: str) -> None:
    if FORBIDDEN.search(text):
        raise _invalid(field)


def _check_raw_pairs(raw: bytes, *, plus_is_space: bool) -> None:
    """A query string or urlencoded body as sent: every name and value must be UTF-8 once
    percent-decoded (Django would quietly replace what is not) and free of forbidden
    characters."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        if plus_is_space:
            name, value = name.replace(b"+", b" "), value.replace(b"+", b" ")
        name_bytes, value_bytes = unquote_to_bytes(name), unquote_to_bytes(value)
        field = name_bytes.decode("utf-8", errors="replace")
        try:
            _check_text(field, name_bytes.decode("utf-8"))
            _check_text(field, value_bytes.decode("utf-8"))
        except UnicodeDecodeError:
            raise _invalid(field) from None


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """(JSON pointer, string) for every key and string value, without recursion (a deeply
    nested document must not exhaust the stack here)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            yield pointer or "/", value
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                yield child, key
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{pointer}/{index}", item) for index, item in enumerate(value))


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _small_enough(request: HttpRequest) -> bool:
    """Whether ``request.body`` may be read here: a body over the limit is left to the view
    (413), and so is one whose length is not a number."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return length > 0 and (limit is None or length <= limit)


def _check_multipart(request: HttpRequest) -> None:
    try:
        form, files = request.POST, request.FILES
    except MultiPartParserError:
        raise Refused(
            400,
            "invalid_multipart",
            gettext("请求体不是有效的 multipart 内容"),
            gettext(
                "multipart/form-data 请求须在 Content-Type 中带 boundary 参数，并按其分隔各字段。"
            ),
            None,
        ) from None
    except RequestDataTooBig:
        raise _too_large() from None
    except SuspiciousOperation:  # too many fields or files
        raise Refused(
            400,
            "bad_request",
            gettext("请求无法处理"),
            gettext("请求中的字段或文件过多。"),
            None,
        ) from None
    for name, values in form.lists():
        _check_text(name, name)
        for value in values:
            _check_text(name, value)
    for name in files:  # Django already drops non-printable characters from file names
        _check_text(name, name)


def _too_large() -> Refused:
    return Refused(
        413,
        "request_too_large",
        gettext("请求内容过大"),
        gettext("请求体超过了大小上限。"),
        None,
    )


def check_request(request: HttpRequest) -> None:
    """Raise ``Refused`` for a request carrying text the platform does not accept."""
    # Django re-percent-encodes the bytes of a path that are not UTF-8 (``%ED%A0%80`` stays
    # those nine characters in ``path_info``); decoding them again finds them.
    try:
        unquote_to_bytes(request.path_info).decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid("path") from None
    _check_text("path", request.path_info)

    query = request.META.get("QUERY_STRING", "")
    if query:
        _check_raw_pairs(query.encode("iso-8859-1", errors="replace"), plus_is_space=True)

    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        if request.method == "POST":
            _check_multipart(request)
        return
    if not _small_enough(request):
        return
    if content_type == "application/x-www-form-urlencoded":
        _check_raw_pairs(request.body, plus_is_space=True)
    elif _is_json(content_type) or _is_api(request):
        # django-ninja reads any other body as JSON whatever its content type says.
        try:
            document = json.loads(request.body)
        except (ValueError, RecursionError):
            return  # not JSON: the view says so
        for pointer, text in _json_strings(document):
            _check_text(pointer, text)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def problem_response(body: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM)


def _api_answer(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Django's HTML (or empty) 404 and 405 under /api/ as problem+json."""
    if response.status_code not in (404, 405) or response.get("Content-Type", "").startswith(
        PROBLEM
    ):
        return response
    if response.status_code == 404:
        body = {
            "type": "https://onestop.invalid/problems/not_found",
            "title": gettext("未找到"),
            "status": 404,
            "detail": gettext("没有这个接口地址；接口一览见 /api/docs。"),
            "code": "not_found",
        }
        return problem_response(body, 404)
    allowed = response.get("Allow", "")
    body = {
        "type": "https://onestop.invalid/problems/method_not_allowed",
        "title": gettext("不支持的请求方法"),
        "status": 405,
        "detail": gettext("这个接口地址不接受 %(method)s 请求，可用的方法：%(allowed)s。")
        % {"method": request.method, "allowed": allowed},
        "code": "method_not_allowed",
    }
    answer = problem_response(body, 405)
    if allowed:
        answer["Allow"] = allowed
    return answer


# Seconds a client is asked to wait when the database is unavailable.
RETRY_AFTER = 5


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: problem+json under /api/, else a page without the database."""
    if _is_api(request):
        body = {
            "type": "https://onestop.invalid/problems/unavailable",
            "title": gettext("服务暂时不可用"),
            "status": 503,
            "detail": gettext("数据库暂时无法连接，本次请求没有生效；请在 %(seconds)s 秒后重试。")
            % {"seconds": RETRY_AFTER},
            "code": "unavailable",
        }
        response = problem_response(body, 503)
    else:
        page = render_to_string("onestop/unavailable.html", {"seconds": RETRY_AFTER})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def _connection_lost() -> bool:
    """Whether a database connection of this thread is gone after an error. Through
    PgBouncer a server that restarts under a transaction can also surface as psycopg's
    ``InternalError`` ("received 2 results from command 'COMMIT'") on a connection that is
    then closed: that is an outage too, while an error on a live connection stays a bug."""
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None and conn.errors_occurred:
            return True  # Django closed it: the rollback after the error failed
        if raw is not None and getattr(raw, "closed", False):
            return True
    return False


class EdgeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refused as refused:
            return self.refuse(request, refused)
        response = self.get_response(request)
        if _is_api(request):
            response = _api_answer(response, request)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, (OperationalError, InterfaceError)) or (
            isinstance(exc, DatabaseError) and _connection_lost()
        ):
            # A connection the server dropped is closed now, so the next request (or a
            # retry in this process) opens a new one.
            for conn in connections.all(initialized_only=True):
                conn.close_if_unusable_or_obsolete()
            return unavailable(request)
        return None

    def refuse(self, request: HttpRequest, refused: Refused) -> HttpResponse:
        if _is_api(request):
            return problem_response(refused.as_problem(), refused.status)
        context = {"title": refused.title, "detail": refused.detail}
        return render(request, "onestop/refused.html", context, status=refused.status)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (``settings.ONESTOP_CSP``) to every response.

    The default allows scripts, styles, images, fonts and connections from this site only,
    no plugins, no framing and forms posting only here; inline ``style`` attributes are
    allowed (server-rendered charts use them), inline script is not — the pages' behaviour
    lives in ``onestop.js``. A response that set its own policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "ONESTOP_CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
