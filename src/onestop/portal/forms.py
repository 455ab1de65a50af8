"""The forms of the applicant portal: each parses one POST into what its case service takes.

One naming scheme for every page that takes materials: ``f-<key>`` a field of the merged
form, ``m-<key>`` a material's file, ``c-<key>`` its 告知承诺 ticked (situation answers keep
the guide's ``a-<key>``). Forms check shapes and run the engine's own per-field checks (so
every mistake shows at once); the rules themselves stay in the case services, whose
``DomainError`` is put back on the form at the field it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseMaterial
from onestop.cases.services import MaterialInput
from onestop.cases.services.formdata import form_data_clean
from onestop.cases.services.materials import material_input_check, materials_unsatisfied
from onestop.catalog.models import FormField, MaterialNecessity
from onestop.catalog.selectors import MergedMaterial
from onestop.core.errors import DomainError, ValidationFailed

FORM_PREFIX = "f-"
FILE_PREFIX = "m-"
COMMIT_PREFIX = "c-"
# The button pressed: submit the application, or keep it as a draft (保存草稿).
INTENT_SUBMIT = "submit"
INTENT_DRAFT = "draft"


def without_label(message: str, label: str) -> str:
    """“企业名称”：此项为必填项。 → 此项为必填项。 (the label is right above the message)."""
    prefix = f"“{label}”："
    return message[len(prefix) :] if message.startswith(prefix) else message


class PortalForm(forms.Form):
    """A form that also carries a service's refusal at the field the service names."""

    def service_field_name(self, service_field: str) -> str | None:
        """The form field for a service's ``form_data.<key>`` / ``materials.<key>``."""
        if service_field.startswith("form_data."):
            name = FORM_PREFIX + service_field.split(".", 1)[1]
        elif service_field.startswith("materials."):
            name = FILE_PREFIX + service_field.split(".", 1)[1]
        else:
            name = service_field
        return name if name in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        name = self.service_field_name(exc.field) if exc.field else None
        self.add_error(name, exc.message)

    def error_of(self, name: str) -> str:
        errors = self.errors.get(name)
        return str(errors[0]) if errors else ""


class ApplyForm(PortalForm):
    """一表申请: the merged form's fields, each material's file or commitment, the idempotency
    key and the draft it continues."""

    idempotency_key = forms.CharField(max_length=128, required=False)
    draft = forms.IntegerField(required=False, min_value=1)
    intent = forms.ChoiceField(choices=[("submit", "submit"), ("draft", "draft")], required=False)

    def __init__(
        self,
        *args: Any,
        form_fields: Iterable[FormField] = (),
        materials: Iterable[MergedMaterial] = (),
        kept: Mapping[str, CaseMaterial] | None = None,
        commitment_text: str = "",
        licences: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.form_fields = list(form_fields)
        materials = list(materials)
        # 数据跑路: material key → the e-licence identifier from the applicant's wallet that
        # stands for it (computed by the view from the applicant's own certificates, never
        # read from the request); such a material takes no upload.
        self.licences = {m.key: licences[m.key] for m in materials if m.key in (licences or {})}
        self.materials = [
            m for m in materials if not m.is_held_by_government and m.key not in self.licences
        ]
        self.kept = dict(kept or {})
        self.commitment_text = commitment_text
        for f in self.form_fields:
            self.fields[FORM_PREFIX + f.key] = forms.CharField(required=False, strip=True)
        for m in self.materials:
            self.fields[FILE_PREFIX + m.key] = forms.FileField(required=False)
            if m.necessity == MaterialNecessity.COMMITMENT:
                self.fields[COMMIT_PREFIX + m.key] = forms.BooleanField(required=False)

    @property
    def is_draft(self) -> bool:
        return self.data.get("intent") == INTENT_DRAFT

    def values(self) -> dict[str, str]:
        """What was typed into the merged form, by field key (after ``is_valid``)."""
        data = getattr(self, "cleaned_data", {})
        return {f.key: data.get(FORM_PREFIX + f.key, "") or "" for f in self.form_fields}

    def chosen_files(self) -> list[MaterialInput]:
        """The files chosen (what a draft keeps)."""
        data = self.cleaned_data
        return [
            MaterialInput(key=m.key, file=upload)
            for m in self.materials
            if (upload := data.get(FILE_PREFIX + m.key)) is not None
        ]

    def material_inputs(self) -> list[MaterialInput]:
        """What the applicant gave for each material: a file, or the commitment ticked.

        A material with neither is left out (a draft's kept file is carried over by the
        service); whether it may be missing is the service's decision.
        """
        data = self.cleaned_data
        given = [
            MaterialInput(key=key, licence_reference=identifier)
            for key, identifier in self.licences.items()
        ]
        for m in self.materials:
            upload = data.get(FILE_PREFIX + m.key)
            if upload is not None:
                given.append(MaterialInput(key=m.key, file=upload))
            elif data.get(COMMIT_PREFIX + m.key):
                given.append(MaterialInput(key=m.key, commitment=self.commitment_text))
        return given

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_draft:
            return cleaned  # a draft keeps what was typed, without the checks
        # The engine's own per-field checks, field by field, so all mistakes show at once.
        for f in self.form_fields:
            name = FORM_PREFIX + f.key
            try:
                form_data_clean([f], {f.key: cleaned.get(name, "")})
            except ValidationFailed as exc:
                self.add_error(name, without_label(exc.message, f.label))
        by_key = {m.key: m for m in self.materials}
        for given in self.material_inputs():
            m = by_key.get(given.key)
            if m is None:  # a licence from the wallet: the engine checks it
                continue
            try:
                material_input_check(given, name=m.name, necessity=m.necessity)
            except ValidationFailed as exc:
                self.add_error(FILE_PREFIX + m.key, exc.message)
        given = {g.key for g in self.material_inputs()} | set(self.kept)
        for error in materials_unsatisfied(self.materials, given):
            name = FILE_PREFIX + (error.field or "").split(".", 1)[-1]
            if name not in self.errors:
                self.add_error(name, error.message)
        return cleaned


class SupplementForm(PortalForm):
    """补正: a file (or the commitment, where allowed) for each material the notice listed."""

    def __init__(
        self,
        *args: Any,
        materials: Iterable[CaseMaterial] = (),
        commitment_text: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.materials = list(materials)
        self.commitment_text = commitment_text
        for m in self.materials:
            self.fields[FILE_PREFIX + m.key] = forms.FileField(required=False)
            if m.necessity == MaterialNecessity.COMMITMENT:
                self.fields[COMMIT_PREFIX + m.key] = forms.BooleanField(required=False)

    def material_inputs(self) -> list[MaterialInput]:
        data = self.cleaned_data
        given = []
        for m in self.materials:
            upload = data.get(FILE_PREFIX + m.key)
            if upload is not None:
                given.append(MaterialInput(key=m.key, file=upload))
            elif data.get(COMMIT_PREFIX + m.key):
                given.append(MaterialInput(key=m.key, commitment=self.commitment_text))
        return given


class SupplyForm(PortalForm):
    """补交容缺材料: the file for one tolerated material."""

    def __init__(self, *args: Any, key: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key = key
        self.fields[FILE_PREFIX + key] = forms.FileField(
            error_messages={"required": _("请选择要补交的文件。")}
        )

    def material_input(self) -> MaterialInput:
        return MaterialInput(key=self.key, file=self.cleaned_data[FILE_PREFIX + self.key])


class WithdrawForm(PortalForm):
    """撤回申请, once the applicant ticked the confirmation."""

    reason = forms.CharField(required=False)
    confirm = forms.BooleanField(error_messages={"required": _("请勾选确认后再撤回。")})


class AgentGrantForm(PortalForm):
    """我的代办授权: online consent to the agent who gave the applicant their 工号 or phone,
    for all items or listed packages, until a date (a year if left empty)."""

    agent_code = forms.CharField(label=_("帮代办员工号或手机号"), max_length=64)
    all_items = forms.BooleanField(label=_("全部事项"), required=False)
    packages = forms.MultipleChoiceField(
        label=_("授权办理的一件事"), required=False, widget=forms.CheckboxSelectMultiple
    )
    valid_until = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, package_choices: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["packages"].choices = list(package_choices)
