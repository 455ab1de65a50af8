"""``onestop cases sweep|refresh-dues|sweep-files``: periodic case maintenance.

- ``sweep`` terminates cases whose tolerated (容缺) material is past its supplement date;
- ``refresh-dues`` recomputes stored due dates from the event history, e.g. after the State
  Council schedule of a new year is published (``--provisional`` only touches provisional ones);
- ``sweep-files`` deletes uploaded files no row references (uploads of rolled-back
  submissions, files of deleted drafts) once they are ``--older-than-hours`` old; a file a
  supplement replaced stays, since the event log records it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.cases.files import files_sweep_orphans
from onestop.cases.maintenance import dues_refresh_all
from onestop.cases.services import case_terminate_overdue_tolerated


class Command(BaseCommand):
    help = "办件定期维护：终止容缺逾期的办件；按事件历史重算办结期限；清理无引用的上传文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="终止容缺材料逾期未补交的办件")
        refresh = sub.add_parser("refresh-dues", help="按事件历史重算办理中办件的期限")
        refresh.add_argument("--provisional", action="store_true", help="只重算期限为暂定的办件")
        files = sub.add_parser("sweep-files", help="删除没有任何记录引用的上传文件")
        files.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="只删除至少这么多小时未修改的文件（默认24），以免删除仍在提交中的上传",
        )
        files.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            numbers = case_terminate_overdue_tolerated()
            for number in numbers:
                self.stdout.write(f"terminated {number}")
            self.stdout.write(f"{len(numbers)} cases terminated.")
            return
        if options["action"] == "sweep-files":
            self._sweep_files(hours=options["older_than_hours"], dry_run=options["dry_run"])
            return
        count = dues_refresh_all(provisional_only=options["provisional"])
        self.stdout.write(f"{count} cases recomputed.")

    def _sweep_files(self, *, hours: int, dry_run: bool) -> None:
        if hours < 0:
            raise CommandError(_("--older-than-hours 不能为负数。"))
        result = files_sweep_orphans(older_than=dt.timedelta(hours=hours), dry_run=dry_run)
        verb = _("将删除") if dry_run else _("已删除")
        for name in result.deleted_names:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(
            _("%(verb)s %(deleted)d 个无引用的文件，共 %(bytes)d 字节；保留 %(kept)d 个文件。")
            % {
                "verb": verb,
                "deleted": result.deleted,
                "bytes": result.bytes_freed,
                "kept": result.kept,
            }
        )
