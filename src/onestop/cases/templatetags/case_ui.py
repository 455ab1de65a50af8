"""Template helpers shared by the portal and the workbench: traffic lights, masking."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from onestop.cases.deadlines import TrafficLight
from onestop.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag
def light(signal: TrafficLight | None) -> str:
    """A coloured dot with its meaning in words (colour is never the only signal)."""
    if signal is None:
        return ""
    if signal.remaining_days < 0:
        text = _("已超期%(n)d个工作日") % {"n": -signal.remaining_days}
    elif signal.is_paused:
        text = _("特别程序中，暂停计时")
    elif signal.remaining_days == 0:
        text = _("今日到期")
    else:
        text = _("剩余%(n)d个工作日") % {"n": signal.remaining_days}
    if signal.is_provisional:
        text += _("（暂定）")
    return format_html(
        '<span class="light-wrap" title="{}"><span class="light light-{}" aria-hidden="true"></span> {}</span>',
        signal.label,
        signal.colour,
        text,
    )


register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
