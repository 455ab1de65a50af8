"""Domain errors: what a service raises when a request breaks a rule.

The API maps them to problem+json (RFC 9457) with ``status``; pages show ``message`` next
to the field named by ``field`` (or at the top of the form when there is none).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    """A request that breaks a domain rule. Subclasses set ``status`` and ``code``."""

    status = 400
    code = "invalid"
    title = gettext_lazy("请求不符合业务规则")

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def as_problem(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"https://onestop.invalid/problems/{self.code}",
            "title": str(self.title),
            "status": self.status,
            "detail": self.message,
            "code": self.code,
        }
        if self.field:
            problem["field"] = self.field
        if self.details:
            problem["details"] = self.details
        return problem


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = gettext_lazy("输入有误")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = gettext_lazy("未找到")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = gettext_lazy("无权操作")


class Conflict(DomainError):
    """The state changed under the caller (another clerk acted first, a retry, a race)."""

    status = 409
    code = "conflict"
    title = gettext_lazy("状态冲突")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = gettext_lazy("不允许的状态变更")
