# ruff: noqa: N999 - the command is spelt as users type it: ``onestop api-client``
"""``onestop api-client create|list|revoke``: docking systems' client credentials.

``create NAME --region CODE --scope cases:read --scope events:read`` prints the client id
and the secret, which is shown this once (only its hash is stored); the client exchanges
them for a short-lived token at ``POST /api/auth/client-token``. ``revoke CLIENT_ID`` ends
the client's secret and every token it holds at once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from onestop.accounts import services
from onestop.accounts.models import ApiClient, ApiScope
from onestop.core.errors import DomainError
from onestop.regions.selectors import region_get


class Command(BaseCommand):
    help = "对接系统的接口客户端：create（创建）、list（列出）、revoke（吊销）。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,list,revoke}"
        )
        create = actions.add_parser("create", help="创建接口客户端，打印客户端标识和密钥")
        create.add_argument("name", help="名称，如“省政务服务平台”")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=ApiScope.values,
            help="授权范围，可重复",
        )
        create.add_argument(
            "--region", required=True, help="数据范围：该区划及其下级的办件（区划代码）"
        )
        actions.add_parser("list", help="列出接口客户端")
        revoke = actions.add_parser("revoke", help="吊销接口客户端，其令牌立即失效")
        revoke.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def do_create(self, *, name: str, scope: list[str], region: str, **_options: Any) -> None:
        created = services.api_client_create(
            name=name, region=region_get(code=region), scopes=scope
        )
        client = created.client
        self.stdout.write(f"client_id={client.client_id}")
        self.stdout.write(f"client_secret={created.secret}")
        self.stdout.write(f"scope={' '.join(client.scopes)}")
        self.stderr.write(_("密钥只显示这一次，请妥善保存。"))

    def do_list(self, **_options: Any) -> None:
        for client in ApiClient.objects.select_related("region").order_by("name"):
            state = _("已吊销") if client.revoked_at else _("有效")
            self.stdout.write(
                f"{client.client_id}\t{client.name}\t{client.region.code}\t"
                f"{' '.join(client.scopes)}\t{state}"
            )

    def do_revoke(self, *, client_id: str, **_options: Any) -> None:
        client = ApiClient.objects.filter(client_id=client_id).first()
        if client is None:
            raise CommandError(_("没有客户端标识为 %(id)s 的接口客户端") % {"id": client_id})
        services.api_client_revoke(client=client)
        self.stdout.write(_("已吊销 %(name)s") % {"name": client.name})
