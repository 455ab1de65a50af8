"""Walk-in intake: a clerk (or a village helper-agent) enters a case for an applicant present.

Steps: find the applicant by ID number / credit code (or register them on the spot), choose
the package, answer the situation questions, then fill the merged form and tick the
materials received. A hidden idempotency key makes a double click or a reload harmless.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.accounts.roles import Role
from onestop.accounts.selectors import applicant_find
from onestop.accounts.validators import normalize_identifier, validate_resident_id
from onestop.cases import services
from onestop.cases.selectors import case_list_for
from onestop.cases.services import MaterialInput
from onestop.cases.states import Channel
from onestop.catalog.models import FieldKind, MaterialNecessity, MaterialSource, PackageVersion
from onestop.catalog.selectors import (
    MergedMaterial,
    PackagePlan,
    package_plan,
    package_version_by_code,
    package_versions_published,
)
from onestop.core import clock, pdf
from onestop.core.errors import DomainError
from onestop.regions.models import RegionLevel
from onestop.workbench import presenters
from onestop.workbench.access import INTAKE_ROLES, staff_only

COMMITMENT_TEXT = "本人承诺所填信息和提交材料真实、合法、有效，如有不实愿承担相应法律责任。"


def _channel(staff: Staff) -> Channel:
    if staff.role == Role.AGENT or (staff.region.level == RegionLevel.VILLAGE):
        return Channel.VILLAGE_CENTRE
    return Channel.HALL_WINDOW


_SALT = "onestop.workbench.intake.applicant"


def applicant_token(applicant: Applicant) -> str:
    """The applicant in URLs and hidden fields: signed, so no ID number travels in a URL and
    no one browses applicants by guessing ids."""
    return signing.dumps(applicant.pk, salt=_SALT)


def _applicant_from(token: str) -> Applicant | None:
    try:
        pk = signing.loads(token or "", salt=_SALT, max_age=12 * 3600)
    except signing.BadSignature:
        return None
    return Applicant.objects.filter(pk=pk).first()


def _found(applicant: Applicant) -> HttpResponse:
    return redirect(
        reverse("workbench:intake") + "?" + urlencode({"a": applicant_token(applicant)})
    )


def _register(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    post = request.POST
    kind = post.get("kind", "person")
    try:
        if kind == ApplicantKind.ENTERPRISE:
            applicant = accounts_services.applicant_register_enterprise(
                name=post.get("name", ""),
                uscc=post.get("uscc", ""),
                legal_representative=post.get("legal_representative", ""),
                legal_representative_id_number=post.get("legal_representative_id_number", ""),
                phone=post.get("phone", ""),
                address=post.get("address", ""),
            )
        else:
            applicant = accounts_services.applicant_register_person(
                name=post.get("name", ""),
                id_number=post.get("id_number", ""),
                phone=post.get("phone", ""),
                address=post.get("address", ""),
            )
    except DomainError as exc:
        context.update(
            errors=presenters.errors_of(exc),
            posted=post,
            kind=kind,
            identifier=post.get("identifier", ""),
            not_found=True,
        )
        return render(request, "workbench/intake_find.html", context)
    messages.success(request, _("已登记申请人%(name)s。") % {"name": applicant.name})
    return _found(applicant)


def _looks_like_id_number(identifier: str) -> bool:
    try:
        validate_resident_id(normalize_identifier(identifier))
    except ValidationError:
        return False
    return True


@staff_only(INTAKE_ROLES)
def find(request: HttpRequest) -> HttpResponse:
    """Step 1: find the applicant by ID number / credit code (POST), or register them."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "identifier": "",
        "errors": {},
        "posted": {},
        "kind": "person",
        "nav": "intake",
        "recent": list(case_list_for(staff)[:10]) if staff.role == Role.AGENT else [],
    }
    if request.method == "POST":
        if request.POST.get("step") == "register":
            return _register(request, context)
        identifier = (request.POST.get("identifier") or "").strip()
        applicant = applicant_find(identifier=identifier)
        if applicant is not None:
            return _found(applicant)
        context.update(
            identifier=identifier,
            not_found=bool(identifier),
            kind="person" if _looks_like_id_number(identifier) else "enterprise",
        )
        return render(request, "workbench/intake_find.html", context)
    applicant = _applicant_from(request.GET.get("a", ""))
    if applicant is not None:
        context.update(applicant=applicant, token=applicant_token(applicant))
        context["packages"] = _packages_for(applicant)
    return render(request, "workbench/intake_find.html", context)


def _packages_for(applicant: Applicant) -> list[PackageVersion]:
    subject = "person" if applicant.kind == ApplicantKind.PERSON else "enterprise"
    versions = list(package_versions_published())
    return sorted(versions, key=lambda v: (v.subject_kind != subject, v.name))


@dataclass
class MaterialEntry:
    material: MergedMaterial
    form_label: str
    received: bool
    is_licence: bool
    is_commitment: bool
    is_tolerable: bool
    is_optional: bool
    error: str = ""


def _raw_answers(version: PackageVersion, data: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in version.questions.all():
        value = data.get(f"q_{question.key}", "")
        if value == "":
            continue
        if question.kind == "yes_no":
            answers[question.key] = value in ("true", "1", "yes", "是")
        else:
            answers[question.key] = value
    return answers


_PREFILL = {
    "applicant_name": "name",
    "applicant_id_number": "id_number",
    "contact_phone": "phone",
    "address": "address",
    "enterprise_uscc": "uscc",
    "legal_representative": "legal_representative",
}


_INPUT_TYPES = {
    FieldKind.NUMBER: "number",
    FieldKind.MONEY: "number",
    FieldKind.DATE: "date",
    FieldKind.PHONE: "tel",
    FieldKind.EMAIL: "email",
}


def _field_rows(plan: PackagePlan, values: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "field": f,
            "value": values.get(f"f_{f.key}", ""),
            "error": errors.get(f"form_data.{f.key}", ""),
            "input_type": _INPUT_TYPES.get(f.kind, "text"),
        }
        for f in plan.form_fields
    ]


def _material_entries(plan: PackagePlan, post: Any, errors: dict[str, str]) -> list[MaterialEntry]:
    entries = []
    for m in plan.materials:
        is_licence = m.source != MaterialSource.APPLICANT or m.is_held_by_government
        entries.append(
            MaterialEntry(
                material=m,
                form_label=presenters.material_form_label(m.form),
                received=(f"received_{m.key}" in post) if post else not is_licence,
                is_licence=is_licence,
                is_commitment=m.necessity == MaterialNecessity.COMMITMENT,
                is_tolerable=m.necessity == MaterialNecessity.TOLERABLE,
                is_optional=m.necessity == MaterialNecessity.OPTIONAL,
                error=errors.get(f"materials.{m.key}", ""),
            )
        )
    return entries


def _paper_receipt(material: MergedMaterial, staff: Staff, applicant: Applicant) -> UploadedFile:
    """A receipt PDF for a paper material taken in at the window without a scan.

    The case engine records a material by a file, a licence reference or a commitment; a
    paper original checked at the window is recorded by this receipt (who, what, when).
    """
    body = pdf.render(
        [
            pdf.para(_("纸质材料收件记录"), "title"),
            pdf.para(_("材料：%(m)s") % {"m": material.name}),
            pdf.para(_("形式：%(f)s，%(n)d份") % {"f": material.form or "—", "n": material.copies}),
            pdf.para(_("申请人：%(a)s") % {"a": applicant.name}),
            pdf.para(
                _("收件人：%(s)s（%(r)s）") % {"s": staff.name, "r": staff.get_role_display()}
            ),
            pdf.para(
                _("收件时间：%(t)s") % {"t": clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")}
            ),
        ],
        title=_("纸质材料收件记录"),
    )
    return SimpleUploadedFile(f"{material.key}.pdf", body, content_type="application/pdf")


def _materials_input(
    entries: list[MaterialEntry], request: HttpRequest, staff: Staff, applicant: Applicant
) -> list[MaterialInput]:
    given: list[MaterialInput] = []
    for entry in entries:
        key = entry.material.key
        if entry.is_licence or not entry.received:
            continue
        scan = request.FILES.get(f"scan_{key}")
        if entry.is_commitment and request.POST.get(f"commit_{key}"):
            given.append(MaterialInput(key=key, commitment=COMMITMENT_TEXT))
        elif scan is not None:
            given.append(MaterialInput(key=key, file=scan))
        else:
            given.append(
                MaterialInput(key=key, file=_paper_receipt(entry.material, staff, applicant))
            )
    return given


@staff_only(INTAKE_ROLES)
def apply(request: HttpRequest) -> HttpResponse:
    """Steps 2–4: package → situation questions → merged form and materials → submit."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else request.GET
    applicant = _applicant_from(data.get("a", ""))
    version = package_version_by_code(data.get("package", ""))
    if applicant is None or version is None:
        messages.error(request, _("请先找到申请人并选择要办理的一件事。"))
        return redirect("workbench:intake")
    questions = list(version.questions.all())
    context: dict[str, Any] = {
        "applicant": applicant,
        "token": applicant_token(applicant),
        "version": version,
        "questions": questions,
        "data": data,
        "errors": {},
        "is_agent": staff.role == Role.AGENT,
        "channel": _channel(staff).label,
        "nav": "intake",
    }
    answers = _raw_answers(version, data)
    if not data.get("answered"):
        return render(request, "workbench/intake_apply.html", context)
    try:
        plan = package_plan(version, answers)
    except DomainError as exc:
        context["errors"] = presenters.errors_of(exc)
        return render(request, "workbench/intake_apply.html", context)
    errors: dict[str, str] = {}
    values: Any = data if request.method == "POST" else _prefill(applicant)
    entries = _material_entries(plan, request.POST if request.method == "POST" else None, errors)
    if request.method == "POST":
        form_data = {
            f.key: request.POST.get(f"f_{f.key}", "")
            for f in plan.form_fields
            if request.POST.get(f"f_{f.key}", "") != ""
        }
        try:
            case = services.case_intake(
                staff=staff,
                applicant=applicant,
                channel=_channel(staff),
                package_version=version,
                answers=answers,
                form_data=form_data,
                materials=_materials_input(entries, request, staff, applicant),
                agent_authorisation=request.POST.get("agent_authorisation", ""),
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except DomainError as exc:
            errors = presenters.errors_of(exc)
            entries = _material_entries(plan, request.POST, errors)
        else:
            messages.success(
                request,
                _("已录入办件 %(n)s（%(t)s），等待窗口受理。")
                % {"n": case.number, "t": case.title},
            )
            if staff.role == Role.WINDOW_CLERK:
                return redirect("workbench:window_case", number=case.number)
            return redirect("workbench:intake")
    context.update(
        plan=plan,
        answer_rows=[(q.text, presenters.answer_label(q, answers.get(q.key))) for q in questions],
        fields=_field_rows(plan, values, errors),
        entries=entries,
        errors=errors,
        idempotency_key=data.get("idempotency_key") or uuid.uuid4().hex,
        top_error=errors.get("top")
        or next(
            (m for f, m in errors.items() if not f.startswith(("form_data.", "materials."))),
            "",
        ),
    )
    return render(request, "workbench/intake_form.html", context)


def _prefill(applicant: Applicant) -> dict[str, str]:
    return {f"f_{key}": getattr(applicant, attr, "") or "" for key, attr in _PREFILL.items()}
