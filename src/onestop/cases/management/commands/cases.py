"""``onestop cases sweep`` and ``onestop cases refresh-dues``: periodic case maintenance.

- ``sweep`` terminates cases whose tolerated (容缺) material is past its supplement date;
- ``refresh-dues`` recomputes stored due dates from the event history, e.g. after the State
  Council schedule of a new year is published (``--provisional`` only touches provisional ones).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.cases.maintenance import dues_refresh_all
from onestop.cases.services import case_terminate_overdue_tolerated


class Command(BaseCommand):
    help = "办件定期维护：终止容缺逾期的办件；按事件历史重算办结期限。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="终止容缺材料逾期未补交的办件")
        refresh = sub.add_parser("refresh-dues", help="按事件历史重算办理中办件的期限")
        refresh.add_argument("--provisional", action="store_true", help="只重算期限为暂定的办件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            numbers = case_terminate_overdue_tolerated()
            for number in numbers:
                self.stdout.write(f"terminated {number}")
            self.stdout.write(f"{len(numbers)} cases terminated.")
            return
        count = dues_refresh_all(provisional_only=options["provisional"])
        self.stdout.write(f"{count} cases recomputed.")
