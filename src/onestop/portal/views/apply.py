"""Apply online (一表申请): the merged form and the materials, submitted once."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, ApplicantKind
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.services import (
    case_draft_save,
    case_submit,
)
from onestop.cases.services.drafts import draft_files, draft_get
from onestop.cases.services.materials import upload_accept, upload_max_bytes
from onestop.cases.services.plans import case_plan_for_submit, channel_refusal
from onestop.cases.states import (
    Channel,
)
from onestop.catalog.models import (
    FieldKind,
    FormField,
    MaterialNecessity,
)
from onestop.catalog.selectors import (
    MergedMaterial,
    commitment_text_for,
    item_version_by_code,
)
from onestop.certificates.wallet import WalletLicence, wallet_offers
from onestop.core.errors import DomainError, NotFound
from onestop.portal.forms import COMMIT_PREFIX, FILE_PREFIX, FORM_PREFIX, ApplyForm
from onestop.portal.guide import answers_from, guide_build, material_tags
from onestop.portal.views._common import (
    applicant_for,
    package_or_404,
)

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
    def __init__(
        self,
        material: MergedMaterial,
        error: str = "",
        ticked: bool = False,
        kept: CaseMaterial | None = None,
        licence: WalletLicence | None = None,
    ) -> None:
        self.m = material
        self.error = error
        self.ticked = ticked
        self.kept = kept  # the file a draft keeps for it
        self.licence = licence  # the applicant's e-licence that stands for it (数据跑路)
        self.tags = material_tags(material)

    @property
    def file_name(self) -> str:
        return FILE_PREFIX + self.m.key

    @property
    def commit_name(self) -> str:
        return COMMIT_PREFIX + self.m.key

    @property
    def is_upload(self) -> bool:
        return not self.m.is_held_by_government and self.licence is None

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


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Apply online for a package: the situation answers carried over from the guide."""
    applicant = applicant_for(request)
    package_version = package_or_404(code)
    source = request.POST if request.method == "POST" else request.GET
    answers = answers_from(source, package_version)
    guide = guide_build(package_version, answers)
    if guide.plan is None or guide.online_refusal:
        messages.info(
            request,
            guide.online_refusal or guide.error or _("请先回答全部情形问题，再在线申请。"),
        )
        return redirect(reverse("portal:package", args=[code]) + "?" + guide.query)
    return _apply_form(
        request,
        applicant,
        materials=guide.plan.materials,
        form_fields=guide.plan.form_fields,
        submit={
            "package_version": package_version,
            "answers": {k: v for k, v in answers.items() if v},
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
    applicant = applicant_for(request)
    item_version = item_version_by_code(code)
    if item_version is None:
        raise Http404(_("没有找到该事项，或它尚未发布。"))
    refusal = channel_refusal(item_version, Channel.ONLINE)
    if refusal:
        messages.info(request, refusal)
        return redirect("portal:item", code=code)
    plan = case_plan_for_submit(package_version=None, item_version=item_version, answers={})
    return _apply_form(
        request,
        applicant,
        materials=plan.materials,
        form_fields=plan.form_fields,
        submit={"item_version": item_version},
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
    """The merged form and the materials; submitted once per idempotency key.

    "保存草稿" keeps the answers, what was typed and the files chosen as a draft, without
    the checks; the page then reopens on the draft (``?draft=<id>``), and submitting it turns
    the draft into the case.
    """
    draft_id = _draft_id(request)
    draft = _own_draft(request, draft_id)
    kept = draft_files(draft) if draft is not None else {}
    offers = wallet_offers(applicant, [m.key for m in materials])
    commitment_text = commitment_text_for(
        package_version=submit.get("package_version"), item_version=submit.get("item_version")
    )
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        form_fields=form_fields,
        materials=materials,
        kept=kept,
        commitment_text=commitment_text,
        licences={key: licence.identifier for key, licence in offers.items()},
    )
    top_errors: list[str] = []
    if request.method == "POST" and form.is_draft:
        form.is_valid()  # shapes only: a draft keeps what was typed
        try:
            draft = case_draft_save(
                created_by=request.user,
                applicant=applicant,
                form_data=form.values(),
                channel=Channel.ONLINE,
                draft_id=draft_id,
                files=form.chosen_files(),
                **submit,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            draft_id = None if isinstance(exc, NotFound) else draft_id
            if _has_field_errors(form):
                top_errors.append(
                    _("草稿未保存：请按提示修改标红的项目。已选择的文件需要重新选择。")
                )
        else:
            messages.success(request, _("草稿已保存，可在“我的办件”中继续填写。"))
            return redirect(_draft_url(request, context, draft.pk))
        values = form.values()
        idempotency_key = form.data.get("idempotency_key", "")[:128]
    elif request.method == "POST":
        if form.is_valid():
            try:
                case = case_submit(
                    applicant=applicant,
                    form_data={k: v for k, v in form.values().items() if v},
                    materials=form.material_inputs(),
                    channel=Channel.ONLINE,
                    created_by=request.user,
                    idempotency_key=form.cleaned_data["idempotency_key"] or None,
                    draft_id=draft_id,
                    **submit,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("申请已提交，办件编号 %(number)s。请留意办理进度。")
                    % {"number": case.number},
                )
                return redirect("portal:my_case", number=case.number)
        kept_now = (
            _keep_chosen_files(request, applicant, form, submit, draft_id)
            if _has_field_errors(form)
            else None
        )
        if kept_now is not None:
            draft_id, kept = kept_now.pk, draft_files(kept_now)
        if _has_field_errors(form):
            top_errors.append(
                _("申请未提交：请按提示修改标红的项目。已选择的文件已保存在草稿中，无需重新选择。")
                if kept_now is not None
                else _("申请未提交：请按提示修改标红的项目。")
            )
        values = form.values() if hasattr(form, "cleaned_data") else {}
        idempotency_key = form.data.get("idempotency_key", "")[:128]
    else:
        values = {f.key: v for f in form_fields if (v := _prefill(applicant).get(f.key))}
        idempotency_key = ""
        if draft is not None:
            values |= {f.key: v for f in form_fields if (v := draft.form_data.get(f.key))}
        elif draft_id is not None:
            messages.info(request, _("草稿不存在，或已提交、已删除。"))
            draft_id = None
    top_errors.extend(_top_errors(form))
    fields = [_Field(f, values.get(f.key), form.error_of(FORM_PREFIX + f.key)) for f in form_fields]
    materials_ui = [
        _Material(
            m,
            form.error_of(FILE_PREFIX + m.key),
            form.data.get(COMMIT_PREFIX + m.key) == "on",
            kept.get(m.key),
            offers.get(m.key),
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
            "commitment_text": commitment_text,
            "applicant": applicant,
            "draft_id": draft_id,
            "upload_accept": upload_accept(),
            "upload_max_bytes": upload_max_bytes(),
        },
    )


def _keep_chosen_files(
    request: HttpRequest,
    applicant: Applicant,
    form: ApplyForm,
    submit: dict[str, Any],
    draft_id: int | None,
) -> Case | None:
    """A submission refused for mistakes at its fields keeps the files that passed their
    checks, as a draft does.

    Returns the draft now holding them (created if the page had none), or None when no
    file was chosen or the draft cannot be saved (the page then asks for the files again).
    """
    if not hasattr(form, "cleaned_data"):
        return None
    files = form.chosen_files()
    if not files:
        return None
    try:
        return case_draft_save(
            created_by=request.user,
            applicant=applicant,
            form_data=form.values(),
            channel=Channel.ONLINE,
            draft_id=draft_id,
            files=files,
            **submit,
        )
    except DomainError:
        return None


def _has_field_errors(form: ApplyForm) -> bool:
    """A mistake shown at a field or a material (the page says so at the top)."""
    return any(name.startswith((FORM_PREFIX, FILE_PREFIX)) for name in form.errors)


def _top_errors(form: ApplyForm) -> list[str]:
    """Mistakes no field of the page shows: the idempotency key, the draft, the rest."""
    return [
        str(message)
        for name, messages_ in form.errors.items()
        if not name.startswith((FORM_PREFIX, FILE_PREFIX))
        for message in messages_
    ]


def _draft_id(request: HttpRequest) -> int | None:
    """The draft this page works on (``draft`` in the query or the posted form), if any."""
    raw = request.POST.get("draft") or request.GET.get("draft") or ""
    return int(raw) if raw.isdigit() else None


def _own_draft(request: HttpRequest, draft_id: int | None) -> Case | None:
    """The user's draft with this id; None without one, or when it is gone."""
    if draft_id is None:
        return None
    try:
        return draft_get(user=request.user, draft_id=draft_id)
    except NotFound:
        return None


def _draft_url(request: HttpRequest, context: dict[str, Any], draft_id: int) -> str:
    """This page reopened on the draft: the situation answers, then the draft's id."""
    guide = context.get("guide")
    query = f"{guide.query}&" if guide is not None and guide.query else ""
    return f"{request.path}?{query}draft={draft_id}"
