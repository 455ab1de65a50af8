"""Admin of certificates: seals and certificates are read-only here (they change through the
services: keys, signatures and states must stay consistent); private keys are never shown,
only the name of the file that holds one. Result templates are plain configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onestop.certificates.models import (
    Certificate,
    CertificateEvent,
    ResultTemplate,
    Seal,
    SealAuthorisation,
)


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
