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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import applicant_find
from onestop.accounts.throttle import client_ip
from onestop.cases import services
from onestop.cases.actions import authorisation_refusal
from onestop.cases.selectors import authorisations_current, case_list_for
from onestop.cases.services.plans import minutes_promised, village_centre_refusal
from onestop.cases.states import Channel
from onestop.catalog.models import FieldKind, MaterialNecessity, MaterialSource, PackageVersion
from onestop.catalog.selectors import (
    MergedMaterial,
    PackagePlan,
    commitment_text_for,
    material_form_text,
    package_plan,
    package_version_by_code,
    package_versions_published,
)
from onestop.core.errors import DomainError
from onestop.regions.models import RegionLevel
from onestop.workbench import forms, presenters
from onestop.workbench.access import is_agent, staff_with
from onestop.workdays.units import TimeUnit, time_limit_within_text


def _channel(staff: Staff) -> Channel:
    if is_agent(staff) or (staff.region.level == RegionLevel.VILLAGE):
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
    form = forms.RegisterForm(request.POST)
    if form.is_valid():
        try:
            if form.is_enterprise:
                applicant = accounts_services.applicant_register_enterprise(**form.service_kwargs())
            else:
                applicant = accounts_services.applicant_register_person(**form.service_kwargs())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已登记申请人%(name)s。") % {"name": applicant.name})
            return _found(applicant)
    context.update(
        register=form,
        identifier=form.cleaned_data.get("identifier", "") if hasattr(form, "cleaned_data") else "",
        not_found=True,
    )
    return render(request, "workbench/intake_find.html", context)


@staff_with(Permission.CASE_INTAKE)
def find(request: HttpRequest) -> HttpResponse:
    """Step 1: find the applicant by ID number / credit code (POST), or register them."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "identifier": "",
        "register": None,
        "nav": "intake",
        "is_agent": is_agent(staff),
        "recent": list(case_list_for(staff)[:10]) if is_agent(staff) else [],
    }
    if request.method == "POST":
        if request.POST.get("step") == "register":
            return _register(request, context)
        find_form = forms.FindForm(request.POST)
        if not find_form.is_valid():
            # Not a well-formed ID number or credit code: the rule that failed, at the field;
            # nothing is looked up and nothing is offered for registration.
            context.update(identifier=request.POST.get("identifier", ""), find_form=find_form)
            return render(request, "workbench/intake_find.html", context)
        identifier = find_form.cleaned_data["identifier"]
        applicant = applicant_find(identifier=identifier)
        if applicant is not None:
            accounts_services.personal_data_read_record(
                staff=request.staff,  # type: ignore[attr-defined]
                applicant_id=applicant.pk,
                kind=PersonalDataReadKind.APPLICANT_LOOKUP,
                address=client_ip(request),
            )
            return _found(applicant)
        kind = find_form.kind
        initial = {"kind": kind, "identifier": identifier}
        initial["id_number" if kind == ApplicantKind.PERSON else "uscc"] = identifier
        context.update(
            identifier=identifier,
            not_found=True,
            register=forms.RegisterForm(initial=initial),
        )
        return render(request, "workbench/intake_find.html", context)
    applicant = _applicant_from(request.GET.get("a", ""))
    if applicant is not None:
        context.update(applicant=applicant, token=applicant_token(applicant))
        context["packages"] = _packages_for(applicant, staff)
    return render(request, "workbench/intake_find.html", context)


def _packages_for(applicant: Applicant, staff: Staff) -> list[PackageVersion]:
    """The packages this desk may take: a village station's only those of a village class."""
    subject = "person" if applicant.kind == ApplicantKind.PERSON else "enterprise"
    versions = [
        v for v in package_versions_published() if not village_centre_refusal(staff, v, None)
    ]
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


def _material_entries(
    plan: PackagePlan, form: forms.IntakeForm | None, errors: dict[str, str]
) -> list[MaterialEntry]:
    entries = []
    for m in plan.materials:
        is_licence = _is_licence(m)
        received = not is_licence
        if form is not None:
            received = bool(form.data.get(forms.IntakeForm.RECEIVED + m.key))
        entries.append(
            MaterialEntry(
                material=m,
                form_label=material_form_text(m),
                received=received,
                is_licence=is_licence,
                is_commitment=m.necessity == MaterialNecessity.COMMITMENT,
                is_tolerable=m.necessity == MaterialNecessity.TOLERABLE,
                is_optional=m.necessity == MaterialNecessity.OPTIONAL,
                error=errors.get(f"materials.{m.key}", ""),
            )
        )
    return entries


def _is_licence(material: MergedMaterial) -> bool:
    """Fetched by the department (免提交): nothing to take in at the window."""
    return material.source != MaterialSource.APPLICANT or material.is_held_by_government


def _intake_form(plan: PackagePlan, request: HttpRequest) -> forms.IntakeForm:
    takes = [m for m in plan.materials if not _is_licence(m)]
    return forms.IntakeForm(
        request.POST,
        request.FILES,
        field_keys=[f.key for f in plan.form_fields],
        material_keys=[m.key for m in takes],
        commitment_keys=[m.key for m in takes if m.necessity == MaterialNecessity.COMMITMENT],
    )


def _form_errors(form: forms.IntakeForm) -> dict[str, str]:
    """The form's errors by the service's field names (``form_data.<key>``, ``materials.<key>``)."""
    errors = dict(form.domain_errors)
    for name, messages_ in form.errors.items():
        message = str(messages_[0])
        if name.startswith(forms.IntakeForm.FIELD):
            errors.setdefault(f"form_data.{name[len(forms.IntakeForm.FIELD) :]}", message)
        elif name.startswith((forms.IntakeForm.SCAN, forms.IntakeForm.RECEIVED)):
            key = name.split("_", 1)[1]
            errors.setdefault(f"materials.{key}", message)
        elif name == "__all__":
            errors.setdefault("top", message)
        else:
            errors.setdefault(name, message)
    return errors


@staff_with(Permission.CASE_INTAKE)
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
        "is_agent": is_agent(staff),
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
    keep_key = _keep_key(applicant, version)
    values: Any = data if request.method == "POST" else _prefill(applicant)
    form: forms.IntakeForm | None = None
    if request.method == "POST":
        form = _intake_form(plan, request)
        if form.is_valid():
            try:
                case = services.case_intake(
                    staff=staff,
                    applicant=applicant,
                    channel=_channel(staff),
                    package_version=version,
                    answers=answers,
                    form_data=form.form_data(),
                    materials=form.materials(
                        commitment_text=commitment_text_for(package_version=version)
                    ),
                    agent_authorisation=form.cleaned_data["agent_authorisation"],
                    agent_in_person=form.cleaned_data["agent_in_person"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("已录入办件 %(n)s（%(t)s），等待窗口受理。")
                    % {"n": case.number, "t": case.title},
                )
                if staff.has_permission(Permission.CASE_ACCEPT):
                    return redirect("workbench:window_case", number=case.number)
                return redirect("workbench:intake")
        errors = _form_errors(form)
    context.update(
        plan=plan,
        limit_text=_limit_text(plan, version, staff),
        answer_rows=[(q.text, presenters.answer_label(q, answers.get(q.key))) for q in questions],
        fields=_field_rows(plan, values, errors),
        entries=_material_entries(plan, form, errors),
        errors=errors,
        commitment_text=commitment_text_for(package_version=version),
        keep_key=keep_key,
        authorisations=_authorisations(staff, applicant, version),
        idempotency_key=data.get("idempotency_key") or uuid.uuid4().hex,
        top_error=errors.get("top")
        or next(
            (m for f, m in errors.items() if not f.startswith(("form_data.", "materials."))),
            "",
        ),
    )
    return render(request, "workbench/intake_form.html", context)


def _keep_key(applicant: Applicant, version: PackageVersion) -> str:
    """The name under which the browser keeps this form while the connection is lost: the
    same for the same applicant and package, telling neither to whoever reads the tablet."""
    return "intake-" + salted_hmac(_SALT, f"{applicant.pk}:{version.package.code}").hexdigest()[:20]


def _authorisations(
    staff: Staff, applicant: Applicant, version: PackageVersion
) -> list[dict[str, Any]]:
    """For an agent: the applicant's authorisations to them valid now, and whether each
    covers this package (the intake service decides; this only tells the agent before)."""
    if not staff.has_permission(Permission.AGENT_ACT):
        return []
    return [
        {
            "a": a,
            "covers": not authorisation_refusal(
                a,
                agent=staff,
                applicant_id=applicant.pk,
                package_id=version.package_id,
                item_id=None,
            ),
        }
        for a in authorisations_current(staff, applicant)
    ]


def _limit_text(plan: PackagePlan, version: PackageVersion, staff: Staff) -> str:
    minutes = minutes_promised(version, _channel(staff))
    if minutes:
        return time_limit_within_text(minutes, TimeUnit.MINUTE)
    return time_limit_within_text(plan.promised_days, plan.promised_unit)


def _prefill(applicant: Applicant) -> dict[str, str]:
    return {f"f_{key}": getattr(applicant, attr, "") or "" for key, attr in _PREFILL.items()}
