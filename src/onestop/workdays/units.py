import datetime as dt

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    """The unit of a time limit (GB/T 39046 时限单位).

    ``MINUTE`` is for cases only: a package version's ``promised_minutes`` (the village
    centres' 30-minute promise) becomes a case limit of that many natural minutes from
    acceptance. Catalog fields take the day units only (``DAY_UNIT_CHOICES``).
    """

    WORKDAY = "workday", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")
    MINUTE = "minute", _("分钟")


# The units a catalog entry's limits are given in (minutes are a package version's own field).
DAY_UNIT_CHOICES = [
    (TimeUnit.WORKDAY.value, TimeUnit.WORKDAY.label),
    (TimeUnit.NATURAL_DAY.value, TimeUnit.NATURAL_DAY.label),
]


def time_limit_text(days: int, unit: str) -> str:
    """A promised time limit as the applicant reads it: 即办 for 0, else "N 个工作日" (one
    plural-aware message per unit, so English says "1 working day", "2 working days")."""
    if unit == TimeUnit.MINUTE:
        return ngettext("%(n)d 分钟", "%(n)d 分钟", days) % {"n": days}
    if not days:
        return gettext("即办")
    if unit == TimeUnit.NATURAL_DAY:
        return ngettext("%(n)d 个自然日", "%(n)d 个自然日", days) % {"n": days}
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", days) % {"n": days}


def time_limit_within_text(days: int, unit: str) -> str:
    """The same as a promise: "N 个工作日内办结", or 即办，当场办结 for 0."""
    if unit == TimeUnit.MINUTE:
        return ngettext("%(n)d 分钟内办结", "%(n)d 分钟内办结", days) % {"n": days}
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
