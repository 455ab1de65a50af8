"""Template helpers shared by the portal and the workbench: traffic lights, masking."""

from __future__ import annotations

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from onestop.cases.deadlines import TrafficLight
from onestop.core.masking import mask_id_number, mask_phone
from onestop.workdays.units import TimeUnit

register = template.Library()


@register.simple_tag
def light(signal: TrafficLight | None) -> str:
    """A coloured dot with its meaning in words (colour is never the only signal)."""
    if signal is None:
        return ""
    if signal.unit == TimeUnit.MINUTE:  # the village centres' 30-minute promise
        if signal.remaining_days < 0:
            text = _("已超时（限%(n)d分钟）") % {"n": signal.limit_days}
        else:
            text = _("剩余%(n)d分钟") % {"n": signal.remaining_days}
    elif signal.remaining_days < 0:
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


@register.simple_tag
def due(row: object) -> str:
    """A case's or task's stored due date as a clerk reads it: the day, or for a limit in
    minutes (the village centres' 30-minute promise) the day and the time."""
    at = getattr(row, "due_at", None)
    if at is None:
        return "—"
    minutes = getattr(row, "promised_unit", "") == TimeUnit.MINUTE
    return dateformat.format(timezone.localtime(at), "Y-m-d H:i" if minutes else "Y-m-d")


register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
