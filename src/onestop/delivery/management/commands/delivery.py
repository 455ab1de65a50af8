"""``onestop delivery sync|simulator``: the carrier sweep, and the local carrier simulator.

- ``sync`` sends the carrier orders that are due (shipments waiting for a waybill), polls the
  tracking of every parcel under way and retries hand-outs by post that failed;
- ``simulator`` runs the local carrier simulator as an HTTP service speaking the carrier
  contract (docs/delivery.md); point ``ONESTOP_DELIVERY_CARRIER_URL`` at it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onestop.delivery import simulator
from onestop.delivery.services import shipments_sync


class Command(BaseCommand):
    help = "邮政双向专递：同步运单与物流轨迹；运行本地寄递模拟服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="下单待下单的邮件，查询在途邮件的物流轨迹")
        sim = sub.add_parser("simulator", help="运行本地寄递模拟服务（HTTP）")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=8790)
        sim.add_argument("--step", type=float, default=60.0, help="两次扫描之间的秒数")
        sim.add_argument("--state", type=Path, default=None, help="保存运单的 JSON 文件")
        sim.add_argument("--return-every", type=int, default=0, help="每第 N 件退回")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sync":
            report = shipments_sync()
            self.stdout.write(
                f"ordered {len(report.ordered)}, waiting {len(report.waiting)}, "
                f"tracking events {report.events}, handed out {len(report.handed_out)}"
            )
            return
        simulator.serve(
            host=options["host"],
            port=options["port"],
            step_seconds=options["step"],
            state_file=options["state"],
            return_every=options["return_every"],
        )
