"""The shipping label (邮件面单) as PDF: waybill number with a Code 128 barcode, the parties."""

from __future__ import annotations

from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128

from onestop.core import clock
from onestop.core.pdf import Spacer, para, render, table
from onestop.delivery.models import Shipment


def label_pdf(shipment: Shipment) -> bytes:
    number = shipment.waybill_no or _("（待下单）")
    flowables = [
        para(_("政务服务专递 · 邮件面单"), "title"),
        para(_("运单号：%(no)s") % {"no": number}, "h2"),
    ]
    if shipment.waybill_no:
        flowables.append(code128.Code128(shipment.waybill_no, barHeight=45, barWidth=1.2))
    flowables += [
        Spacer(1, 12),
        table(
            [_("项目"), _("内容")],
            [
                [
                    _("收件人"),
                    f"{shipment.recipient_name}  {shipment.recipient_phone}\n"
                    f"{shipment.recipient_address}  {shipment.recipient_postcode}",
                ],
                [
                    _("寄件人"),
                    f"{shipment.sender_name}  {shipment.sender_phone}\n{shipment.sender_address}",
                ],
                [_("内件"), shipment.contents],
                [_("办件编号"), shipment.case.number or ""],
                [_("寄递类型"), shipment.get_kind_display()],
                [_("打印时间"), clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")],
            ],
            widths=[30, 140],
        ),
        Spacer(1, 8),
        para(
            _("本邮件为政务服务免费寄递，收件人无需付费。请收件人本人或其委托的代收人签收。"),
            "small",
        ),
    ]
    return render(flowables, title=_("邮件面单 %(no)s") % {"no": number})
