"""The one-time notification guide (一次告知): what a package asks for a set of answers.

Reads only: the catalogue's ``package_plan`` plus where to go (the halls at the lead
department's region). Shared by the package page, its htmx partial and the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from onestop.cases.services.plans import channel_refusal
from onestop.cases.states import Channel
from onestop.catalog.models import (
    MaterialNecessity,
    PackageVersion,
    QuestionKind,
    SituationQuestion,
)
from onestop.catalog.selectors import MergedMaterial, PackagePlan, package_plan
from onestop.core.errors import ValidationFailed
from onestop.regions.models import Hall
from onestop.regions.selectors import hall_list_under

ANSWER_PREFIX = "a-"


@dataclass
class Question:
    question: SituationQuestion
    value: str
    error: str = ""

    @property
    def name(self) -> str:
        return ANSWER_PREFIX + self.question.key

    @property
    def is_yes_no(self) -> bool:
        return self.question.kind == QuestionKind.YES_NO

    @property
    def is_choice(self) -> bool:
        return self.question.kind == QuestionKind.CHOICE

    @property
    def is_number(self) -> bool:
        return self.question.kind == QuestionKind.NUMBER


@dataclass
class Guide:
    package_version: PackageVersion
    questions: list[Question]
    answers: dict[str, str]
    plan: PackagePlan | None = None
    halls: list[Hall] = field(default_factory=list)
    error: str = ""
    # Why the plan cannot be applied for online ("" when it can): an item below depth Ⅲ.
    online_refusal: str = ""

    @property
    def unanswered(self) -> list[Question]:
        return [q for q in self.questions if not q.value]

    @property
    def query(self) -> str:
        """The answers as a query string (for the PDF link and the apply link)."""
        return urlencode({ANSWER_PREFIX + k: v for k, v in self.answers.items() if v})


def material_tags(material: MergedMaterial) -> list[tuple[str, str]]:
    """(css class, label) tags that explain how a material may be provided."""
    tags: list[tuple[str, str]] = []
    if material.is_held_by_government:
        tags.append(("held", _("无需提交（政府部门已有，调取电子证照）")))
    elif material.necessity == MaterialNecessity.TOLERABLE:
        tags.append(("tolerable", _("可容缺后补")))
    elif material.necessity == MaterialNecessity.COMMITMENT:
        tags.append(("commitment", _("可告知承诺")))
    elif material.necessity == MaterialNecessity.OPTIONAL:
        tags.append(("optional", _("非必要")))
    else:
        tags.append(("required", _("必须提交")))
    return tags


def answers_from(data: Mapping[str, Any], package_version: PackageVersion) -> dict[str, str]:
    """The raw answers (strings) found in GET/POST data under ``a-<question key>``."""
    return {
        q.key: str(data.get(ANSWER_PREFIX + q.key, "")).strip()
        for q in package_version.questions.all()
    }


def guide_build(package_version: PackageVersion, answers: Mapping[str, str]) -> Guide:
    """The guide for these answers; the plan only once every question is answered."""
    questions = [Question(q, answers.get(q.key, "")) for q in package_version.questions.all()]
    guide = Guide(package_version, questions, dict(answers))
    if guide.unanswered:
        return guide
    try:
        guide.plan = package_plan(package_version, answers)
    except ValidationFailed as exc:
        guide.error = exc.message
        for q in questions:
            if exc.field == q.question.key:
                q.error = exc.message
        return guide
    guide.online_refusal = next(
        (r for p in guide.plan.items if (r := channel_refusal(p.item_version, Channel.ONLINE))),
        "",
    )
    region = package_version.lead_department.region if package_version.lead_department else None
    if region is not None:
        guide.halls = [h for h in hall_list_under(code=region.code) if h.region_id == region.pk]
    return guide


def answer_label(q: Question) -> str:
    """是/否, the choice's label, or the number with its unit."""
    if q.is_yes_no:
        return _("是") if q.value in {"yes", "true", "1", "是"} else _("否")
    if q.is_choice:
        for choice in q.question.choices or []:
            if str(choice.get("value")) == q.value:
                return str(choice.get("label", q.value))
    return f"{q.value} {q.question.unit}".strip()
