"""Admin for regions, departments, halls and windows.

One write path: every save goes through ``regions.services``; the forms run the same
validators first so that a refusal appears next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core import validators
from django.db.models import Count, Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import normalize_identifier
from onestop.regions import services
from onestop.regions.models import LEVEL_ORDER, Department, Hall, Region, RegionLevel, Window
from onestop.regions.validators import normalize_code, validate_department, validate_window


def adopt(obj: Model, created: Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service just created.

    The admin keeps using the object it built (for the redirect, the log entry and the
    inline formsets' foreign key), so it must become that row.
    """
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = created._state.db


def relax_length(form: forms.BaseForm, *names: str, max_length: int = 64) -> None:
    """Let identifiers typed with spaces or dashes through to the service, which strips them.

    “110105 19491231 002X” is 20 characters as typed and 18 as stored; the form's own
    length check would refuse it before the value is normalised.
    """
    for name in names:
        field = form.fields.get(name)
        if not isinstance(field, forms.CharField):
            continue
        field.max_length = max_length
        field.validators = [
            v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
        ]
        field.widget.attrs["maxlength"] = str(max_length)


def add_domain_error(form: forms.BaseForm, exc: ValidationFailed) -> None:
    """Show a service's refusal next to its field (or at the top when the form lacks it)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- regions -----------------------------------------------------------------------------


class RegionForm(forms.ModelForm):
    """Region rules are checked by ``Region.clean`` (the same ones ``region_create`` runs)."""

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_pilot"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relax_length(self, "code")

    def clean_code(self) -> str:
        return normalize_code(self.cleaned_data["code"])


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "tree_name", "level", "parent", "is_pilot"]
    list_display_links = ["code", "tree_name"]
    list_filter = ["level", "is_pilot"]
    search_fields = ["^code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    ordering = ["code"]
    list_per_page = 100

    @admin.display(description=_("名称"), ordering="code")
    def tree_name(self, obj: Region) -> str:
        # Ordered by code, a region follows its parent: indenting by level draws the tree.
        depth = LEVEL_ORDER.index(RegionLevel(obj.level))
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            depth * 1.5,
            "└ " if depth else "",
            obj.name,
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> list[str]:
        # A code, level or parent change would move a whole subtree and every case in it.
        return ["code", "level", "parent"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        if change:
            services.region_update(region=obj, name=obj.name, is_pilot=obj.is_pilot)
        else:
            adopt(
                obj,
                services.region_create(
                    code=obj.code,
                    name=obj.name,
                    level=obj.level,
                    parent=obj.parent,
                    is_pilot=obj.is_pilot,
                ),
            )


# --- departments -------------------------------------------------------------------------


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "kind", "uscc", "region", "phone", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relax_length(self, "uscc")

    def clean_uscc(self) -> str:
        return normalize_identifier(self.cleaned_data["uscc"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        region = data.get("region", self.instance.region if self.instance.pk else None)
        if "uscc" in data and data.get("name"):
            try:
                validate_department(
                    name=" ".join(data["name"].split()),
                    uscc=data["uscc"],
                    region=region,
                    instance_pk=self.instance.pk,
                )
            except ValidationFailed as exc:
                add_domain_error(self, exc)
        return data


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "short_name", "kind", "region", "uscc", "is_active"]
    list_filter = ["is_active", "region__level"]
    search_fields = ["name", "short_name", "=uscc", "kind"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]

    def get_readonly_fields(self, request: HttpRequest, obj: Department | None = None) -> list[str]:
        return ["region"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        fields = {
            "name": obj.name,
            "uscc": obj.uscc,
            "short_name": obj.short_name,
            "kind": obj.kind,
            "phone": obj.phone,
            "is_active": obj.is_active,
        }
        if change:
            services.department_update(department=obj, **fields)
        else:
            adopt(obj, services.department_create(region=obj.region, **fields))


# --- halls and windows -------------------------------------------------------------------


class WindowFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        hall = self.instance
        if getattr(hall, "region_id", None) is None:
            return  # the hall form has its own error
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data.get("number") or not data.get("name"):
                continue
            try:
                validate_window(
                    hall=hall,
                    number=data["number"].strip(),
                    name=data["name"],
                    kind=data.get("kind", ""),
                    department=data.get("department"),
                    instance_pk=form.instance.pk,
                )
            except ValidationFailed as exc:
                add_domain_error(form, exc)


class WindowInline(admin.TabularInline):
    model = Window
    formset = WindowFormSet
    fields = ["number", "name", "kind", "department"]
    autocomplete_fields = ["department"]
    extra = 1


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "window_count", "phone"]
    list_filter = ["kind", "region__level"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    fields = ["name", "kind", "region", "address", "opening_hours", "phone"]
    inlines = [WindowInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hall]:
        return super().get_queryset(request).annotate(_window_count=Count("windows"))

    @admin.display(description=_("窗口数"), ordering="_window_count")
    def window_count(self, obj: Hall) -> int:
        return obj._window_count

    def get_readonly_fields(self, request: HttpRequest, obj: Hall | None = None) -> list[str]:
        return ["region"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Hall, form: Any, change: bool) -> None:
        fields = {
            "name": obj.name,
            "kind": obj.kind,
            "address": obj.address,
            "opening_hours": obj.opening_hours,
            "phone": obj.phone,
        }
        if change:
            services.hall_update(hall=obj, **fields)
        else:
            adopt(obj, services.hall_create(region=obj.region, **fields))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Window:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for window_form in formset.deleted_forms:
            if window_form.instance.pk is not None:
                services.window_delete(window=window_form.instance)
                formset.deleted_objects.append(window_form.instance)
        for window_form in formset.forms:
            if window_form in formset.deleted_forms or not window_form.has_changed():
                continue
            data = window_form.cleaned_data
            fields = {
                "number": data["number"],
                "name": data["name"],
                "kind": data["kind"],
                "department": data.get("department"),
            }
            if window_form.instance.pk is not None:
                window = services.window_update(window=window_form.instance, **fields)
                formset.changed_objects.append((window, window_form.changed_data))
            else:
                window = services.window_create(hall=formset.instance, **fields)
                formset.new_objects.append(window)
