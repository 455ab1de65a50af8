"""``onestop catalog check [--code X] [--all-versions]``: the catalogue quality checker.

Prints one line per finding (subject, severity, rule code, message) and exits with status 1
when any error exists, 0 otherwise ("未发现问题" when there is nothing at all).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.catalog import checks, selectors


class Command(BaseCommand):
    help = "事项目录维护：check（质量检查）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check}")
        check = actions.add_parser(
            "check", help="检查事项和一件事的目录质量（默认检查已发布版本和草稿）"
        )
        check.add_argument("--code", help="只检查该基本编码的事项或该编码的一件事")
        check.add_argument("--all-versions", action="store_true", help="同时检查已废止的版本")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self.check_catalog(code=options.get("code"), all_versions=options["all_versions"])

    def check_catalog(self, *, code: str | None, all_versions: bool) -> None:
        items, packages = selectors.versions_to_check(code=code, all_versions=all_versions)
        if code and not items.exists() and not packages.exists():
            raise CommandError(_("没有编码为 %(code)s 的事项或一件事") % {"code": code})
        findings: list[checks.Finding] = []
        checked = 0
        for version in items:
            checked += 1
            findings.extend(checks.item_version_check(version))
        for package_version in packages:
            checked += 1
            findings.extend(checks.package_version_check(package_version))
        for f in findings:
            label = checks.Severity(f.severity).label
            style = self.style.ERROR if f.is_error else self.style.WARNING
            self.stdout.write(style(f"{f.subject} | {label} | {f.code} | {f.message}"))
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        if errors:
            raise CommandError(
                _("检查了 %(checked)s 个版本：%(errors)s 个错误，%(warnings)s 个警告")
                % {"checked": checked, "errors": errors, "warnings": warnings},
                returncode=1,
            )
        if warnings:
            self.stdout.write(
                _("检查了 %(checked)s 个版本：无错误，%(warnings)s 个警告")
                % {"checked": checked, "warnings": warnings}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("检查了 %(checked)s 个版本：未发现问题") % {"checked": checked}
                )
            )
