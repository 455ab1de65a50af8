from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    """The unit of a time limit (GB/T 39046 时限单位)."""

    WORKDAY = "workday", _("工作日")
    NATURAL_DAY = "natural_day", _("自然日")
