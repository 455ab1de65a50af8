"""好差评 enums and the one transition table of rectifications (整改).

Levels carry the GB/T 39046 A.8 satisfaction code as their value (1 = 非常满意 …
5 = 非常不满意); the provincial interface's reversed order lives in ``provincial.py`` only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.cases.states import CaseState


class RatingLevel(models.IntegerChoices):
    """满意度 with its GB/T 39046 A.8 code."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


# "后两个等级为差评" (DOMAIN.md §1.2).
BAD_LEVELS = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})
GOOD_LEVELS = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED})


def is_bad(level: int) -> bool:
    """差评: 不满意 or 非常不满意."""
    return level in BAD_LEVELS


# A case can be rated once the service occasion has happened: it was accepted (and is being
# handled or done) or refused.
RATEABLE_CASE_STATES = frozenset(
    {CaseState.IN_PROGRESS, CaseState.COMPLETED, CaseState.DELIVERED, CaseState.REJECTED}
)


class RatingChannel(models.TextChoices):
    """评价渠道 (GB/T 39046 表9 and the provincial interface's ``pf``)."""

    PC = "pc", _("PC端")
    MOBILE = "mobile", _("移动服务端")
    QR = "qr", _("二维码")
    WINDOW_TABLET = "window_tablet", _("政务大厅平板电脑（窗口评价器）")
    HALL_TERMINAL = "hall_terminal", _("政务大厅其他终端")
    SMS = "sms", _("短信")
    PHONE = "phone", _("电话")
    PAPER = "paper", _("书面评价表")
    SYSTEM_DEFAULT = "system_default", _("系统默认评价")


# Channels a clerk records on the rater's behalf (RATING_RECORD).
RECORDED_CHANNELS = frozenset({RatingChannel.PHONE, RatingChannel.PAPER})
# Channels of the public, tokenised page: limited per address and device.
PUBLIC_CHANNELS = frozenset({RatingChannel.QR, RatingChannel.SMS})


class RatingKind(models.TextChoices):
    FIRST = "first", _("首次评价")
    FOLLOW_UP = "follow_up", _("二次评价")
    LATE = "late", _("补充评价")
    DEFAULT = "default", _("系统默认评价")


class IndicatorScope(models.TextChoices):
    """二级 indicators are set for online and for on-site service (DOMAIN.md §1.4)."""

    ONLINE = "online", _("网上服务")
    ONSITE = "onsite", _("现场服务")


class RatingStatus(models.TextChoices):
    """A rating is valid until a supervisor's review (复核) of an appeal marks it invalid."""

    VALID = "valid", _("有效")
    INVALID = "invalid", _("经复核无效")


class RectificationState(models.TextChoices):
    OPEN = "open", _("待核实")
    VERIFIED = "verified", _("已核实")
    RECTIFYING = "rectifying", _("限期整改中")
    FED_BACK = "fed_back", _("已反馈")
    RATED = "rated", _("评价人已评价整改")
    CLOSED = "closed", _("已回访办结")
    APPEALED = "appealed", _("申诉复核中")
    UPHELD = "upheld", _("申诉成立，差评无效")


class Triage(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    EXPLANATION = "explanation", _("解释说明")


class RectificationRating(models.TextChoices):
    """The rater's opinion of the rectification (DOMAIN.md §1.6)."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


R = RectificationState
RECTIFICATION_TRANSITIONS: dict[RectificationState, frozenset[RectificationState]] = {
    R.OPEN: frozenset({R.VERIFIED, R.APPEALED}),
    R.VERIFIED: frozenset({R.RECTIFYING, R.FED_BACK, R.APPEALED}),
    R.RECTIFYING: frozenset({R.FED_BACK}),
    R.FED_BACK: frozenset({R.RATED, R.CLOSED}),
    R.RATED: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
    # 复核: upheld (the rating is invalid) or refused (back to verification).
    R.APPEALED: frozenset({R.UPHELD, R.OPEN}),
    R.UPHELD: frozenset(),
}
RECTIFICATION_FINAL_STATES = frozenset(s for s, nxt in RECTIFICATION_TRANSITIONS.items() if not nxt)
RECTIFICATION_OPEN_STATES = frozenset(RECTIFICATION_TRANSITIONS) - RECTIFICATION_FINAL_STATES
