"""``onestop evaluations export|sweep|push``.

- ``export --from YYYY-MM-DD --to YYYY-MM-DD --format jsonl|csv [--output FILE]`` writes the
  provincial interface records (DOMAIN.md §1.7(b) field names) of the ratings made on those
  dates, one per line; the rater's name and ID number are masked unless ``--full-identity``.
- ``sweep`` makes the system default ratings (only when ``ONESTOP_RATING_DEFAULT_ENABLED``).
- ``push`` sends the records still due to the provincial platform (the outbox's catch-up).
- ``catch-up`` lights evaluators a failed hand-out handler left dark.
- ``invite`` sends the 智能邀评 SMS links (completed, unrated after N working days).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.evaluations import provincial, push, selectors, services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期须为 YYYY-MM-DD：%(v)s") % {"v": value}) from None


class Command(BaseCommand):
    help = "好差评：导出省平台评价记录；系统默认评价；补推省平台。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出评价记录（省平台接口字段）")
        export.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        export.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        export.add_argument("--output", help="输出文件（默认标准输出）")
        export.add_argument(
            "--full-identity", action="store_true", help="不遮蔽评价人姓名和证件号（报送省平台用）"
        )
        sub.add_parser("sweep", help="为评价期满未评价的办件生成系统默认评价（须开启）")
        sub.add_parser("push", help="补推尚未上报省平台的评价")
        sub.add_parser("invite", help="智能邀评：向办结后仍未评价的申请人发送评价短信")
        sub.add_parser("catch-up", help="点亮出件处理器未能点亮的窗口评价器")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "sweep":
            self.stdout.write(f"{services.ratings_default_sweep()} default ratings made.")
            return
        if action == "catch-up":
            self.stdout.write(f"{services.evaluators_catch_up()} evaluators lit.")
            return
        if action == "invite":
            self.stdout.write(f"{services.rating_invitations_send()} invitations sent.")
            return
        if action == "push":
            sent = push.push_due()
            self.stdout.write(f"{sent} records pushed.")
            return
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError(_("--to 不能早于 --from。"))
        output = options.get("output")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = self._export(out, start, end, options)
        else:
            count = self._export(sys.stdout, start, end, options)
        self.stderr.write(f"{count} records.")

    def _export(self, out: TextIO, start: dt.date, end: dt.date, options: dict[str, Any]) -> int:
        full = bool(options["full_identity"])
        writer = None
        if options["format"] == "csv":
            writer = csv.DictWriter(out, fieldnames=list(provincial.INTERFACE_FIELDS))
            writer.writeheader()
        count = 0
        for rating in selectors.ratings_between(start, end).iterator(chunk_size=500):
            record = provincial.interface_record(provincial.facts_of(rating), full_identity=full)
            if writer is not None:
                writer.writerow(record)
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
