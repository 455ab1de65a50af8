"""The addresses ``onestop demo`` prints. Later pages add their entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLink:
    label: str
    path: str


DEMO_LINKS: list[DemoLink] = [
    DemoLink("网上办事大厅（申请人）", "/"),
    DemoLink("登录", "/accounts/login/"),
    DemoLink("工作台（综合受理窗口、部门待办）", "/desk/"),
    DemoLink("我的办件（申请人登录后）", "/my/cases/"),
    DemoLink("管理后台（事项目录、一件事、区划、人员、工作日历）", "/admin/"),
    DemoLink("API 文档（OpenAPI）", "/api/docs"),
]
