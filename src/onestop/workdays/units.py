import datetime as dt

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    """The unit of a time limit (GB/T 39046 时限单位)."""

    WORKDAY = "workday", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")


def time_limit_text(days: int, unit: str) -> str:
    """A promised time limit as the applicant reads it: 即办 for 0, else "N 个工作日" (one
    plural-aware message per unit, so English says "1 working day", "2 working days")."""
    if not days:
        return gettext("即办")
    if unit == TimeUnit.NATURAL_DAY:
        return ngettext("%(n)d 个自然日", "%(n)d 个自然日", days) % {"n": days}
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", days) % {"n": days}


def time_limit_within_text(days: int, unit: str) -> str:
    """The same as a promise: "N 个工作日内办结", or 即办，当场办结 for 0."""
    if not days:
        return gettext("即办，当场办结")
    if unit == TimeUnit.NATURAL_DAY:
        return ngettext("%(n)d 个自然日内办结", "%(n)d 个自然日内办结", days) % {"n": days}
    return ngettext("%(n)d 个工作日内办结", "%(n)d 个工作日内办结", days) % {"n": days}


def working_time_text(span: dt.timedelta) -> str:
    """A span of working time as a clerk reads it: "2 小时 15 分", "不足 1 分钟"."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return gettext("不足 1 分钟")
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return ngettext("%(m)d 分钟", "%(m)d 分钟", minutes) % {"m": minutes}
    text = ngettext("%(h)d 小时", "%(h)d 小时", hours) % {"h": hours}
    if minutes:
        text += " " + ngettext("%(m)d 分", "%(m)d 分", minutes) % {"m": minutes}
    return text
