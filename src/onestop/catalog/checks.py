"""Catalogue quality checker (DOMAIN §2.9 and more): one small function per rule.

Each rule yields ``Finding``s with a stable code, a severity and a Chinese message. Errors
block publishing; warnings are shown but do not. Run them with ``onestop catalog check``,
the admin action 质量检查, or ``item_version_check`` / ``package_version_check``.

Judgement calls, so that catalogue admins know why a rule fires:
- 即办件 promise 0 (on the spot) or 1 working day (the next day at the latest); more is a 承诺件.
- Time units: equal units compare directly. N working days last at least N natural days, so a
  promise of N working days against a legal limit under N natural days is an error; beyond
  that, unit mixes only warn (the real span depends on the holiday calendar).
- 告知承诺 replaces proofs only for 依申请 items (国办发〔2020〕42号): 许可, 给付, 确认, 奖励, 裁决,
  其他, 公共服务; never 处罚, 强制, 征收, 检查 or the generic 行政权力 code.
- A package's promised limit must cover its longest dependency chain of item promises (a
  package promising 2 days whose chain needs 3 cannot keep its promise); promising more
  than all its items together only warns (the package brings no speed-up).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.catalog.conditions import QuestionSpec, condition_problems, condition_question_keys
from onestop.catalog.graph import find_cycle, longest_path
from onestop.catalog.models import (
    CaseType,
    FieldKind,
    HandlingForm,
    ItemType,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    PackageVersion,
    QuestionKind,
    ServiceItemVersion,
    ServiceObject,
    SituationQuestion,
    VersionStatus,
)
from onestop.catalog.selectors import package_question_specs
from onestop.workdays.units import TimeUnit


class Severity(models.TextChoices):
    ERROR = "error", gettext_lazy("错误")
    WARNING = "warning", gettext_lazy("警告")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    subject: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def error(code: str, message: str) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message)


def warning(code: str, message: str) -> Finding:
    return Finding(code=code, severity=Severity.WARNING, message=message)


ItemRule = Callable[[ServiceItemVersion], Iterator[Finding]]
PackageRule = Callable[[PackageVersion], Iterator[Finding]]

COMMITMENT_ITEM_TYPES = frozenset(
    {
        ItemType.LICENSING,
        ItemType.BENEFIT,
        ItemType.CONFIRMATION,
        ItemType.REWARD,
        ItemType.ADJUDICATION,
        ItemType.OTHER_POWER,
        ItemType.PUBLIC_SERVICE,
    }
)
# 区号 (0 + 2–3 digits), optional separator, 5–8 digit local number (0737-12345 is allowed).
PHONE_WITH_AREA_CODE = re.compile(r"^0\d{2,3}[-－ ]?\d{5,8}$")
PHONE_SPLIT = re.compile(r"[;；,，、/\s]+")


def _phones(text: str) -> list[str]:
    return [p for p in PHONE_SPLIT.split(text.strip()) if p]


def _exceeds(days: int, unit: str, limit: int, limit_unit: str) -> bool | None:
    """True: certainly longer; False: certainly not; None: cannot tell (mixed units)."""
    if unit == limit_unit:
        return days > limit
    if unit == TimeUnit.WORKDAY and limit_unit == TimeUnit.NATURAL_DAY:
        # N working days span at least N natural days; more only with weekends in between.
        return True if days > limit else None
    # N natural days contain at most N working days.
    return False if days <= limit else None


# ------------------------------------------------------------------------------ item rules


def rule_guide_fields(v: ServiceItemVersion) -> Iterator[Finding]:
    required = {
        "name": v.name,
        "conditions": v.conditions,
        "place": v.place,
        "result_delivery": v.result_delivery,
    }
    missing = [
        str(ServiceItemVersion._meta.get_field(name).verbose_name)
        for name, value in required.items()
        if not str(value).strip()
    ]
    if missing:
        yield error(
            "guide_fields_missing",
            _("办事指南缺少必填要素：%(names)s") % {"names": "、".join(missing)},
        )


def rule_materials_present(v: ServiceItemVersion) -> Iterator[Finding]:
    if not v.materials.exists():
        yield error("materials_missing", _("至少需要一项申请材料"))


def rule_steps_present(v: ServiceItemVersion) -> Iterator[Finding]:
    if not v.steps.exists():
        yield error("steps_missing", _("至少需要一个办理环节"))


def rule_depth4_no_visit(v: ServiceItemVersion) -> Iterator[Finding]:
    if v.online_depth == OnlineDepth.LEVEL_4 and v.visits != 0:
        yield error(
            "depth4_visits",
            _("网办深度为全程网办（Ⅳ级）时到办事现场次数应为 0 次，当前为 %(visits)s 次")
            % {"visits": v.visits},
        )


def rule_visit_reason(v: ServiceItemVersion) -> Iterator[Finding]:
    if v.visits > 0 and not v.visit_reason.strip():
        yield error("visit_reason_missing", _("到办事现场次数不为 0 时须说明必须现场办理的原因"))
    if v.visits == 0 and v.visit_reason.strip():
        yield warning("visit_reason_superfluous", _("到办事现场次数为 0，不应填写必须现场办理原因"))


def rule_zero_visit_needs_mail(v: ServiceItemVersion) -> Iterator[Finding]:
    if v.visits == 0 and v.online_depth < OnlineDepth.LEVEL_3 and not v.supports_material_mail:
        yield error(
            "zero_visit_needs_mail",
            _("到办事现场次数为 0 且不能网上申报（网办深度低于Ⅲ级）时，须支持申报材料邮寄"),
        )


def rule_handling_forms(v: ServiceItemVersion) -> Iterator[Finding]:
    forms = v.handling_forms if isinstance(v.handling_forms, list) else None
    if forms is None:
        yield error("handling_forms_invalid", _("办理形式必须是代码列表"))
        return
    invalid = [str(f) for f in forms if f not in HandlingForm.values]
    if invalid:
        yield error(
            "handling_forms_invalid",
            _("办理形式代码无效：%(names)s") % {"names": "、".join(invalid)},
        )
    if not forms:
        yield warning("handling_forms_missing", _("未填写办理形式"))
    elif v.online_depth == OnlineDepth.LEVEL_4 and not {
        HandlingForm.ONLINE_PC,
        HandlingForm.ONLINE_MOBILE,
    } & set(forms):
        yield warning("handling_forms_online", _("全程网办事项的办理形式应包含网上办理"))


def rule_fees(v: ServiceItemVersion) -> Iterator[Finding]:
    fees = list(v.fees.all())
    if not v.has_fee:
        if fees:
            yield error("fee_items_without_fee", _("事项标为不收费，却列有收费项目"))
        return
    if not v.fee_basis.strip():
        yield error("fee_basis_missing", _("收费事项须填写收费依据"))
    if not fees:
        yield error("fee_items_missing", _("收费事项须列出收费项目"))
    unpriced = [f.name for f in fees if not f.standard.strip() and f.amount is None]
    if unpriced:
        yield error(
            "fee_standard_missing",
            _("收费项目缺少收费标准：%(names)s") % {"names": "、".join(unpriced)},
        )
    if not v.supports_online_payment:
        if v.online_depth == OnlineDepth.LEVEL_4:
            yield error("fee_online_payment", _("全程网办的收费事项须支持网上支付"))
        else:
            yield warning("fee_online_payment", _("收费事项宜支持网上支付"))


def rule_phones(v: ServiceItemVersion) -> Iterator[Finding]:
    consult, complaint = v.consultation_phone.strip(), v.complaint_phone.strip()
    if not consult:
        yield error("consultation_phone_missing", _("缺少咨询电话"))
    if not complaint:
        yield error("complaint_phone_missing", _("缺少监督投诉电话"))
    if consult and complaint and set(_phones(consult)) & set(_phones(complaint)):
        yield error("phones_same", _("咨询电话与监督投诉电话不能相同"))
    for label, text in ((_("咨询电话"), consult), (_("监督投诉电话"), complaint)):
        bad = [p for p in _phones(text) if not PHONE_WITH_AREA_CODE.match(p)]
        if bad:
            yield error(
                "phone_area_code",
                _("%(label)s须带区号（如 0737-1234567）：%(names)s")
                % {"label": label, "names": "、".join(bad)},
            )


def rule_office_hours(v: ServiceItemVersion) -> Iterator[Finding]:
    if "工作日" not in v.office_hours:
        yield error("office_hours_workday", _("办理时间须注明工作日（如：工作日 上午9:00-12:00）"))


def rule_promised_within_legal(v: ServiceItemVersion) -> Iterator[Finding]:
    verdict = _exceeds(v.promised_days, v.promised_unit, v.legal_limit, v.legal_limit_unit)
    if verdict:
        yield error(
            "promised_exceeds_legal",
            _(
                "承诺办结时限（%(promised_days)s%(promised_unit)s）超过法定办结时限（%(legal_limit)s%(legal_limit_unit)s）"
            )
            % {
                "promised_days": v.promised_days,
                "promised_unit": v.get_promised_unit_display(),
                "legal_limit": v.legal_limit,
                "legal_limit_unit": v.get_legal_limit_unit_display(),
            },
        )
    elif verdict is None:
        yield warning(
            "promised_legal_units",
            _("承诺时限与法定时限单位不同，可能超过法定时限，请核对"),
        )


def rule_case_type_limit(v: ServiceItemVersion) -> Iterator[Finding]:
    if v.case_type == CaseType.IMMEDIATE and v.promised_days > 1:
        yield error(
            "immediate_case_limit",
            _("即办件承诺时限应为 0 或 1 个工作日，当前为 %(promised_days)s；超过的应设为承诺件")
            % {"promised_days": v.promised_days},
        )
    if v.case_type == CaseType.PROMISED and v.promised_days == 0:
        yield warning("promised_case_zero", _("承诺件的承诺时限为 0，应设为即办件"))


def rule_steps_within_promised(v: ServiceItemVersion) -> Iterator[Finding]:
    steps = list(v.steps.all())
    if not steps:
        return
    total = sum(s.limit_days for s in steps)
    units = {s.limit_unit for s in steps}
    unit = units.pop() if len(units) == 1 else None
    if unit is None:
        yield warning("step_units_mixed", _("办理环节的时限单位不一致，无法核对环节时限之和"))
        return
    verdict = _exceeds(total, unit, v.promised_days, v.promised_unit)
    if verdict:
        yield error(
            "steps_exceed_promised",
            _("办理环节时限之和（%(total)s）超过承诺办结时限（%(promised_days)s）")
            % {"total": total, "promised_days": v.promised_days},
        )


def rule_step_special_note(v: ServiceItemVersion) -> Iterator[Finding]:
    unexplained = [
        s.name
        for s in v.steps.all()
        if s.has_special_procedure and not s.special_procedure_note.strip()
    ]
    if unexplained:
        yield warning(
            "special_procedure_note",
            _("有特别程序的环节缺少说明：%(names)s") % {"names": "、".join(unexplained)},
        )


def rule_tolerable_not_only(v: ServiceItemVersion) -> Iterator[Finding]:
    necessities = [m.necessity for m in v.materials.all()]
    if MaterialNecessity.TOLERABLE in necessities and MaterialNecessity.REQUIRED not in necessities:
        yield error(
            "tolerable_only",
            _("容缺受理要求主要材料齐全：有容缺后补材料时至少须有一项必要材料"),
        )


def rule_commitment_item_type(v: ServiceItemVersion) -> Iterator[Finding]:
    if v.item_type in COMMITMENT_ITEM_TYPES:
        return
    names = [m.name for m in v.materials.all() if m.necessity == MaterialNecessity.COMMITMENT]
    if names:
        yield error(
            "commitment_item_type",
            _("%(item_type)s不适用告知承诺制，以下材料不能以承诺替代：%(names)s")
            % {"item_type": v.get_item_type_display(), "names": "、".join(names)},
        )


def rule_licence_type(v: ServiceItemVersion) -> Iterator[Finding]:
    names = [
        m.name
        for m in v.materials.all()
        if m.source == MaterialSource.LICENCE and not m.licence_type.strip()
    ]
    if names:
        yield error(
            "licence_type_missing",
            _("来源为政府部门核发的材料须填写电子证照类型：%(names)s")
            % {"names": "、".join(names)},
        )


def rule_material_conditions(v: ServiceItemVersion) -> Iterator[Finding]:
    for material in v.materials.all():
        problems = condition_problems(material.condition)
        if problems:
            yield error(
                "material_condition_invalid",
                _("材料“%(name)s”的适用情形有误：%(names)s")
                % {"name": material.name, "names": "；".join(problems)},
            )


def rule_material_conditions_in_packages(v: ServiceItemVersion) -> Iterator[Finding]:
    keys: set[str] = set()
    for material in v.materials.all():
        keys |= condition_question_keys(material.condition)
    if not keys:
        return
    packages = PackageVersion.objects.filter(
        status=VersionStatus.PUBLISHED, package_items__item_id=v.item_id
    ).prefetch_related("questions")
    for package_version in packages:
        missing = keys - {q.key for q in package_version.questions.all()}
        if missing:
            yield warning(
                "material_condition_package_question",
                _(
                    "材料适用情形引用的情形问题在一件事“%(name)s”中不存在：%(names)s；该一件事将始终要求这些材料"
                )
                % {"name": package_version.name, "names": "、".join(sorted(missing))},
            )


ITEM_RULES: list[ItemRule] = [
    rule_guide_fields,
    rule_materials_present,
    rule_steps_present,
    rule_depth4_no_visit,
    rule_visit_reason,
    rule_zero_visit_needs_mail,
    rule_handling_forms,
    rule_fees,
    rule_phones,
    rule_office_hours,
    rule_promised_within_legal,
    rule_case_type_limit,
    rule_steps_within_promised,
    rule_step_special_note,
    rule_tolerable_not_only,
    rule_commitment_item_type,
    rule_licence_type,
    rule_material_conditions,
    rule_material_conditions_in_packages,
]


def item_version_check(version: ServiceItemVersion) -> list[Finding]:
    """Every item rule's findings for one version, errors first."""
    subject = _("事项 %(basic_code)s v%(version)s %(name)s") % {
        "basic_code": version.item.basic_code,
        "version": version.version,
        "name": version.name,
    }
    findings = [
        Finding(f.code, f.severity, f.message, subject)
        for rule in ITEM_RULES
        for f in rule(version)
    ]
    return sorted(findings, key=lambda f: (not f.is_error,))


# --------------------------------------------------------------------------- package rules


def question_problems(question: SituationQuestion) -> list[str]:
    """What is wrong with a question's choices (also used when a question is added)."""
    choices = question.choices or []
    if question.kind != QuestionKind.CHOICE:
        return (
            [_("情形问题“%(text)s”不是单选题，不应设置选项") % {"text": question.text}]
            if choices
            else []
        )
    if not isinstance(choices, list) or not all(
        isinstance(c, dict) and "value" in c and "label" in c for c in choices
    ):
        return [
            _('情形问题“%(text)s”的选项须为 [{"value": …, "label": …}] 列表')
            % {"text": question.text}
        ]
    values = [str(c["value"]) for c in choices]
    if len(values) < 2:
        return [_("情形问题“%(text)s”至少需要两个选项") % {"text": question.text}]
    if len(set(values)) != len(values):
        return [_("情形问题“%(text)s”的选项值重复") % {"text": question.text}]
    return []


def _specs(v: PackageVersion) -> dict[str, QuestionSpec]:
    return package_question_specs(v)


def _current_versions(v: PackageVersion) -> dict[int, ServiceItemVersion]:
    published = ServiceItemVersion.objects.filter(
        item__package_items__package_version=v, status=VersionStatus.PUBLISHED
    ).prefetch_related("materials")
    return {iv.item_id: iv for iv in published}


def rule_package_has_items(v: PackageVersion) -> Iterator[Finding]:
    if not v.package_items.exists():
        yield error("package_no_items", _("一件事至少需要一个联办事项"))


def rule_package_lead_department(v: PackageVersion) -> Iterator[Finding]:
    if v.lead_department_id is None:
        yield error("package_lead_department", _("一件事须指定牵头部门"))


def rule_package_items_published(v: PackageVersion) -> Iterator[Finding]:
    current = _current_versions(v)
    names = [
        pi.item.name for pi in v.package_items.select_related("item") if pi.item_id not in current
    ]
    if names:
        yield error(
            "package_item_unpublished",
            _("以下联办事项没有已发布版本：%(names)s") % {"names": "、".join(names)},
        )


def rule_package_dag(v: PackageVersion) -> Iterator[Finding]:
    items = {pi.pk: pi for pi in v.package_items.select_related("item")}
    edges = list(v.dependencies.values_list("before_id", "after_id"))
    foreign = [e for e in edges if e[0] not in items or e[1] not in items]
    if foreign:
        yield error("dependency_foreign", _("前置关系引用了不属于本一件事版本的事项"))
    cycle = find_cycle(items, [e for e in edges if e not in foreign])
    if cycle:
        names = " → ".join(items[pk].item.name for pk in cycle)
        yield error("dependency_cycle", _("前置关系形成循环：%(names)s") % {"names": names})


def rule_package_questions(v: PackageVersion) -> Iterator[Finding]:
    for question in v.questions.all():
        for problem in question_problems(question):
            yield error("question_invalid", problem)


def rule_package_conditions(v: PackageVersion) -> Iterator[Finding]:
    specs = _specs(v)
    for pi in v.package_items.select_related("item"):
        problems = condition_problems(pi.condition, specs)
        if problems:
            yield error(
                "condition_invalid",
                _("联办事项“%(name)s”的适用情形有误：%(names)s")
                % {"name": pi.item.name, "names": "；".join(problems)},
            )
    for form_field in v.form_fields.all():
        problems = condition_problems(form_field.condition, specs)
        if problems:
            yield error(
                "condition_invalid",
                _("表单字段“%(label)s”的适用情形有误：%(names)s")
                % {"label": form_field.label, "names": "；".join(problems)},
            )
    for item_version in _current_versions(v).values():
        for material in item_version.materials.all():
            unknown = condition_question_keys(material.condition) - set(specs)
            if unknown:
                yield error(
                    "material_condition_unknown_question",
                    _("事项“%(name)s”的材料“%(name2)s”引用了本一件事未设置的情形问题：%(names)s")
                    % {
                        "name": item_version.name,
                        "name2": material.name,
                        "names": "、".join(sorted(unknown)),
                    },
                )


def rule_package_questions_used(v: PackageVersion) -> Iterator[Finding]:
    used: set[str] = set()
    for pi in v.package_items.all():
        used |= condition_question_keys(pi.condition)
    for form_field in v.form_fields.all():
        used |= condition_question_keys(form_field.condition)
    for item_version in _current_versions(v).values():
        for material in item_version.materials.all():
            used |= condition_question_keys(material.condition)
    unused = [q.text for q in v.questions.all() if q.key not in used]
    if unused:
        yield warning(
            "question_unused",
            _("以下情形问题未被任何条件使用：%(names)s") % {"names": "、".join(unused)},
        )


def rule_package_form_fields(v: PackageVersion) -> Iterator[Finding]:
    for form_field in v.form_fields.prefetch_related("items"):
        if form_field.kind == FieldKind.CHOICE and len(form_field.choices or []) < 2:
            yield error(
                "form_field_choices",
                _("单选字段“%(label)s”至少需要两个选项") % {"label": form_field.label},
            )
        if any(i.package_version_id != v.pk for i in form_field.items.all()):
            yield error(
                "form_field_items_foreign",
                _("表单字段“%(label)s”关联了其他版本的事项") % {"label": form_field.label},
            )


def rule_package_promised(v: PackageVersion) -> Iterator[Finding]:
    current = _current_versions(v)
    items = {pi.pk: pi for pi in v.package_items.all() if pi.item_id in current}
    weights: dict[int, int] = {}
    mixed = []
    for pk, pi in items.items():
        iv = current[pi.item_id]
        if iv.promised_unit == v.promised_unit:
            weights[pk] = iv.promised_days
        else:
            mixed.append(iv.name)
    if mixed:
        yield warning(
            "package_units_mixed",
            _("以下事项的承诺时限单位与一件事不同，未计入时限核对：%(names)s")
            % {"names": "、".join(mixed)},
        )
    edges = list(v.dependencies.values_list("before_id", "after_id"))
    if not weights or find_cycle(items, edges):
        return
    chain_days, chain = longest_path(list(weights), edges, weights)
    if chain_days > v.promised_days:
        names = " → ".join(current[items[pk].item_id].name for pk in chain)
        yield error(
            "package_promised_short",
            _("一件事承诺 %(promised_days)s 天，但最长前置链（%(names)s）需要 %(chain_days)s 天")
            % {"promised_days": v.promised_days, "names": names, "chain_days": chain_days},
        )
    total = sum(weights.values())
    if v.promised_days > total:
        yield warning(
            "package_promised_long",
            _("一件事承诺时限（%(promised_days)s）长于各事项承诺时限之和（%(total)s），未体现提速")
            % {"promised_days": v.promised_days, "total": total},
        )


def rule_package_subject(v: PackageVersion) -> Iterator[Finding]:
    current = _current_versions(v)
    wrong = [
        iv.name
        for iv in current.values()
        if iv.service_object not in (ServiceObject.BOTH, v.subject_kind)
    ]
    if wrong:
        yield warning(
            "package_subject_mismatch",
            _("以下事项的服务对象与一件事（%(subject_kind)s）不一致：%(names)s")
            % {"subject_kind": v.get_subject_kind_display(), "names": "、".join(wrong)},
        )


def rule_package_portal_texts(v: PackageVersion) -> Iterator[Finding]:
    if not v.life_event.strip():
        yield warning("package_life_event_missing", _("未填写主题分类，门户首页无法归类"))
    if not v.keywords.strip():
        yield warning("package_keywords_missing", _("未填写搜索关键词（同义词）"))


def rule_package_materials_source(v: PackageVersion) -> Iterator[Finding]:
    sources: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for iv in _current_versions(v).values():
        for m in iv.materials.all():
            sources.setdefault(m.key, set()).add(m.source)
            names.setdefault(m.key, m.name)
    mixed = [names[k] for k, s in sources.items() if len(s) > 1]
    if mixed:
        yield warning(
            "material_source_mixed",
            _(
                "以下材料在部分事项中可调取电子证照、在其他事项中须申请人提交，合并后仍须提交：%(names)s"
            )
            % {"names": "、".join(mixed)},
        )


PACKAGE_RULES: list[PackageRule] = [
    rule_package_has_items,
    rule_package_lead_department,
    rule_package_items_published,
    rule_package_dag,
    rule_package_questions,
    rule_package_conditions,
    rule_package_questions_used,
    rule_package_form_fields,
    rule_package_promised,
    rule_package_subject,
    rule_package_portal_texts,
    rule_package_materials_source,
]


def package_version_check(version: PackageVersion) -> list[Finding]:
    """Every package rule's findings for one version, errors first."""
    subject = _("一件事 %(code)s v%(version)s %(name)s") % {
        "code": version.package.code,
        "version": version.version,
        "name": version.name,
    }
    findings = [
        Finding(f.code, f.severity, f.message, subject)
        for rule in PACKAGE_RULES
        for f in rule(version)
    ]
    return sorted(findings, key=lambda f: (not f.is_error,))
