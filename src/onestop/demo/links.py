"""The addresses ``onestop demo`` prints. Later pages add their entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLink:
    label: str
    path: str


DEMO_LINKS: list[DemoLink] = [
    DemoLink("首页", "/"),
    DemoLink("登录", "/accounts/login/"),
    DemoLink("管理后台（事项目录、一件事、区划、人员、工作日历）", "/admin/"),
    DemoLink("API 文档（OpenAPI）", "/api/docs"),
]
