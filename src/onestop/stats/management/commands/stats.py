"""``onestop stats rebuild|check|sweep|report``: the figures' aggregate rows and the report.

- ``rebuild`` throws the daily rows away and sums them afresh from every case, then checks;
- ``check`` recounts every case and compares with the daily rows (exit status 1 if they differ);
- ``sweep`` refreshes the cases whose events moved past their figures;
- ``report --region 4309 --from 2020-01-01 --to 2020-06-11`` prints the press-release
  paragraph for the region subtree and period, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from onestop.core.errors import DomainError
from onestop.stats import selectors, services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期应写作 YYYY-MM-DD：%(value)s") % {"value": value}) from None


class Command(BaseCommand):
    help = "统计分析：重建并核对每日统计；补算；输出新闻通稿式的统计段落。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="按全部办件重算每日统计，并核对")
        sub.add_parser("check", help="全量重新计数，核对每日统计是否一致")
        sub.add_parser("sweep", help="补算事件已变化的办件")
        report = sub.add_parser("report", help="输出统计段落（中文）")
        report.add_argument("--region", required=True, help="区划代码，如 4309")
        report.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        report.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "report":
            self._report(options["region"], options["start"], options["end"])
        elif action == "rebuild":
            started = time.perf_counter()
            result = services.figures_rebuild()
            self.stdout.write(
                f"rebuilt from {result.cases} cases: {result.daily_rows} daily rows, "
                f"{result.duration_rows} duration rows in {time.perf_counter() - started:.2f} s"
            )
            self._check()
        elif action == "check":
            self._check()
        else:
            result = services.case_figures_sweep()
            self.stdout.write(f"{result.checked} cases checked, {result.changed} changed.")

    def _check(self) -> None:
        started = time.perf_counter()
        result = selectors.figures_check()
        seconds = time.perf_counter() - started
        if result.ok:
            self.stdout.write(
                f"ok: the aggregates equal a full recount of {result.cases} cases "
                f"({result.daily_rows} daily rows, {result.duration_rows} duration rows; "
                f"{seconds:.2f} s)"
            )
            return
        for line in result.differences:
            self.stderr.write(line)
        raise CommandError(
            _("每日统计与全量重新计数不一致（%(n)d 处以上）。可运行 onestop stats rebuild。")
            % {"n": len(result.differences)}
        )

    def _report(self, region: str, start: str, end: str) -> None:
        with translation.override("zh-hans"):
            try:
                period = selectors.period_clean(_date(start), _date(end))
                text = selectors.press_release_text(region_code=region.strip(), period=period)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(text)
