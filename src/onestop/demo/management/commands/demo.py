"""``onestop demo``: migrate, load the Yiyang demo data, print URLs and logins, serve."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from onestop.accounts.roles import Role
from onestop.core.management.commands.serve import serve
from onestop.demo.data import crossdomain, people
from onestop.demo.links import DEMO_LINKS
from onestop.demo.loader import DemoSummary, demo_load

KIND_LABELS = {
    "regions": "行政区划",
    "departments": "部门",
    "halls": "服务大厅",
    "windows": "窗口",
    "users": "登录账号",
    "staff": "工作人员",
    "applicants": "申请人",
    "items": "事项",
    "packages": "一件事",
    "cases": "示例办件",
    "cross-domain cases": "跨域通办办件",
}


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, who, what for) of every demo login, superuser first."""
    rows = [(people.SUPERUSER.username, people.SUPERUSER.name, "超级管理员（管理后台全部功能）")]
    rows += [
        (s.username, s.name, f"{Role(s.role).label}：{s.note}")
        for s in [*people.STAFF, *crossdomain.STAFF]
    ]
    rows += [(p.username, p.name, f"自然人申请人：{p.note}") for p in people.PERSONS]
    rows += [(e.username, e.name, f"企业申请人：{e.note}") for e in people.ENTERPRISES]
    return rows


class Command(BaseCommand):
    help = "演示：迁移数据库、加载益阳演示数据（可重复执行）、打印网址和演示账号，然后启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="加载数据后退出，不启动服务（测试、CI 用）"
        )
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000"
        )
        parser.add_argument("--workers", type=int, default=2, help="工作进程数，默认 2")
        parser.add_argument("--threads", type=int, default=4, help="每个进程的线程数，默认 4")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        self.stdout.write("正在迁移数据库……")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))
        self.stdout.write("正在加载益阳演示数据……")
        summary = demo_load()
        self._print_summary(summary)
        self._print_links(options["bind"])
        self._print_logins()
        if options["no_serve"]:
            return
        self.stdout.write(
            self.style.SUCCESS(f"正在启动服务：http://{options['bind']}/（Ctrl+C 停止）")
        )
        serve(bind=options["bind"], workers=options["workers"], threads=options["threads"])

    def _print_summary(self, summary: DemoSummary) -> None:
        parts = [
            f"{label} {summary.present[kind]}（新建 {summary.created[kind]}）"
            for kind, label in KIND_LABELS.items()
            if summary.present[kind]
        ]
        self.stdout.write("演示数据：" + "，".join(parts))

    def _print_links(self, bind: str) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("网址"))
        for link in DEMO_LINKS:
            self.stdout.write(f"  {link.label}：http://{bind}{link.path}")

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"演示账号（密码均为 {people.DEMO_PASSWORD}）")
        )
        rows = [("用户名", "姓名/名称", "用途"), *demo_logins()]
        user_width = max(_width(username) for username, _, _ in rows)
        name_width = max(_width(name) for _, name, _ in rows)
        for username, name, purpose in rows:
            self.stdout.write(
                f"  {_pad(username, user_width)}  {_pad(name, name_width)}  {purpose}"
            )


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
