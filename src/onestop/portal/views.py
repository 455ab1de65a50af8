"""Applicant portal (一网通办): home and search, package guide, apply online, my cases.

Views stay thin: reads through the catalogue/cases/accounts selectors, writes through the
case services; a ``DomainError`` becomes a message next to the field it names.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Applicant, ApplicantKind
from onestop.accounts.roles import Role
from onestop.accounts.selectors import applicant_get_for_user
from onestop.cases.deadlines import traffic_light
from onestop.cases.models import Case
from onestop.cases.selectors import (
    case_get_by_number_for,
    case_list_for_applicant,
    case_timeline,
    case_traffic_light,
    task_list_for_case,
)
from onestop.cases.services import (
    MaterialInput,
    case_submit,
    case_supplement,
    case_supply_tolerated,
    case_withdraw,
)
from onestop.cases.services.formdata import form_data_clean
from onestop.cases.services.materials import material_input_check
from onestop.cases.services.plans import case_plan_for_submit
from onestop.cases.states import (
    CASE_CLOCK_STATES,
    CASE_FINAL_STATES,
    TASK_OPEN_STATES,
    CaseState,
    Channel,
    EventKind,
    MaterialStatus,
)
from onestop.catalog.models import (
    FieldKind,
    FormField,
    MaterialNecessity,
    PackageVersion,
    SubjectKind,
)
from onestop.catalog.selectors import (
    MergedMaterial,
    item_search_queryset,
    item_version_by_code,
    package_version_by_code,
    package_versions_published,
)
from onestop.core import pdf
from onestop.core.errors import DomainError, NotFound, ValidationFailed
from onestop.portal.guide import Guide, answer_label, answers_from, guide_build, material_tags
from onestop.portal.search import catalogue_search

COMMITMENT_TEXT = (
    "本人承诺：已经知晓告知的全部内容，自身已符合规定的条件，所填报的信息和提交的材料"
    "真实、准确、完整；愿意承担不实承诺的法律责任，接受事中事后核查。"
)
FORM_PREFIX = "f-"
FILE_PREFIX = "m-"
COMMIT_PREFIX = "c-"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _applicant(request: HttpRequest) -> Applicant:
    """The logged-in applicant; staff and other logins may not use applicant pages (403)."""
    applicant = applicant_get_for_user(request.user)
    if applicant is None:
        raise PermissionDenied(_("只有申请人（个人或企业）可以使用此页面。"))
    return applicant


def _package(code: str) -> PackageVersion:
    package_version = package_version_by_code(code)
    if package_version is None:
        raise Http404(_("没有找到这件事，或它尚未发布。"))
    prefetch_related_objects([package_version], "questions")
    return package_version


# --------------------------------------------------------------------------- home, search


def home(request: HttpRequest) -> HttpResponse:
    """个人办事 / 企业办事: published packages by life event, then single items."""
    groups: dict[str, dict[str, list[PackageVersion]]] = {
        SubjectKind.PERSON: defaultdict(list),
        SubjectKind.ENTERPRISE: defaultdict(list),
    }
    for pv in package_versions_published():
        groups.setdefault(pv.subject_kind, defaultdict(list))[pv.life_event or _("其他")].append(pv)
    items = list(
        item_search_queryset("").select_related("item", "department").order_by("name")[:60]
    )
    sections = [
        (_("个人办事"), "person", dict(groups[SubjectKind.PERSON])),
        (_("企业办事"), "enterprise", dict(groups[SubjectKind.ENTERPRISE])),
    ]
    return render(request, "portal/home.html", {"sections": sections, "items": items})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    hits = catalogue_search(query) if query else []
    return render(request, "portal/search.html", {"query": query, "hits": hits})


# ------------------------------------------------------------------------- package guide


def package(request: HttpRequest, code: str) -> HttpResponse:
    """The situation questions and the one-time notification guide for the answers given."""
    package_version = _package(code)
    guide = guide_build(package_version, answers_from(request.GET, package_version))
    context = {"pv": package_version, "guide": guide}
    if _is_htmx(request):
        return render(request, "portal/_guide.html", context)
    return render(request, "portal/package.html", context)


def _fees_text(guide: Guide) -> str:
    plan = guide.plan
    assert plan is not None
    if not plan.fees:
        return _("不收费")
    text = _("合计 %(total)s 元") % {"total": plan.fees_total}
    if plan.has_unpriced_fees:
        text += _("（另有按标准计收的费用）")
    return text


def guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The guide as an A4 PDF (一次告知书) with a Chinese file name."""
    package_version = _package(code)
    guide = guide_build(package_version, answers_from(request.GET, package_version))
    if guide.plan is None:
        messages.error(request, guide.error or _("请先回答全部情形问题，再下载办事指南。"))
        return redirect(reverse("portal:package", args=[code]) + "?" + guide.query)
    plan = guide.plan
    flow: list[Any] = [
        pdf.para(_("一次告知书"), "title"),
        pdf.para(package_version.name, "subtitle"),
        pdf.para(_("您的情形"), "h2"),
    ]
    flow.extend(pdf.para(f"{q.question.text}　{answer_label(q)}") for q in guide.questions)
    flow.append(pdf.para(_("需要办理的事项"), "h2"))
    flow.append(
        pdf.table(
            [_("事项"), _("办理部门"), _("承诺时限")],
            [
                [
                    p.item_version.name,
                    p.item_version.department.name,
                    f"{p.item_version.promised_days} {p.item_version.get_promised_unit_display()}",
                ]
                for p in plan.items
            ],
            [80, 55, 35],
        )
    )
    flow.append(pdf.para(_("申请材料（已合并去重）"), "h2"))
    flow.append(
        pdf.table(
            [_("材料"), _("形式与份数"), _("说明")],
            [
                [
                    m.name,
                    f"{_form_label(m)} × {m.copies}",
                    "；".join(label for _css, label in material_tags(m)),
                ]
                for m in plan.materials
            ],
            [70, 40, 60],
        )
    )
    flow.append(pdf.para(_("时限、收费与跑动次数"), "h2"))
    flow.append(
        pdf.para(
            _("承诺办结时限：%(days)s 个%(unit)s；收费：%(fees)s；到现场次数：%(visits)s 次")
            % {
                "days": plan.promised_days,
                "unit": package_version.get_promised_unit_display(),
                "fees": _fees_text(guide),
                "visits": plan.visits,
            }
        )
    )
    if guide.halls:
        flow.append(pdf.para(_("办理地点"), "h2"))
        flow.extend(
            pdf.para(f"{h.name}　{h.address}　{h.opening_hours}　{_('电话')} {h.phone}")
            for h in guide.halls
        )
    body = pdf.render(flow, title=f"{package_version.name} · {_('一次告知书')}")
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"{package_version.name}-一次告知书.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"guide-{code}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _form_label(material: MergedMaterial) -> str:
    from onestop.catalog.models import MaterialForm

    try:
        return str(MaterialForm(material.form).label)
    except ValueError:
        return material.form


def item(request: HttpRequest, code: str) -> HttpResponse:
    """A single item's guide (no situation questions)."""
    item_version = item_version_by_code(code)
    if item_version is None:
        raise Http404(_("没有找到该事项，或它尚未发布。"))
    prefetch_related_objects([item_version], "materials", "fees")
    return render(request, "portal/item.html", {"iv": item_version})


# --------------------------------------------------------------------------------- apply


class _Field:
    """A form field of the merged form, as the template draws it."""

    def __init__(self, form_field: FormField, value: Any, error: str = "") -> None:
        self.field = form_field
        self.value = "" if value is None else str(value)
        self.error = error

    @property
    def name(self) -> str:
        return FORM_PREFIX + self.field.key

    @property
    def input_type(self) -> str:
        return {
            FieldKind.PHONE: "tel",
            FieldKind.EMAIL: "email",
            FieldKind.DATE: "date",
        }.get(self.field.kind, "text")

    @property
    def inputmode(self) -> str:
        return {
            FieldKind.NUMBER: "decimal",
            FieldKind.MONEY: "decimal",
            FieldKind.PHONE: "tel",
        }.get(self.field.kind, "")


class _Material:
    def __init__(self, material: MergedMaterial, error: str = "", ticked: bool = False) -> None:
        self.m = material
        self.error = error
        self.ticked = ticked
        self.tags = material_tags(material)

    @property
    def file_name(self) -> str:
        return FILE_PREFIX + self.m.key

    @property
    def commit_name(self) -> str:
        return COMMIT_PREFIX + self.m.key

    @property
    def is_upload(self) -> bool:
        return not self.m.is_held_by_government

    @property
    def is_commitment(self) -> bool:
        return self.m.necessity == MaterialNecessity.COMMITMENT

    @property
    def is_tolerable(self) -> bool:
        return self.m.necessity == MaterialNecessity.TOLERABLE

    @property
    def is_required(self) -> bool:
        return self.m.necessity == MaterialNecessity.REQUIRED


def _prefill(applicant: Applicant) -> dict[str, str]:
    values = {
        "contact_phone": applicant.phone,
        "address": applicant.address,
    }
    if applicant.kind == ApplicantKind.PERSON:
        values |= {"applicant_name": applicant.name, "applicant_id_number": applicant.id_number}
    else:
        values |= {
            "enterprise_name": applicant.name,
            "enterprise_uscc": applicant.uscc,
            "legal_representative": applicant.legal_representative,
            "legal_representative_id_number": applicant.legal_representative_id_number,
            "business_address": applicant.address,
        }
    return {k: v for k, v in values.items() if v}


def _without_label(message: str, label: str) -> str:
    """“企业名称”：此项为必填项。 → 此项为必填项。 (the label is right above the message)."""
    prefix = f"“{label}”："
    return message[len(prefix) :] if message.startswith(prefix) else message


def _field_of(exc: DomainError) -> tuple[str, str]:
    """('form'|'material'|'', key) for the field a service error names."""
    name = exc.field or ""
    if name.startswith("form_data."):
        return "form", name.split(".", 1)[1]
    if name.startswith("materials."):
        return "material", name.split(".", 1)[1]
    return "", name


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Apply online for a package: the situation answers carried over from the guide."""
    applicant = _applicant(request)
    package_version = _package(code)
    source = request.POST if request.method == "POST" else request.GET
    answers = answers_from(source, package_version)
    guide = guide_build(package_version, answers)
    if guide.plan is None:
        messages.info(request, guide.error or _("请先回答全部情形问题，再在线申请。"))
        return redirect(reverse("portal:package", args=[code]) + "?" + guide.query)
    region = (
        package_version.lead_department.region
        if package_version.lead_department
        else applicant.region
    )
    return _apply_form(
        request,
        applicant,
        materials=guide.plan.materials,
        form_fields=guide.plan.form_fields,
        submit={
            "package_version": package_version,
            "answers": {k: v for k, v in answers.items() if v},
            "accepting_region": region,
        },
        context={
            "title": package_version.name,
            "back_url": reverse("portal:package", args=[code]) + "?" + guide.query,
            "guide": guide,
            "item_count": len(guide.plan.items),
        },
    )


@login_required
def item_apply(request: HttpRequest, code: str) -> HttpResponse:
    """Apply online for a single item (no situation questions)."""
    applicant = _applicant(request)
    item_version = item_version_by_code(code)
    if item_version is None:
        raise Http404(_("没有找到该事项，或它尚未发布。"))
    plan = case_plan_for_submit(package_version=None, item_version=item_version, answers={})
    return _apply_form(
        request,
        applicant,
        materials=plan.materials,
        form_fields=plan.form_fields,
        submit={"item_version": item_version, "accepting_region": item_version.department.region},
        context={
            "title": item_version.name,
            "back_url": reverse("portal:item", args=[code]),
            "guide": None,
            "item_count": 1,
        },
    )


def _apply_form(
    request: HttpRequest,
    applicant: Applicant,
    *,
    materials: list[MergedMaterial],
    form_fields: list[FormField],
    submit: dict[str, Any],
    context: dict[str, Any],
) -> HttpResponse:
    """The merged form and the materials; submitted once per idempotency key."""
    field_errors: dict[str, str] = {}
    material_errors: dict[str, str] = {}
    top_errors: list[str] = []
    if request.method == "POST":
        values = {f.key: request.POST.get(FORM_PREFIX + f.key, "").strip() for f in form_fields}
        idempotency_key = request.POST.get("idempotency_key", "")[:128]
        # Every field and material is checked first, so all mistakes show at once.
        for form_field in form_fields:
            try:
                form_data_clean([form_field], {form_field.key: values[form_field.key]})
            except ValidationFailed as exc:
                field_errors[form_field.key] = _without_label(exc.message, form_field.label)
        inputs: list[MaterialInput] = []
        for material in materials:
            if material.is_held_by_government:
                continue
            upload = request.FILES.get(FILE_PREFIX + material.key)
            ticked = request.POST.get(COMMIT_PREFIX + material.key) == "on"
            if upload is not None:
                given = MaterialInput(key=material.key, file=upload)
            elif ticked and material.necessity == MaterialNecessity.COMMITMENT:
                given = MaterialInput(key=material.key, commitment=COMMITMENT_TEXT)
            else:
                if material.necessity == MaterialNecessity.REQUIRED:
                    material_errors[material.key] = _("请上传“%(m)s”。") % {"m": material.name}
                elif material.necessity == MaterialNecessity.COMMITMENT:
                    material_errors[material.key] = _("请上传“%(m)s”，或勾选告知承诺代替。") % {
                        "m": material.name
                    }
                continue
            try:
                material_input_check(given, name=material.name, necessity=material.necessity)
            except ValidationFailed as exc:
                material_errors[material.key] = exc.message
                continue
            inputs.append(given)
        if not field_errors and not material_errors:
            try:
                case = case_submit(
                    applicant=applicant,
                    form_data={k: v for k, v in values.items() if v},
                    materials=inputs,
                    channel=Channel.ONLINE,
                    created_by=request.user,
                    idempotency_key=idempotency_key or None,
                    **submit,
                )
            except DomainError as exc:
                where, key = _field_of(exc)
                if where == "form":
                    field_errors[key] = exc.message  # names its field: kept whole
                elif where == "material":
                    material_errors[key] = exc.message
                else:
                    top_errors.append(exc.message)
            else:
                messages.success(
                    request,
                    _("申请已提交，办件编号 %(number)s。请留意办理进度。")
                    % {"number": case.number},
                )
                return redirect("portal:my_case", number=case.number)
        if field_errors or material_errors:
            top_errors.insert(
                0, _("申请未提交：请按提示修改标红的项目。已选择的文件需要重新选择。")
            )
    else:
        values = {f.key: v for f in form_fields if (v := _prefill(applicant).get(f.key))}
        idempotency_key = ""
    fields = [_Field(f, values.get(f.key), field_errors.get(f.key, "")) for f in form_fields]
    materials_ui = [
        _Material(
            m,
            material_errors.get(m.key, ""),
            request.POST.get(COMMIT_PREFIX + m.key) == "on",
        )
        for m in materials
    ]
    return render(
        request,
        "portal/apply.html",
        {
            **context,
            "fields": fields,
            "materials": materials_ui,
            "errors": top_errors,
            # A fresh key per rendered form; a resubmitted (failed) form keeps its key.
            "idempotency_key": idempotency_key or uuid.uuid4().hex,
            "commitment_text": COMMITMENT_TEXT,
            "applicant": applicant,
        },
    )


# ------------------------------------------------------------------------------ my cases


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    rows = []
    for case in case_list_for_applicant(applicant):
        signal = None
        if case.state in CASE_CLOCK_STATES and case.due_at is not None:
            # From the stored due date (no event read per row), as the inbox does for tasks.
            signal = traffic_light(
                due_at=case.due_at,
                limit_days=case.promised_days,
                is_provisional=case.due_is_provisional,
            )
        rows.append((case, signal))
    return render(request, "portal/my_cases.html", {"rows": rows})


def _case_for(request: HttpRequest, number: str) -> tuple[Applicant, Case]:
    applicant = _applicant(request)
    try:
        return applicant, case_get_by_number_for(applicant, number)
    except NotFound:
        raise Http404(_("办件不存在。")) from None


# Steps inside a department that say nothing to the applicant (who works on it, internal checks).
_INTERNAL_EVENTS = frozenset(
    {EventKind.TASK_REASSIGNED, EventKind.EXTENSION_REQUESTED, EventKind.VERIFICATION_OPENED}
)


def _timeline(case: Case, departments: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for event in case_timeline(case):
        if event.kind in _INTERNAL_EVENTS:
            continue
        try:
            label = str(EventKind(event.kind).label)
        except ValueError:
            label = event.kind
        payload = event.payload or {}
        who = ""
        if event.actor_role == "applicant":
            who = _("申请人")
        elif "task" in payload:
            who = departments.get(payload.get("task"), "")
        elif event.actor_role == Role.WINDOW_CLERK:
            who = _("综合受理窗口")
        elif event.actor_role == Role.AGENT:
            who = _("帮代办员")
        elif event.actor_role == "system":
            who = _("系统")
        rows.append(
            {
                "at": event.at,
                "label": label,
                "item": payload.get("item", ""),
                "who": who,
                "reason": event.reason,
            }
        )
    return rows


def _holders(case: Case, tasks: list[Any]) -> list[str]:
    """Who has the case now: departments (never an officer's name), the window or the applicant."""
    if case.state in {CaseState.PRE_REVIEW, CaseState.SUBMITTED}:
        return [_("综合受理窗口")]
    if case.state == CaseState.CORRECTION_REQUESTED:
        return [_("申请人（待补正材料）")]
    if case.state == CaseState.COMPLETED:
        return [_("综合受理窗口（待出件）")]
    names = []
    for task in tasks:
        if task.state in TASK_OPEN_STATES and task.department.name not in names:
            names.append(task.department.name)
    return names


@login_required
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    applicant, case = _case_for(request, number)
    tasks = list(task_list_for_case(case))
    departments = {t.pk: t.department.name for t in tasks}
    materials = list(case.materials.order_by("pk"))
    correction = case.correction_notice or {}
    correction_keys = [m.get("key") for m in correction.get("materials", [])]
    by_key = {m.key: m for m in materials}
    notices = []
    if case.accepted_at is not None:
        notices.append(("accepted", _("受理通知书")))
    if correction:
        notices.append(("correction", _("补正告知书")))
    if case.state == CaseState.REJECTED:
        notices.append(("rejected", _("不予受理通知书")))
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "tasks": tasks,
            "materials": materials,
            "timeline": _timeline(case, departments),
            "holders": _holders(case, tasks),
            "signal": case_traffic_light(case),
            "notices": notices,
            "correction": correction,
            "correction_materials": [by_key[k] for k in correction_keys if k in by_key],
            "tolerated": [m for m in materials if m.status == MaterialStatus.TOLERATED_MISSING],
            "can_supplement": case.state == CaseState.CORRECTION_REQUESTED,
            "can_supply": case.state in {CaseState.IN_PROGRESS, CaseState.COMPLETED},
            "can_withdraw": case.state not in CASE_FINAL_STATES
            and case.state != CaseState.COMPLETED,
            "commitment_text": COMMITMENT_TEXT,
            "errors": request.session.pop("portal_errors", {}),
        },
    )


def _back_with(request: HttpRequest, case: Case, errors: dict[str, str]) -> HttpResponse:
    request.session["portal_errors"] = errors
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def supplement(request: HttpRequest, number: str) -> HttpResponse:
    """补正: upload what the correction notice listed; the case goes back to the window."""
    applicant, case = _case_for(request, number)
    listed = [m.get("key") for m in (case.correction_notice or {}).get("materials", [])]
    inputs = []
    for key in listed:
        upload = request.FILES.get(FILE_PREFIX + key)
        if upload is not None:
            inputs.append(MaterialInput(key=key, file=upload))
        elif request.POST.get(COMMIT_PREFIX + key) == "on":
            inputs.append(MaterialInput(key=key, commitment=COMMITMENT_TEXT))
    try:
        case_supplement(case_id=case.pk, by=applicant, materials=inputs)
    except DomainError as exc:
        where, key = _field_of(exc)
        return _back_with(
            request, case, {key if where == "material" else "supplement": exc.message}
        )
    messages.success(request, _("补正材料已提交，窗口将重新审核。"))
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def supply_tolerated(request: HttpRequest, number: str, key: str) -> HttpResponse:
    """补交容缺材料 by its deadline."""
    applicant, case = _case_for(request, number)
    upload = request.FILES.get(FILE_PREFIX + key)
    if upload is None:
        return _back_with(request, case, {key: _("请选择要补交的文件。")})
    try:
        case_supply_tolerated(
            case_id=case.pk, key=key, material=MaterialInput(key=key, file=upload), by=applicant
        )
    except DomainError as exc:
        return _back_with(request, case, {key: exc.message})
    messages.success(request, _("容缺材料已补交。"))
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """撤回申请, only after the applicant ticked the confirmation."""
    applicant, case = _case_for(request, number)
    if request.POST.get("confirm") != "on":
        return _back_with(request, case, {"withdraw": _("请勾选确认后再撤回。")})
    try:
        case_withdraw(case_id=case.pk, by=applicant, reason=request.POST.get("reason", "")[:500])
    except DomainError as exc:
        return _back_with(request, case, {"withdraw": exc.message})
    messages.success(request, _("申请已撤回。"))
    return redirect("portal:my_case", number=case.number)
