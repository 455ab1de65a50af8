"""``onestop supervision sweep|verify``: the 电子监察 sweep, and the check of the 督办 log.

- ``sweep`` evaluates every active rule over every case a rule can see, raises the signals
  that are not open yet and clears those whose cause is gone (twice in a row: no change);
- ``verify`` walks the hash chain of every 督办 and reports each break.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.supervision import log
from onestop.supervision.models import SupervisionOrder
from onestop.supervision.services import signals_sweep


class Command(BaseCommand):
    help = "电子监察：按监察规则产生、消除监察信号；校验督办记录的哈希链。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="按全部启用的监察规则扫描办件，产生和消除信号")
        sub.add_parser("verify", help="校验每件督办记录的哈希链")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            result = signals_sweep()
            self.stdout.write(
                f"raised {result.raised}, cleared {result.cleared}, open {result.open}, "
                f"reminded {result.reminded}"
            )
            return
        checked, broken = 0, 0
        for order in SupervisionOrder.objects.order_by("pk").iterator():
            _count, breaks = log.chain_verify(order)
            checked += 1
            for item in breaks:
                broken += 1
                self.stdout.write(f"督办#{item.order_id} #{item.seq}: {item.problem}")
        self.stdout.write(f"{checked} orders checked, {broken} breaks.")
        if broken:
            raise CommandError("督办记录哈希链校验失败。")
