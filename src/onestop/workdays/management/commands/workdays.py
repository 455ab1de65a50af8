"""``onestop workdays add|between|seed``: working-day arithmetic from the console.

    onestop workdays add 2026-09-30 3            → 2026-10-10
    onestop workdays between 2026-09-30 2026-10-12 → 4
    onestop workdays seed                        → years entered from chinesecalendar

A result that depends on a year without a published State Council schedule is followed by
`` provisional``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.errors import DomainError
from onestop.workdays import calendar, services


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name} 不是有效日期（格式 YYYY-MM-DD）：{value!r}") from None


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise CommandError(f"工作日天数应为非负整数：{value!r}") from None
    if n < 0:
        raise CommandError(f"工作日天数不能为负数：{n}")
    return n


def _line(value: object, *, is_provisional: bool) -> str:
    return f"{value} provisional" if is_provisional else f"{value}"


class Command(BaseCommand):
    help = "工作日计算：add（N 个工作日后的日期）、between（两日期间的工作日数）、seed（导入节假日数据）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,between,seed}")
        add = actions.add_parser("add", help="START 之后第 N 个工作日（不含 START 当日）")
        add.add_argument("start", help="起始日期 YYYY-MM-DD")
        add.add_argument("n", help="工作日数（≥0；0 即 START 当日）")
        between = actions.add_parser("between", help="A 之后至 B（含）之间的工作日数")
        between.add_argument("a", help="起始日期 YYYY-MM-DD（不计入）")
        between.add_argument("b", help="截止日期 YYYY-MM-DD（计入）")
        actions.add_parser("seed", help="从 chinesecalendar 导入尚未发布年度的国务院节假日安排")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                result = calendar.add_workdays(
                    _date(options["start"], "START"), _count(options["n"])
                )
                self.stdout.write(
                    _line(result.value.isoformat(), is_provisional=result.is_provisional)
                )
            elif action == "between":
                count = calendar.workdays_between(
                    _date(options["a"], "A"), _date(options["b"], "B")
                )
                self.stdout.write(_line(count.value, is_provisional=count.is_provisional))
            else:
                years = services.calendar_seed_from_library()
                if years:
                    self.stdout.write(f"已导入 {len(years)} 个年度：{years[0]}–{years[-1]}")
                else:
                    self.stdout.write("没有需要导入的年度（均已发布）。")
        except DomainError as exc:
            raise CommandError(exc.message) from None
