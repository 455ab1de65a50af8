"""What a calendar row says about its day, and who said it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日（休息）")
    WORKDAY = "workday", _("调休上班")
    CLOSURE = "closure", _("临时停工")


class DaySource(models.TextChoices):
    STATE_COUNCIL = "state_council", _("国务院办公厅安排")
    LOCAL = "local", _("本地调整")


# Kinds that make a day non-working.
REST_KINDS = frozenset({DayKind.HOLIDAY, DayKind.CLOSURE})
