"""``onestop restore DIR [--force]``: restore a backup made by ``onestop backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从 onestop backup 的目录恢复数据库和文件：先校验清单和每个文件的 SHA-256，"
        "数据库非空时需 --force；恢复后运行 audit verify 并报告结果。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="onestop backup 写出的备份目录")
        parser.add_argument(
            "--force", action="store_true", help="当前数据库非空时也恢复（覆盖现有数据）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(directory=options["directory"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {result.engine} database and files from {result.directory} "
            f"({result.files_written} files written, {result.files_unchanged} unchanged"
            f"{', migrations applied' if result.migrated else ''})."
        )
        for problem in result.problems:
            self.stdout.write(f"PROBLEM: {problem}")
        self.stdout.write(f"audit verify: {result.audit_output.strip()}")
        if not result.ok:
            raise CommandError("恢复后的检查未通过，见上方 PROBLEM / audit verify 的输出。")
