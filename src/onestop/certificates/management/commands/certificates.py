"""``onestop certificates check-id|verify|…``: the certificates app's command line.

- ``check-id IDENTIFIER``: exit 0 when the e-licence identifier's format, codes and check
  character are right; exit 1 (a wrong check character or code) or 2 (not an identifier at
  all) with the reason otherwise;
- ``verify FILE.pdf``: exit 0 and "genuine" when the signature is intact, made by this
  platform's seal and the certificate is current; exit 1 and "not genuine" with the reason
  otherwise (a changed byte, a revoked certificate, a file the platform never issued);
- ``import-key SEAL_ID KEY.pem CERT.pem``: production keys issued by another CA;
- ``issue-missing``: the sweep that issues the result of every decided task without one
  (what a failed case-event handler left undone), naming those it cannot (no authorised
  seal, say);
- ``expire``: valid certificates past their validity date become 失效.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.certificates.identifiers import InvalidIdentifier, licence_id_parse
from onestop.certificates.selectors import certificate_verify_pdf
from onestop.certificates.services import (
    certificates_expire,
    results_issue_missing,
    seal_import_key,
)
from onestop.core.errors import DomainError


class Command(BaseCommand):
    help = "电子证照与电子印章：校验证照标识、核验证照文件、补发结果、导入印章密钥。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check-id", help="校验电子证照标识的格式与校验位")
        check.add_argument("identifier")
        verify = sub.add_parser("verify", help="核验证照 PDF：签名完好且证照当前有效时退出码为 0")
        verify.add_argument("file")
        imp = sub.add_parser("import-key", help="为印章导入外部签发的签名密钥与证书（PEM）")
        imp.add_argument("seal_id", type=int)
        imp.add_argument("key_file")
        imp.add_argument("certificate_file")
        sub.add_parser("issue-missing", help="为已作出决定但没有结果文件的子件出具结果")
        sub.add_parser("expire", help="将超过有效期的证照置为失效")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "check-id":
            self._check_id(options["identifier"])
        elif action == "verify":
            self._verify(options["file"])
        elif action == "import-key":
            self._import_key(options["seal_id"], options["key_file"], options["certificate_file"])
        elif action == "issue-missing":
            self._issue_missing()
        elif action == "expire":
            expired = certificates_expire()
            for identifier in expired:
                self.stdout.write(f"expired {identifier}")
            self.stdout.write(_("%(n)d 份证照已失效。") % {"n": len(expired)})

    def _import_key(self, seal_id: int, key_file: str, certificate_file: str) -> None:
        try:
            seal = seal_import_key(
                seal_id=seal_id,
                key_pem=Path(key_file).read_bytes(),
                certificate_pem=Path(certificate_file).read_bytes(),
            )
        except OSError as exc:
            raise CommandError(_("无法读取文件：%(e)s") % {"e": exc.strerror}) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            _("已为“%(seal)s”导入密钥（%(alg)s）。")
            % {"seal": seal.name, "alg": seal.key_algorithm}
        )

    def _verify(self, name: str) -> None:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("not genuine: 无法读取文件（%(e)s）") % {"e": exc.strerror}, returncode=1
            ) from None
        verdict = certificate_verify_pdf(data)
        if not verdict.genuine:
            raise CommandError(f"not genuine: {verdict.reason}: {verdict.message}", returncode=1)
        self.stdout.write(
            f"genuine: {verdict.identifier} {verdict.title} · {verdict.issuer} · "
            f"{verdict.state_label} · {verdict.signature_checked}"
        )

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
