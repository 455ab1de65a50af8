"""The public catalogue for API clients: published packages (一件事) and their plan.

What a guide says is public information, so these reads need no login. The plan turns
situation answers into what ``POST /api/cases`` will check: the applicable items, one
merged material list, the form fields and the promised limit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from onestop.catalog.models import PackageVersion
from onestop.catalog.selectors import (
    PackagePlan,
    package_plan,
    package_version_by_code,
    package_versions_published,
)
from onestop.core.errors import NotFound, ValidationFailed

router = Router(tags=["事项目录"])

PROBLEMS = {404: dict, 422: dict}


class PackageOut(Schema):
    code: str
    name: str
    version: int
    summary: str
    subject_kind: str
    life_event: str
    lead_department: str | None
    promised_days: int
    promised_unit: str
    is_policy_package: bool
    published_at: dt.datetime | None


class QuestionOut(Schema):
    key: str
    text: str
    kind: str
    choices: list[Any]
    unit: str
    help_text: str


class PackageItemOut(Schema):
    code: str = Field(..., description="事项基本编码")
    name: str
    handling_note: str
    is_conditional: bool = Field(..., description="是否只在某些情形下办理")


class PackageDetailOut(PackageOut):
    keywords: str
    questions: list[QuestionOut]
    items: list[PackageItemOut]


class PlanIn(Schema):
    answers: dict[str, Any] = Field(default_factory=dict, description="情形问题的回答")


class PlanItemOut(Schema):
    code: str
    name: str
    department: str
    promised_days: int
    promised_unit: str
    depends_on: list[str] = Field(..., description="须先办结的事项（基本编码）")


class PlanMaterialOut(Schema):
    key: str
    name: str
    medium: str = Field(
        ..., description="材料形式：paper 纸质 / electronic 电子 / paper_electronic"
    )
    form: str = Field(
        ...,
        description="原件/复印件：original / copy / original_and_copy / original_or_copy；仅电子时为空",
    )
    copies: int
    necessity: str = Field(
        ..., description="required / tolerable（容缺）/ commitment（告知承诺）/ optional"
    )
    source: str
    licence_type: str
    is_held_by_government: bool = Field(..., description="政府已有（免提交，调取电子证照）")
    item_names: list[str]
    notes: str


class PlanFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[Any]
    max_length: int | None
    help_text: str


class PlanFeeOut(Schema):
    item_name: str
    name: str
    standard: str
    amount: Decimal | None


class PlanOut(Schema):
    package_code: str
    answers: dict[str, Any]
    items: list[PlanItemOut]
    materials: list[PlanMaterialOut]
    form_fields: list[PlanFieldOut]
    promised_days: int
    promised_unit: str
    fees: list[PlanFeeOut]
    fees_total: Decimal
    has_unpriced_fees: bool
    visits: int


def _package(version: PackageVersion) -> dict[str, Any]:
    return {
        "code": version.package.code,
        "name": version.name,
        "version": version.version,
        "summary": version.summary,
        "subject_kind": version.subject_kind,
        "life_event": version.life_event,
        "lead_department": version.lead_department.name if version.lead_department else None,
        "promised_days": version.promised_days,
        "promised_unit": version.promised_unit,
        "is_policy_package": version.is_policy_package,
        "published_at": version.published_at,
    }


def _published(code: str) -> PackageVersion:
    version = package_version_by_code(code)
    if version is None:
        raise NotFound(_("没有编码为“%(code)s”的已发布一件事。") % {"code": code})
    return version


@router.get("/packages", response=list[PackageOut], auth=None, summary="已发布的一件事")
def package_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_package(v) for v in package_versions_published()]


@router.get(
    "/packages/{code}",
    response={200: PackageDetailOut, **PROBLEMS},
    auth=None,
    summary="一件事详情：情形问题和包含的事项",
)
def package_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    version = _published(code)
    return {
        **_package(version),
        "keywords": version.keywords,
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "kind": q.kind,
                "choices": list(q.choices or []),
                "unit": q.unit,
                "help_text": q.help_text,
            }
            for q in version.questions.order_by("order", "pk")
        ],
        "items": [
            {
                "code": pi.item.basic_code,
                "name": pi.item.name,
                "handling_note": pi.handling_note,
                "is_conditional": pi.condition not in (None, {}, []),
            }
            for pi in version.package_items.select_related("item").order_by("order", "pk")
        ],
    }


def _plan(code: str, plan: PackagePlan) -> dict[str, Any]:
    codes = {p.package_item.pk: p.item_version.item.basic_code for p in plan.items}
    return {
        "package_code": code,
        "answers": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in plan.answers.items()},
        "items": [
            {
                "code": codes[p.package_item.pk],
                "name": p.item_version.name,
                "department": p.item_version.department.name,
                "promised_days": p.item_version.promised_days,
                "promised_unit": p.item_version.promised_unit,
                "depends_on": [codes[pk] for pk in p.depends_on if pk in codes],
            }
            for p in plan.items
        ],
        "materials": [
            {
                "key": m.key,
                "name": m.name,
                "medium": m.medium,
                "form": m.form,
                "copies": m.copies,
                "necessity": m.necessity,
                "source": m.source,
                "licence_type": m.licence_type,
                "is_held_by_government": m.is_held_by_government,
                "item_names": m.item_names,
                "notes": m.notes,
            }
            for m in plan.materials
        ],
        "form_fields": [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "choices": list(f.choices or []),
                "max_length": f.max_length,
                "help_text": f.help_text,
            }
            for f in plan.form_fields
        ],
        "promised_days": plan.promised_days,
        "promised_unit": plan.promised_unit,
        "fees": [
            {"item_name": f.item_name, "name": f.name, "standard": f.standard, "amount": f.amount}
            for f in plan.fees
        ],
        "fees_total": plan.fees_total,
        "has_unpriced_fees": plan.has_unpriced_fees,
        "visits": plan.visits,
    }


@router.post(
    "/packages/{code}/plan",
    response={200: PlanOut, **PROBLEMS},
    auth=None,
    summary="按情形回答生成办理清单：适用事项、合并材料、表单字段、承诺时限",
)
def package_plan_for(request: HttpRequest, code: str, payload: PlanIn) -> dict[str, Any]:
    version = _published(code)
    try:
        plan = package_plan(version, payload.answers)
    except ValidationFailed as exc:
        # The catalogue names the bare question key; in this body it sits under "answers".
        field = f"answers.{exc.field}" if exc.field else "answers"
        raise ValidationFailed(exc.message, field=field, **exc.details) from None
    return _plan(code, plan)
