"""``onestop cases sweep`` and ``onestop cases refresh-dues``: periodic case maintenance.

- ``sweep`` terminates cases whose tolerated (容缺) material is past its supplement date;
- ``refresh-dues`` recomputes stored due dates from the event history, e.g. after the State
  Council schedule of a new year is published (``--provisional`` only touches provisional ones).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.cases.models import Case
from onestop.cases.services import case_terminate_overdue_tolerated, dues_refresh_locked
from onestop.cases.states import CASE_CLOCK_STATES


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
        cases = Case.objects.filter(state__in=CASE_CLOCK_STATES)
        if options["provisional"]:
            cases = cases.filter(due_is_provisional=True)
        count = 0
        for case_id in cases.values_list("pk", flat=True).iterator():
            dues_refresh_locked(case_id=case_id)
            count += 1
        self.stdout.write(f"{count} cases recomputed.")
