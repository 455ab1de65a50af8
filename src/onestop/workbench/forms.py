"""The forms of the staff desks: each parses one POST into what its service takes.

Forms check shapes only (a date is a date, a number a number, a key one the page offered);
every rule of the case engine stays in its service. A service's ``DomainError`` is put back
on the form with :meth:`DeskForm.add_domain_error`, at the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ApplicantKind
from onestop.cases.services import MaterialInput
from onestop.cases.states import IdentityCheck, PauseKind
from onestop.core.errors import DomainError
from onestop.core.identifiers import (
    PROVINCE_CODES,
    normalize_identifier,
    validate_resident_id,
    validate_uscc,
)

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


class DeskForm(forms.Form):
    """A form that also carries the service's refusal, by the field the service names."""

    # service field name → form field name, where they differ
    service_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # {service field or "top": message}, for parts of the page outside the form (the
        # materials table shows a message at its row).
        self.domain_errors: dict[str, str] = {}

    def form_field_for(self, service_field: str | None) -> str | None:
        if not service_field:
            return None
        name = self.service_fields.get(service_field, service_field)
        return name if name in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        self.domain_errors[exc.field or "top"] = exc.message
        self.add_error(self.form_field_for(exc.field), exc.message)

    @property
    def top_errors(self) -> list[str]:
        return list(self.non_field_errors())

    def error_of(self, name: str) -> str:
        errors = self.errors.get(name)
        return str(errors[0]) if errors else ""


def _text(label: str = "", max_length: int = 2000, **kwargs: Any) -> forms.CharField:
    # Not required here: the service says what a missing text means, in its own words.
    return forms.CharField(label=label, required=False, max_length=max_length, **kwargs)


# ------------------------------------------------------------------------------ the window


class AcceptForm(DeskForm):
    """受理, with the 容缺 materials ticked and each one's supplement date (``due_<key>``)."""

    tolerated = forms.MultipleChoiceField(required=False, choices=())
    note = _text(max_length=500)

    def __init__(self, *args: Any, tolerable: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tolerable = list(tolerable)
        self.fields["tolerated"].choices = [(key, key) for key in self.tolerable]
        for key in self.tolerable:
            self.fields[self.due_name(key)] = forms.DateField(
                required=False,
                error_messages={"invalid": _("请填写有效的补交期限。")},
            )

    @staticmethod
    def due_name(key: str) -> str:
        return f"due_{key}"

    def form_field_for(self, service_field: str | None) -> str | None:
        if service_field and service_field.startswith(("tolerated.", "materials.")):
            name = self.due_name(service_field.split(".", 1)[1])
            return name if name in self.fields else None
        return super().form_field_for(service_field)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dates: dict[str, dt.date] = {}
        for key in cleaned.get("tolerated") or []:
            due = cleaned.get(self.due_name(key))
            if due is None:
                if self.due_name(key) not in self.errors:
                    self.add_error(self.due_name(key), _("请填写有效的补交期限。"))
                continue
            dates[key] = due
        cleaned["tolerated_dates"] = dates
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "tolerated": self.cleaned_data["tolerated_dates"],
            "note": self.cleaned_data["note"],
        }


class CorrectionForm(DeskForm):
    """一次性告知补正: every material to correct, one notice."""

    missing = forms.MultipleChoiceField(required=False, choices=())
    note = _text()

    def __init__(self, *args: Any, keys: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(key, key) for key in keys]

    def form_field_for(self, service_field: str | None) -> str | None:
        if service_field and service_field.startswith("materials"):
            return "missing"
        return super().form_field_for(service_field)

    def service_kwargs(self) -> dict[str, Any]:
        return {"missing": self.cleaned_data["missing"], "note": self.cleaned_data["note"]}


class RejectForm(DeskForm):
    reason = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class ReceivingCheckForm(DeskForm):
    """收件地's 形式审查 and 身份核验 of a case another region handles (异地代收代办)."""

    form_checked = forms.BooleanField(required=False)
    identity_checked = forms.BooleanField(required=False)
    identity_method = forms.ChoiceField(
        choices=IdentityCheck.choices, initial=IdentityCheck.ID_CARD_READER
    )
    note = _text(max_length=500)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "form_checked": self.cleaned_data["form_checked"],
            "identity_checked": self.cleaned_data["identity_checked"],
            "identity_method": self.cleaned_data["identity_method"],
            "note": self.cleaned_data["note"],
        }


class OriginalsForwardForm(DeskForm):
    """Post the paper originals to a handling region (one parcel per region)."""

    handling_region_code = forms.CharField(required=False, max_length=12)

    def service_kwargs(self) -> dict[str, Any]:
        return {"handling_region_code": self.cleaned_data["handling_region_code"]}


class PreReviewForm(DeskForm):
    note = _text(max_length=500)

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"]}


class VerifyOriginalsForm(DeskForm):
    """核验原件: the materials whose paper originals the clerk has seen at the window."""

    keys = forms.MultipleChoiceField(
        required=True, choices=(), error_messages={"required": _("请勾选已核验原件的材料。")}
    )

    def __init__(self, *args: Any, keys: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(key, key) for key in keys]

    def form_field_for(self, service_field: str | None) -> str | None:
        if service_field and service_field.startswith("materials"):
            return "keys"
        return super().form_field_for(service_field)

    def service_kwargs(self) -> dict[str, Any]:
        return {"keys": self.cleaned_data["keys"]}


class HandOutForm(DeskForm):
    note = _text(max_length=500)

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"]}


# --------------------------------------------------------------------------- the inbox


class ClaimForm(DeskForm):
    def service_kwargs(self) -> dict[str, Any]:
        return {}


class OpinionForm(DeskForm):
    """通过 / 不予许可 with the officer's opinion (the service requires one to deny)."""

    opinion = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"opinion": self.cleaned_data["opinion"]}


class ReturnForm(DeskForm):
    reason = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class PauseForm(DeskForm):
    kind = forms.ChoiceField(choices=PauseKind.choices, required=False)
    reason = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"kind": self.cleaned_data["kind"], "reason": self.cleaned_data["reason"]}


class ResumeForm(DeskForm):
    result = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"]}


class ExtendForm(DeskForm):
    days = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": _("延长的工作日数须为正整数。"),
            "invalid": _("延长的工作日数须为正整数。"),
            "min_value": _("延长的工作日数须为正整数。"),
        },
    )
    reason = _text()

    def service_kwargs(self) -> dict[str, Any]:
        return {"days": self.cleaned_data["days"], "reason": self.cleaned_data["reason"]}


# --------------------------------------------------------------------------------- intake


class FindForm(DeskForm):
    """Find the applicant by a well-formed number: a 居民身份证号码 (GB 11643) or a 统一社会信用
    代码 (GB 32100). The refusal names the rule that failed (``core.identifiers``), so a typo
    is corrected at the field instead of being offered for registration; ``kind`` says which
    register a number not found belongs in."""

    identifier = forms.CharField(
        max_length=32,
        strip=True,
        error_messages={"required": _("请填写身份证号码或统一社会信用代码。")},
    )

    def clean_identifier(self) -> str:
        value = normalize_identifier(self.cleaned_data["identifier"])
        try:
            validate_resident_id(value)
        except ValidationError as exc:
            id_error = exc
        else:
            self.kind = ApplicantKind.PERSON
            return value
        try:
            validate_uscc(value)
        except ValidationError as exc:
            uscc_error = exc
        else:
            self.kind = ApplicantKind.ENTERPRISE
            return value
        if len(value) != 18:
            raise ValidationError(
                _("身份证号码和统一社会信用代码都是18位，当前为%(n)d位。") % {"n": len(value)},
                code="identifier_length",
            )
        # 18 characters: an ID number is 17 digits and a check digit behind a province code;
        # anything else can only be meant as a credit code.
        looks_like_id = _ID_SHAPE.fullmatch(value) and value[:2] in PROVINCE_CODES
        raise id_error if looks_like_id else uscc_error


class RegisterForm(DeskForm):
    """现场登记 a person or an enterprise; the accounts services validate the identifiers."""

    kind = forms.ChoiceField(choices=ApplicantKind.choices, required=False)
    identifier = forms.CharField(max_length=32, required=False)
    name = _text(max_length=200)
    id_number = _text(max_length=32)
    uscc = _text(max_length=32)
    legal_representative = _text(max_length=100)
    legal_representative_id_number = _text(max_length=32)
    phone = _text(max_length=32)
    address = _text(max_length=255)

    @property
    def kind_value(self) -> str:
        if not self.is_bound:
            return str(self.initial.get("kind") or ApplicantKind.PERSON)
        self.is_valid()
        return self.cleaned_data.get("kind") or ApplicantKind.PERSON

    @property
    def is_enterprise(self) -> bool:
        return self.kind_value == ApplicantKind.ENTERPRISE

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        common = {"name": data["name"], "phone": data["phone"], "address": data["address"]}
        if self.is_enterprise:
            return {
                **common,
                "uscc": data["uscc"],
                "legal_representative": data["legal_representative"],
                "legal_representative_id_number": data["legal_representative_id_number"],
            }
        return {**common, "id_number": data["id_number"]}


class IntakeForm(DeskForm):
    """一表申请 at the window: the merged form (``f_<key>``), the materials taken in
    (``received_<key>``, ``commit_<key>``, ``scan_<key>``), the agent's authorisation and
    the idempotency key.

    What the clerk ticked is passed as it is: a received material with a scan is a file,
    with the commitment ticked a commitment, otherwise a paper original seen at the window.
    """

    FIELD = "f_"
    RECEIVED = "received_"
    COMMIT = "commit_"
    SCAN = "scan_"

    agent_authorisation = _text(max_length=255)
    # 帮代办: the applicant, present, confirms the authorisation to the agent (recorded then).
    agent_in_person = forms.BooleanField(required=False)
    idempotency_key = forms.CharField(max_length=128, required=False)

    def __init__(
        self,
        *args: Any,
        field_keys: Iterable[str] = (),
        material_keys: Iterable[str] = (),
        commitment_keys: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_keys = list(field_keys)
        self.material_keys = list(material_keys)
        self.commitment_keys = set(commitment_keys)
        for key in self.field_keys:
            self.fields[self.FIELD + key] = forms.CharField(required=False, max_length=2000)
        for key in self.material_keys:
            self.fields[self.RECEIVED + key] = forms.BooleanField(required=False)
            self.fields[self.SCAN + key] = forms.FileField(required=False)
            if key in self.commitment_keys:
                self.fields[self.COMMIT + key] = forms.BooleanField(required=False)

    def form_field_for(self, service_field: str | None) -> str | None:
        if service_field and service_field.startswith("form_data."):
            name = self.FIELD + service_field.split(".", 1)[1]
            return name if name in self.fields else None
        if service_field and service_field.startswith("materials."):
            name = self.RECEIVED + service_field.split(".", 1)[1]
            return name if name in self.fields else None
        return super().form_field_for(service_field)

    def form_data(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: v for k in self.field_keys if (v := data.get(self.FIELD + k, "")) != ""}

    def materials(self, *, commitment_text: str) -> list[MaterialInput]:
        """Each material ticked as received: a commitment (ticked), a scan, or else the paper
        original the clerk saw at the window."""
        data = self.cleaned_data
        given = []
        for key in self.material_keys:
            if not data.get(self.RECEIVED + key):
                continue
            scan = data.get(self.SCAN + key)
            if key in self.commitment_keys and data.get(self.COMMIT + key):
                given.append(MaterialInput(key=key, commitment=commitment_text))
            elif scan is not None:
                given.append(MaterialInput(key=key, file=scan))
            else:
                given.append(MaterialInput(key=key, original_seen=True))
        return given
