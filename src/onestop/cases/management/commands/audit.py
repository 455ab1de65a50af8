"""``onestop audit verify [--case NUMBER]``: check every case's hash-chained event log.

``onestop audit export --format ocel|xes --output FILE [--from D] [--to D] [--region CODE]``:
write the event log for process mining (``cases.process_mining``, docs/process_mining.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from onestop.cases.events import chain_verify
from onestop.cases.models import Case
from onestop.cases.process_mining import ExportScope, ocel_write, xes_write


class Command(BaseCommand):
    help = "核验办件事件日志的哈希链：发现被篡改、删除或重排的事件时以状态 1 退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="逐个办件核验事件哈希链")
        verify.add_argument("--case", dest="number", help="只核验这个办件编号")
        export = sub.add_parser(
            "export", help="导出事件日志供过程挖掘（OCEL 2.0 JSON 或 XES），流式写出"
        )
        export.add_argument("--format", choices=["ocel", "xes"], required=True)
        export.add_argument("--output", required=True, help="输出文件；“-”为标准输出")
        export.add_argument(
            "--from", dest="date_from", type=_date, help="提交日期起（含），YYYY-MM-DD"
        )
        export.add_argument("--to", dest="date_to", type=_date, help="提交日期止（含），YYYY-MM-DD")
        export.add_argument("--region", default="", help="收件地区划代码（含下级），如 4309")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
            return
        cases = Case.objects.order_by("pk")
        if options.get("number"):
            cases = cases.filter(number=options["number"])
            if not cases.exists():
                raise CommandError(f"办件 {options['number']} 不存在。")
        total_cases = total_events = 0
        broken = 0
        for case in cases.iterator(chunk_size=500):
            count, breaks = chain_verify(case)
            total_cases += 1
            total_events += count
            if breaks:
                broken += 1
                for item in breaks:
                    self.stdout.write(f"BROKEN {item.case_number} #{item.seq}: {item.problem}")
        if broken:
            self.stdout.write(
                f"FAILED: {broken} of {total_cases} cases have a broken event chain "
                f"({total_events} events checked)."
            )
            raise SystemExit(1)
        self.stdout.write(f"OK: {total_cases} cases, {total_events} events, every chain intact.")

    def _export(self, options: dict[str, Any]) -> None:
        region = (options.get("region") or "").strip()
        if region and not region.isdigit():
            raise CommandError(f"区划代码应为数字：{region}")
        scope = ExportScope(
            date_from=options.get("date_from"), date_to=options.get("date_to"), region_code=region
        )
        if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
            raise CommandError("--from 晚于 --to。")
        write = ocel_write if options["format"] == "ocel" else xes_write
        target = options["output"]
        if target == "-":
            counts = write(_Raw(self.stdout), scope=scope)
            report = sys.stderr
        else:
            path = Path(target)
            if not path.parent.is_dir():
                raise CommandError(f"输出目录不存在：{path.parent}")
            # Written beside the target and moved into place: a failed export leaves no half file.
            partial = path.with_name(path.name + ".part")
            try:
                with partial.open("w", encoding="utf-8", newline="\n") as out:
                    counts = write(out, scope=scope)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            report = self.stdout
        objects = f", {counts.object_total} objects" if options["format"] == "ocel" else ""
        report.write(
            f"OK: {counts.cases} cases, {counts.events} events{objects} "
            f"written as {options['format']} to {target}.\n"
        )


class _Raw:
    """The command's stdout as a plain text sink (OutputWrapper ends every write)."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str, /) -> int:
        self._wrapper.write(text, ending="")
        return len(text)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{value}") from exc
