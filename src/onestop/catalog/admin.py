"""Catalogue admin for 事项管理员: items and packages with their versions, in Chinese.

Only drafts are editable: published and retired versions open read-only (Django's view
mode) and every save goes through ``onestop.catalog.services``, which refuse non-drafts too.
Actions: 新建草稿版本, 质量检查, 发布.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.accounts.admin_access import RoleAdminMixin
from onestop.accounts.roles import Permission
from onestop.catalog import checks, services
from onestop.catalog.conditions import condition_problems
from onestop.catalog.graph import find_cycle
from onestop.catalog.models import (
    FeeItem,
    FormField,
    HandlingForm,
    MaterialRequirement,
    Package,
    PackageDependency,
    PackageItem,
    PackageVersion,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
    SituationQuestion,
    VersionedModel,
    VersionStatus,
)
from onestop.core.errors import DomainError
from onestop.regions.models import Department

# ------------------------------------------------------------------------------- helpers


def _is_draft(obj: ServiceItemVersion | PackageVersion | None) -> bool:
    return obj is None or obj.status == VersionStatus.DRAFT


def _report(request: HttpRequest, subject: str, findings: list[checks.Finding]) -> None:
    if not findings:
        messages.success(request, gettext("%(subject)s：未发现问题") % {"subject": subject})
        return
    for f in findings:
        level = messages.ERROR if f.is_error else messages.WARNING
        label = checks.Severity(f.severity).label
        messages.add_message(
            request,
            level,
            gettext("%(subject)s：%(label)s [%(code)s] %(message)s")
            % {"subject": subject, "label": label, "code": f.code, "message": f.message},
        )


class ConditionFormMixin:
    """Refuse a structurally invalid condition at the form, before any save."""

    def clean_condition(self) -> Any:
        condition = self.cleaned_data.get("condition")  # type: ignore[attr-defined]
        problems = condition_problems(condition)
        if problems:
            raise forms.ValidationError("；".join(problems))
        return condition or None


class MaterialForm(ConditionFormMixin, forms.ModelForm):
    class Meta:
        model = MaterialRequirement
        fields = ("key", "name", "condition")


class PackageItemForm(ConditionFormMixin, forms.ModelForm):
    class Meta:
        model = PackageItem
        fields = ("item", "condition")


class FormFieldForm(ConditionFormMixin, forms.ModelForm):
    class Meta:
        model = FormField
        fields = ("key", "label", "condition")


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SituationQuestion
        fields = ("key", "text", "kind", "choices")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        probe = SituationQuestion(
            text=cleaned.get("text") or "",
            kind=cleaned.get("kind") or "",
            choices=cleaned.get("choices") or [],
        )
        problems = checks.question_problems(probe)
        if problems:
            raise forms.ValidationError("；".join(problems))
        return cleaned


class CatalogAccess(RoleAdminMixin):
    """事项管理员 maintain the catalog through the admin by their role."""

    staff_permission = Permission.CATALOG_EDIT


class DraftOnlyInline(CatalogAccess, admin.TabularInline):
    """Inline rows editable only while the parent version is a draft; saved via services."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class VersionAdminBase(CatalogAccess, admin.ModelAdmin):
    """Shared behaviour: read-only unless draft, no bulk delete, no direct add."""

    save_on_top = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are created from their item/package (新建草稿版本)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and _is_draft(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj: Any) -> str:
        colours = {"draft": "#b26a00", "published": "#1b7f3b", "retired": "#888"}
        return format_html(
            '<span style="color:{}">{}</span>', colours[obj.status], obj.get_status_display()
        )

    # Per model: the services behind the three actions below.
    def version_create_draft(self, version: Any) -> Any:
        raise NotImplementedError

    def version_check(self, version: Any) -> list[checks.Finding]:
        raise NotImplementedError

    def version_publish(self, version: Any, actor: Any) -> None:
        raise NotImplementedError

    @admin.action(description=_("新建草稿版本"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for version in queryset:
            try:
                draft = self.version_create_draft(version)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    gettext("%(name)s：已从 v%(version)s 新建草稿 v%(version2)s")
                    % {"name": version.name, "version": version.version, "version2": draft.version},
                )

    @admin.action(description=_("质量检查"))
    def run_check(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for version in queryset:
            _report(request, f"{version.name} v{version.version}", self.version_check(version))

    @admin.action(description=_("发布"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for version in queryset:
            try:
                self.version_publish(version, request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    gettext("%(name)s v%(version)s 已发布")
                    % {"name": version.name, "version": version.version},
                )


# ---------------------------------------------------------------------------------- items


class ServiceItemVersionForm(forms.ModelForm):
    handling_forms = forms.MultipleChoiceField(
        label=_("办理形式"),
        choices=HandlingForm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ServiceItemVersion
        fields = sorted(services.ITEM_VERSION_EDITABLE)


class MaterialInline(DraftOnlyInline):
    model = MaterialRequirement
    form = MaterialForm
    fields = (
        "order",
        "key",
        "name",
        "form",
        "copies",
        "necessity",
        "source",
        "licence_type",
        "condition",
        "blank_form",
        "sample",
        "notes",
    )


class StepInline(DraftOnlyInline):
    model = ProcessStep
    fields = (
        "order",
        "name",
        "handling_office",
        "limit_days",
        "limit_unit",
        "has_special_procedure",
        "special_procedure_note",
    )


class FeeInline(DraftOnlyInline):
    model = FeeItem
    fields = ("order", "name", "standard", "amount", "basis", "allows_reduction")


class VersionListInline(CatalogAccess, admin.TabularInline):
    """The versions of an item or package, read-only, each linking to its own page."""

    readonly_fields = ("version_link", "status", "published_at", "promised_days")
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("版本")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("版本"))
    def version_link(self, obj: VersionedModel) -> str:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        return format_html('<a href="{}">v{} {}</a>', url, obj.version, obj.name)


class ItemVersionInline(VersionListInline):
    model = ServiceItemVersion
    fields = ("version_link", "status", "published_at", "promised_days", "department")
    readonly_fields = fields


class ServiceItemCreateForm(forms.ModelForm):
    department = forms.ModelChoiceField(
        label=_("实施主体"), queryset=Department.objects.filter(is_active=True)
    )

    class Meta:
        model = ServiceItem
        fields = ("basic_code", "name")


class IdentityAdminBase(CatalogAccess, admin.ModelAdmin):
    """An item or package identity: created with its first draft, never deleted; its
    content lives in versions (action 新建草稿版本)."""

    code_field: str
    owner_field: str  # the department chosen when creating (实施主体 / 牵头部门)
    create_form: type[forms.ModelForm]
    actions = ("create_draft",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        published = self.model.versions.rel.related_model.objects.filter(
            **{self.model.versions.rel.field.name: OuterRef("pk")}, status=VersionStatus.PUBLISHED
        )
        return (
            super()
            .get_queryset(request)
            .annotate(published_version=Subquery(published.values("version")[:1]))
        )

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.inlines

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.create_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        identity = (self.code_field, "name")
        return (*identity, self.owner_field) if obj is None else identity

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The identity is fixed; its name follows the published version.
        return () if obj is None else (self.code_field, "name")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def create(self, data: dict[str, Any]) -> int:
        """Create the identity with its first draft through the service; return its pk."""
        raise NotImplementedError

    def create_draft_of(self, identity: Any) -> Any:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        obj.pk = self.create(form.cleaned_data)
        messages.info(request, gettext("已创建草稿版本 v1，请在版本页面完善内容后发布。"))

    @admin.display(description=_("当前发布版本"), ordering="published_version")
    def current_version(self, obj: Any) -> str:
        return f"v{obj.published_version}" if obj.published_version else "—"

    @admin.action(description=_("新建草稿版本"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for identity in queryset:
            try:
                draft = self.create_draft_of(identity)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    gettext("%(name)s：已新建草稿 v%(version)s")
                    % {"name": identity.name, "version": draft.version},
                )


@admin.register(ServiceItem)
class ServiceItemAdmin(IdentityAdminBase):
    list_display = ("basic_code", "name", "current_version")
    search_fields = ("basic_code", "name")
    inlines = (ItemVersionInline,)
    code_field = "basic_code"
    owner_field = "department"
    create_form = ServiceItemCreateForm

    def create(self, data: dict[str, Any]) -> int:
        return services.item_create(
            basic_code=data["basic_code"], name=data["name"], department=data["department"]
        ).item_id

    def create_draft_of(self, identity: ServiceItem) -> ServiceItemVersion:
        return services.item_version_create_draft(item=identity)


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(VersionAdminBase):
    form = ServiceItemVersionForm
    list_display = (
        "name",
        "basic_code",
        "version",
        "status_badge",
        "department",
        "item_type",
        "online_depth",
        "promised_days",
        "published_at",
    )
    list_filter = ("status", "item_type", "online_depth", "case_type", "department")
    search_fields = ("name", "item__basic_code", "implementation_code", "handling_item_code")
    list_select_related = ("item", "department")
    inlines = (MaterialInline, StepInline, FeeInline)
    actions = ("create_draft", "run_check", "publish")
    readonly_fields = ("item", "version", "status", "published_at", "published_by", "retired_at")
    fieldsets = (
        (
            _("版本"),
            {"fields": ("item", "version", "status", "published_at", "published_by", "retired_at")},
        ),
        (
            _("基本信息"),
            {
                "fields": (
                    "name",
                    "implementation_code",
                    "handling_item_code",
                    "item_type",
                    "exercise_level",
                    "department",
                    "service_object",
                    "legal_basis",
                )
            },
        ),
        (
            _("时限"),
            {
                "fields": (
                    ("legal_limit", "legal_limit_unit"),
                    ("promised_days", "promised_unit"),
                    "case_type",
                )
            },
        ),
        (
            _("办理"),
            {
                "fields": (
                    "conditions",
                    ("visits", "online_depth"),
                    "visit_reason",
                    "handling_forms",
                    "cross_domain_scope",
                    ("supports_appointment", "supports_postal_delivery", "supports_material_mail"),
                )
            },
        ),
        (_("收费"), {"fields": ("has_fee", "fee_basis", "supports_online_payment")}),
        (
            _("办事指南"),
            {
                "fields": (
                    "place",
                    "office_hours",
                    ("consultation_phone", "complaint_phone"),
                    "result_name",
                    "result_delivery",
                    "commitment_text",
                )
            },
        ),
    )

    @admin.display(description=_("基本编码"), ordering="item__basic_code")
    def basic_code(self, obj: ServiceItemVersion) -> str:
        return obj.item.basic_code

    def save_model(
        self, request: HttpRequest, obj: ServiceItemVersion, form: Any, change: bool
    ) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.item_version_update(version=obj, **fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.item_version_child_delete(obj=obj)
        changed = {f.instance: f.changed_data for f in formset.forms}
        for obj in instances:
            services.item_version_child_save(obj=obj, changed=changed.get(obj))
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: ServiceItemVersion) -> None:
        services.item_version_delete_draft(version=obj)

    def version_create_draft(self, version: ServiceItemVersion) -> ServiceItemVersion:
        return services.item_version_create_draft(item=version.item, from_version=version)

    def version_check(self, version: ServiceItemVersion) -> list[checks.Finding]:
        return checks.item_version_check(version)

    def version_publish(self, version: ServiceItemVersion, actor: Any) -> None:
        services.item_version_publish(version=version, actor=actor)


# ------------------------------------------------------------------------------- packages


class DependencyFormSet(BaseInlineFormSet):
    """Refuse a set of dependencies that would form a cycle, naming it."""

    def clean(self) -> None:
        super().clean()
        edges: list[tuple[PackageItem, PackageItem]] = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            before, after = form.cleaned_data.get("before"), form.cleaned_data.get("after")
            if before is None or after is None:
                continue
            if before.package_version_id != self.instance.pk or (
                after.package_version_id != self.instance.pk
            ):
                raise forms.ValidationError(gettext("前置关系的事项必须属于本一件事版本"))
            if before == after:
                raise forms.ValidationError(
                    gettext("事项不能以自身为前置：%(name)s") % {"name": before.item.name}
                )
            edges.append((before, after))
        cycle = find_cycle([], edges)
        if cycle:
            raise forms.ValidationError(
                gettext("前置关系形成循环：%(cycle)s")
                % {"cycle": " → ".join(pi.item.name for pi in cycle)}
            )


class PackageItemInline(DraftOnlyInline):
    model = PackageItem
    form = PackageItemForm
    fields = ("order", "item", "condition", "handling_note", "routing_rule")
    autocomplete_fields = ("item",)


class DependencyInline(DraftOnlyInline):
    model = PackageDependency
    formset = DependencyFormSet
    fk_name = "package_version"
    fields = ("before", "after")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in {"before", "after"}:
            version_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = PackageItem.objects.filter(
                package_version_id=version_id
            ).select_related("item")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QuestionInline(DraftOnlyInline):
    model = SituationQuestion
    form = QuestionForm
    fields = ("order", "key", "text", "kind", "choices", "unit", "help_text")


class FormFieldInline(DraftOnlyInline):
    model = FormField
    form = FormFieldForm
    fields = (
        "order",
        "key",
        "label",
        "kind",
        "required",
        "choices",
        "max_length",
        "items",
        "condition",
    )

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "items":
            version_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = PackageItem.objects.filter(
                package_version_id=version_id
            ).select_related("item")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PackageVersionInline(VersionListInline):
    model = PackageVersion
    fields = ("version_link", "status", "published_at", "promised_days", "lead_department")
    readonly_fields = fields


class PackageCreateForm(forms.ModelForm):
    lead_department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.filter(is_active=True)
    )

    class Meta:
        model = Package
        fields = ("code", "name")


@admin.register(Package)
class PackageAdmin(IdentityAdminBase):
    list_display = ("code", "name", "current_version")
    search_fields = ("code", "name")
    inlines = (PackageVersionInline,)
    code_field = "code"
    owner_field = "lead_department"
    create_form = PackageCreateForm

    def create(self, data: dict[str, Any]) -> int:
        return services.package_create(
            code=data["code"], name=data["name"], lead_department=data["lead_department"]
        ).package_id

    def create_draft_of(self, identity: Package) -> PackageVersion:
        return services.package_version_create_draft(package=identity)


@admin.register(PackageVersion)
class PackageVersionAdmin(VersionAdminBase):
    list_display = (
        "name",
        "code",
        "version",
        "status_badge",
        "lead_department",
        "life_event",
        "promised_days",
        "published_at",
    )
    list_filter = (
        "status",
        "subject_kind",
        "life_event",
        "is_policy_package",
        "village_class",
        "lead_department",
    )
    search_fields = ("name", "package__code", "keywords")
    list_select_related = ("package", "lead_department")
    inlines = (QuestionInline, PackageItemInline, DependencyInline, FormFieldInline)
    actions = ("create_draft", "run_check", "publish")
    readonly_fields = ("package", "version", "status", "published_at", "published_by", "retired_at")
    fieldsets = (
        (
            _("版本"),
            {
                "fields": (
                    "package",
                    "version",
                    "status",
                    "published_at",
                    "published_by",
                    "retired_at",
                )
            },
        ),
        (
            _("基本信息"),
            {
                "fields": (
                    "name",
                    "summary",
                    "subject_kind",
                    "lead_department",
                    ("promised_days", "promised_unit"),
                    "sla_days",
                    ("village_class", "promised_minutes"),
                    "life_event",
                    "keywords",
                    "is_policy_package",
                    "commitment_text",
                )
            },
        ),
        (_("跨域通办"), {"fields": ("routing_rule", "online_receiving_rule")}),
    )

    @admin.display(description=_("编码"), ordering="package__code")
    def code(self, obj: PackageVersion) -> str:
        return obj.package.code

    def save_model(
        self, request: HttpRequest, obj: PackageVersion, form: Any, change: bool
    ) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.package_version_update(version=obj, **fields)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.package_version_child_delete(obj=obj)
        changed = {f.instance: f.changed_data for f in formset.forms}
        for obj in instances:
            if isinstance(obj, PackageDependency):
                if obj.pk is None:
                    services.package_dependency_add(
                        package_version=obj.package_version, before=obj.before, after=obj.after
                    )
                else:  # an edited edge: remove and re-add so the cycle check runs
                    services.package_version_child_delete(
                        obj=PackageDependency.objects.get(pk=obj.pk)
                    )
                    services.package_dependency_add(
                        package_version=obj.package_version, before=obj.before, after=obj.after
                    )
            else:
                services.package_version_child_save(obj=obj, changed=changed.get(obj))
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: PackageVersion) -> None:
        services.package_version_delete_draft(version=obj)

    def version_create_draft(self, version: PackageVersion) -> PackageVersion:
        return services.package_version_create_draft(package=version.package, from_version=version)

    def version_check(self, version: PackageVersion) -> list[checks.Finding]:
        return checks.package_version_check(version)

    def version_publish(self, version: PackageVersion, actor: Any) -> None:
        services.package_version_publish(version=version, actor=actor)
