"""``onestop certificates check-id|verify|…``: the certificates app's command line.

- ``check-id IDENTIFIER``: exit 0 when the e-licence identifier's format, codes and check
  character are right; exit 1 (a wrong check character or code) or 2 (not an identifier at
  all) with the reason otherwise;
- ``issue-missing``: the sweep that issues the result of every decided task without one
  (what a failed case-event handler left undone), naming those it cannot (no authorised
  seal, say);
- ``expire``: valid certificates past their validity date become 失效.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.certificates.identifiers import InvalidIdentifier, licence_id_parse
from onestop.certificates.services import certificates_expire, results_issue_missing


class Command(BaseCommand):
    help = "电子证照与电子印章：校验证照标识、核验证照文件、补发结果、导入印章密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check-id", help="校验电子证照标识的格式与校验位")
        check.add_argument("identifier")
        sub.add_parser("issue-missing", help="为已作出决定但没有结果文件的子件出具结果")
        sub.add_parser("expire", help="将超过有效期的证照置为失效")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check-id":
            self._check_id(options["identifier"])
        elif action == "issue-missing":
            self._issue_missing()
        elif action == "expire":
            expired = certificates_expire()
            for identifier in expired:
                self.stdout.write(f"expired {identifier}")
            self.stdout.write(_("%(n)d 份证照已失效。") % {"n": len(expired)})

    def _issue_missing(self) -> None:
        issued, failed = results_issue_missing()
        for certificate in issued:
            self.stdout.write(f"issued {certificate.identifier} (task {certificate.task_id})")
        for task_id, why in failed:
            self.stdout.write(f"not issued: task {task_id}: {why}")
        self.stdout.write(
            _("出具 %(n)d 份结果；%(f)d 个子件未能出具。") % {"n": len(issued), "f": len(failed)}
        )

    def _check_id(self, identifier: str) -> None:
        try:
            parsed = licence_id_parse(identifier)
        except InvalidIdentifier as exc:
            raise CommandError(
                _("无效：%(reason)s") % {"reason": exc.reason}, returncode=2 if exc.malformed else 1
            ) from None
        self.stdout.write(_("有效：%(id)s") % {"id": parsed})
