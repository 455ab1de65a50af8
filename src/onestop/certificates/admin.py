"""Admin of certificates: seals and certificates are read-only here (they change through the
services: keys, signatures and states must stay consistent); private keys are never shown,
only the name of the file that holds one. Result templates are plain configuration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.accounts.selectors import staff_get_for_user
from onestop.certificates import services
from onestop.certificates.models import (
    Certificate,
    CertificateEvent,
    ResultTemplate,
    Seal,
    SealAuthorisation,
    SealPlaceAuthorisation,
)
from onestop.core import clock
from onestop.core.errors import DomainError, ValidationFailed


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Seal)
class SealAdmin(_ReadOnly):
    list_display = ["name", "department", "kind", "valid_from", "valid_to", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "owner_uscc", "es_id"]
    exclude = ["sm2_certificate"]


@admin.register(SealAuthorisation)
class SealAuthorisationAdmin(_ReadOnly):
    list_display = ["staff", "seal", "item_code", "valid_from", "valid_to", "revoked_at"]
    search_fields = ["staff__name", "seal__name", "item_code"]


class SealPlaceAuthorisationForm(forms.ModelForm):
    class Meta:
        model = SealPlaceAuthorisation
        fields = ["seal", "hall", "item_code", "document_number", "valid_from", "valid_to"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        seal, hall = data.get("seal"), data.get("hall")
        if seal is not None and hall is not None and data.get("valid_from"):
            try:
                services.seal_place_authorisation_validate(
                    seal=seal,
                    hall=hall,
                    document_number=data.get("document_number", ""),
                    valid_from=data["valid_from"],
                    valid_to=data.get("valid_to"),
                )
            except ValidationFailed as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(SealPlaceAuthorisation)
class SealPlaceAuthorisationAdmin(admin.ModelAdmin):
    """Grants are added here (through ``seal_place_authorise``) and withdrawn by the action;
    a grant is never edited (a new period or scope is a new grant with its own document)."""

    form = SealPlaceAuthorisationForm
    list_display = [
        "hall",
        "seal",
        "item_code",
        "document_number",
        "valid_from",
        "valid_to",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["hall__name", "seal__name", "item_code", "document_number"]
    autocomplete_fields = ["hall"]
    actions = ["revoke"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"valid_from": clock.today()}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*SealPlaceAuthorisationForm.Meta.fields, "granted_by", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: SealPlaceAuthorisation, form: Any, change: bool
    ) -> None:
        if change:
            return  # read-only once granted
        grant = services.seal_place_authorise(
            seal_id=obj.seal_id,
            hall_id=obj.hall_id,
            item_code=obj.item_code,
            document_number=obj.document_number,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            granted_by=staff_get_for_user(request.user),
        )
        obj.pk, obj.created_at, obj.updated_at = grant.pk, grant.created_at, grant.updated_at

    @admin.action(description=_("撤回所选用章授权"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[SealPlaceAuthorisation]) -> None:
        try:
            for grant in queryset:
                services.seal_place_authorisation_revoke(
                    authorisation_id=grant.pk, actor=staff_get_for_user(request.user)
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("已撤回所选用章授权。"), messages.SUCCESS)


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    list_display = ["item_code", "kind", "title", "type_code", "valid_years"]
    search_fields = ["item_code", "title"]


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_state", "to_state", "at", "actor", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    list_display = ["identifier", "title", "issuer", "state", "issued_at"]
    list_filter = ["state", "kind"]
    search_fields = ["identifier", "title"]
    exclude = ["sm2_signature", "verify_token"]
    inlines = [CertificateEventInline]
