"""Admin for logins, staff and applicants.

One write path: staff and applicants are created and changed through
``accounts.services``; the forms run the same validators first, so a refusal appears next
to its field. Staff are never deleted here (history points at them): they are taken off
duty with the “停用” action.

Personal data: the staff and applicant lists show ID numbers and phones masked
(``core.masking``). On an applicant's page only a superuser sees the full ID numbers and
phone (needed to correct a record); any other admin user sees them masked and read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.accounts import services
from onestop.accounts.models import Applicant, ApplicantKind, PersonalDataRead, Staff, User
from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import normalize_identifier, normalize_phone
from onestop.core.masking import mask_id_number, mask_phone
from onestop.regions.admin import add_domain_error, adopt, relax_length

admin.site.register(User, UserAdmin)


# --- staff -------------------------------------------------------------------------------


class StaffChangeForm(forms.ModelForm):
    """Role and scope rules run in ``Staff.clean`` (the same ``validate_staff`` the service runs)."""

    class Meta:
        model = Staff
        fields = ["name", "role", "region", "department", "hall", "phone", "is_designated"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relax_length(self, "phone")

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))


class StaffCreateForm(StaffChangeForm):
    username = forms.CharField(label=_("登录名"), max_length=150)
    password1 = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif data.get("username") and password1:
            try:
                services.user_validate(
                    username=data["username"].strip(),
                    password=password1,
                    name=data.get("name", ""),
                )
            except ValidationFailed as exc:
                if exc.field == "password":
                    self.add_error("password1", exc.message)
                else:
                    add_domain_error(self, exc)
        return data


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    form = StaffChangeForm
    add_form = StaffCreateForm
    list_display = [
        "name",
        "username",
        "role",
        "region",
        "department",
        "hall",
        "masked_phone",
        "is_designated",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_designated", "region__level"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["region", "department", "hall"]
    list_select_related = ["user", "region", "department", "hall"]
    actions = ["deactivate", "reactivate"]

    @admin.display(description=_("登录名"), ordering="user__username")
    def username(self, obj: Staff) -> str:
        return obj.user.username

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Staff) -> str:
        return mask_phone(obj.phone)

    def get_form(
        self, request: HttpRequest, obj: Staff | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Staff | None = None) -> Any:
        scope = ["name", "role", "region", "department", "hall", "phone", "is_designated"]
        if obj is None:
            return [
                (_("登录账号"), {"fields": ["username", "password1", "password2"]}),
                (_("岗位与管辖范围"), {"fields": scope}),
            ]
        return [
            (_("登录账号"), {"fields": ["user", "is_active"]}),
            (_("岗位与管辖范围"), {"fields": scope}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Staff | None = None) -> list[str]:
        return ["user", "is_active"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Staff | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        fields = {
            "name": obj.name,
            "role": obj.role,
            "region": obj.region,
            "department": obj.department,
            "hall": obj.hall,
            "phone": obj.phone,
            "is_designated": obj.is_designated,
        }
        if change:
            services.staff_update(staff=obj, **fields)
        else:
            adopt(
                obj,
                services.staff_create(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    **fields,
                ),
            )

    @admin.action(description=_("停用所选工作人员（离岗，不能再登录）"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        for staff in queryset:
            services.staff_deactivate(staff=staff)
        self.message_user(request, _("已停用所选工作人员。"), messages.SUCCESS)

    @admin.action(description=_("恢复所选工作人员在岗"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        for staff in queryset:
            services.staff_reactivate(staff=staff)
        self.message_user(request, _("已恢复所选工作人员在岗。"), messages.SUCCESS)


# --- applicants --------------------------------------------------------------------------

_IDENTIFIERS = ["id_number", "uscc", "legal_representative_id_number"]


class ApplicantCreateForm(forms.ModelForm):
    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "id_number",
            "uscc",
            "legal_representative",
            "legal_representative_id_number",
            "phone",
            "address",
            "region",
            "user",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relax_length(self, *_IDENTIFIERS, "phone")

    def clean_id_number(self) -> str:
        return normalize_identifier(self.cleaned_data.get("id_number", ""))

    def clean_uscc(self) -> str:
        return normalize_identifier(self.cleaned_data.get("uscc", ""))

    def clean_legal_representative_id_number(self) -> str:
        return normalize_identifier(self.cleaned_data.get("legal_representative_id_number", ""))

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            if data["kind"] == ApplicantKind.PERSON:
                services.applicant_validate_person(
                    name=data["name"], id_number=data["id_number"], phone=data["phone"]
                )
            else:
                services.applicant_validate_enterprise(
                    name=data["name"],
                    uscc=data["uscc"],
                    legal_representative=data["legal_representative"],
                    legal_representative_id_number=data["legal_representative_id_number"],
                    phone=data["phone"],
                )
        except ValidationFailed as exc:
            add_domain_error(self, exc)
        return data


class ApplicantChangeForm(forms.ModelForm):
    class Meta:
        model = Applicant
        fields = ["name", "legal_representative", "phone", "address", "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relax_length(self, "phone")

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    form = ApplicantChangeForm
    list_display = ["name", "kind", "masked_identifier", "masked_phone", "region", "created_at"]
    list_filter = ["kind"]
    # Exact matches only: the list never reveals a number the searcher did not already know.
    search_fields = ["name", "=id_number", "=uscc"]
    autocomplete_fields = ["region", "user"]
    list_select_related = ["region"]

    @admin.display(description=_("证件号码"))
    def masked_identifier(self, obj: Applicant) -> str:
        return obj.masked_identifier

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Applicant) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("居民身份证号码"))
    def masked_id_number(self, obj: Applicant) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("法定代表人身份证号码"))
    def masked_legal_representative_id_number(self, obj: Applicant) -> str:
        return mask_id_number(obj.legal_representative_id_number)

    def get_form(
        self,
        request: HttpRequest,
        obj: Applicant | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = ApplicantCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Applicant | None = None) -> list[str]:
        if obj is None:
            return list(ApplicantCreateForm.Meta.fields)
        shown = ["kind", "user", "name"]
        if request.user.is_superuser:
            shown += _IDENTIFIERS[:2] + ["legal_representative", _IDENTIFIERS[2], "phone"]
        else:
            shown += [
                "masked_id_number",
                "uscc",
                "legal_representative",
                "masked_legal_representative_id_number",
                "masked_phone",
            ]
        return [*shown, "address", "region", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Applicant | None = None) -> list[str]:
        if obj is None:
            return []
        always = ["kind", "user", "created_at", "updated_at", *_IDENTIFIERS]
        if request.user.is_superuser:
            return always
        return [
            *always,
            "masked_id_number",
            "masked_legal_representative_id_number",
            "masked_phone",
        ]

    def save_model(self, request: HttpRequest, obj: Applicant, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.applicant_update_contact(
                applicant=obj,
                name=obj.name,
                phone=data.get("phone", obj.phone),
                address=obj.address,
                region=obj.region,
                legal_representative=data.get("legal_representative"),
            )
            return
        common = {
            "name": data["name"],
            "phone": data["phone"],
            "user": data.get("user"),
            "address": data.get("address", ""),
            "region": data.get("region"),
        }
        if data["kind"] == ApplicantKind.PERSON:
            created = services.applicant_register_person(id_number=data["id_number"], **common)
        else:
            created = services.applicant_register_enterprise(
                uscc=data["uscc"],
                legal_representative=data["legal_representative"],
                legal_representative_id_number=data["legal_representative_id_number"],
                **common,
            )
        adopt(obj, created)


@admin.register(PersonalDataRead)
class PersonalDataReadAdmin(admin.ModelAdmin):
    """The audit trail of staff reading personal data: searchable, never edited."""

    list_display = ["at", "staff", "applicant_masked", "kind", "case_number", "address"]
    list_filter = ["kind"]
    search_fields = ["case_number", "staff__name"]
    date_hierarchy = "at"
    list_select_related = ["staff", "applicant"]

    @admin.display(description=_("申请人"))
    def applicant_masked(self, obj: PersonalDataRead) -> str:
        return f"{obj.applicant.name} {obj.applicant.masked_identifier}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
