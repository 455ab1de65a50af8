"""The legal texts a decision letter prints, as data (translated), not literals in a view.

A denial (不予许可决定书) must state the reasons and the applicant's remedies (行政许可法
第三十八条): administrative reconsideration within 60 days (行政复议法第二十条) and an
administrative lawsuit within 6 months (行政诉讼法第四十六条) of receiving the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class RemedyKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", _("行政复议")
    LAWSUIT = "lawsuit", _("行政诉讼")


@dataclass(frozen=True)
class Remedy:
    kind: RemedyKind
    period: Promise  # translated wording of the period
    days: int  # the period in calendar days (the lawsuit's 6 months as 183), for dates
    basis: Promise
    text: Promise


REMEDIES: tuple[Remedy, ...] = (
    Remedy(
        RemedyKind.RECONSIDERATION,
        _("六十日"),
        60,
        _("《中华人民共和国行政复议法》第二十条"),
        _(
            "如对本决定不服，可以自收到本决定书之日起六十日内，向本机关的本级人民政府依法申请行政复议。"
        ),
    ),
    Remedy(
        RemedyKind.LAWSUIT,
        _("六个月"),
        183,
        _("《中华人民共和国行政诉讼法》第四十六条"),
        _("也可以自收到本决定书之日起六个月内，依法直接向人民法院提起行政诉讼。"),
    ),
)

DENIAL_BASIS = _("《中华人民共和国行政许可法》第三十八条")
APPROVAL_BASIS = _("《中华人民共和国行政许可法》第三十八条、第三十九条")

DEFAULT_LICENCE_BODY = _(
    "{holder}：经审查，你（单位）申请的“{item}”符合法定条件和标准，准予许可，特发此证。"
)
DEFAULT_APPROVAL_BODY = _(
    "{holder}：你（单位）于办件 {case_number} 中提出的“{item}”申请，经审查，"
    "符合法定条件和标准，根据{basis}的规定，决定准予行政许可。"
)
DEFAULT_DENIAL_BODY = _(
    "{holder}：你（单位）于办件 {case_number} 中提出的“{item}”申请，经审查，"
    "根据{basis}的规定，决定不予行政许可。理由如下："
)
