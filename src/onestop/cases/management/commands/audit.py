"""``onestop audit verify [--case NUMBER]``: check every case's hash-chained event log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.cases.events import chain_verify
from onestop.cases.models import Case


class Command(BaseCommand):
    help = "核验办件事件日志的哈希链：发现被篡改、删除或重排的事件时以状态 1 退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="逐个办件核验事件哈希链")
        verify.add_argument("--case", dest="number", help="只核验这个办件编号")

    def handle(self, *args: Any, **options: Any) -> None:
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
