"""``onestop backup --output DIR``: a consistent backup of the database and the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库和文件到一个新目录：先取数据库快照（SQLite 在线备份 / PostgreSQL pg_dump），"
        "再复制文件，最后写 manifest.json（没有它的目录是未完成的备份）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="备份目录（不存在或为空）")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="数据库引用的文件在存储中缺失时仍完成备份，并在清单中记下缺失的文件",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(output=options["output"], allow_missing=options["allow_missing"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"OK: backup in {result.directory} ({result.engine}, {result.events} events, "
            f"{result.files} files, {result.bytes} bytes)."
        )
        if result.missing:
            self.stdout.write(
                f"WARNING: {len(result.missing)} referenced files were missing and are "
                "listed in the manifest as missing_files."
            )
