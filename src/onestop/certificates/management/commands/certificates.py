"""``onestop certificates check-id|verify|…``: the certificates app's command line.

- ``check-id IDENTIFIER``: exit 0 when the e-licence identifier's format, codes and check
  character are right; exit 1 (a wrong check character or code) or 2 (not an identifier at
  all) with the reason otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.certificates.identifiers import InvalidIdentifier, licence_id_parse


class Command(BaseCommand):
    help = "电子证照与电子印章：校验证照标识、核验证照文件、补发结果、导入印章密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check-id", help="校验电子证照标识的格式与校验位")
        check.add_argument("identifier")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check-id":
            self._check_id(options["identifier"])

    def _check_id(self, identifier: str) -> None:
        try:
            parsed = licence_id_parse(identifier)
        except InvalidIdentifier as exc:
            raise CommandError(
                _("无效：%(reason)s") % {"reason": exc.reason}, returncode=2 if exc.malformed else 1
            ) from None
        self.stdout.write(_("有效：%(id)s") % {"id": parsed})
