"""Every write to the catalogue. Only DRAFT versions change; publishing freezes a version.

Item and package versions follow DRAFT → PUBLISHED → RETIRED. Publishing runs the quality
checker (``checks``), refuses on any error, and retires the previously published version of
the same identity in the same transaction, under row locks, so at most one version is
published at a time (also a conditional unique constraint in the database).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.catalog import checks
from onestop.catalog.conditions import condition_require_valid
from onestop.catalog.errors import DependencyCycle, PublishRefused, VersionImmutable
from onestop.catalog.graph import find_path
from onestop.catalog.models import (
    FeeItem,
    FormField,
    MaterialRequirement,
    Package,
    PackageDependency,
    PackageItem,
    PackageVersion,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
    SituationQuestion,
    VersionStatus,
)
from onestop.catalog.selectors import package_question_specs
from onestop.core import clock
from onestop.core.errors import Conflict, IllegalTransition, ValidationFailed
from onestop.regions.models import Department

Version = ServiceItemVersion | PackageVersion

# Fields a draft may change through the update services (everything else is bookkeeping).
ITEM_VERSION_EDITABLE = frozenset(
    f.name
    for f in ServiceItemVersion._meta.concrete_fields
    if f.name
    not in {"id", "item", "version", "status", "published_at", "published_by", "retired_at"}
    and not f.name.endswith("_at")
)
PACKAGE_VERSION_EDITABLE = frozenset(
    f.name
    for f in PackageVersion._meta.concrete_fields
    if f.name
    not in {"id", "package", "version", "status", "published_at", "published_by", "retired_at"}
    and not f.name.endswith("_at")
)


# ---------------------------------------------------------------------------------- helpers


def _full_clean(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Model validation as a ``ValidationFailed`` naming the first bad field."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = field
        if field != "__all__":
            try:
                model_field = obj._meta.get_field(field)
            except FieldDoesNotExist:
                model_field = None
            if isinstance(model_field, models.Field):
                label = str(model_field.verbose_name)
            raise ValidationFailed(
                _("%(label)s：%(problem)s") % {"label": label, "problem": messages[0]}, field=field
            ) from exc
        raise ValidationFailed(messages[0]) from exc


def version_require_draft(version: Version) -> None:
    """Only a draft may change: a published or retired version is refused."""
    if version.status != VersionStatus.DRAFT:
        raise VersionImmutable(
            _("%(name)s v%(version)s %(status)s，不可修改；请新建草稿版本后修改。")
            % {
                "name": version.name,
                "version": version.version,
                "status": version.get_status_display(),
            }
        )


def _lock_item_version(version: ServiceItemVersion) -> ServiceItemVersion:
    locked = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    version_require_draft(locked)
    return locked


def _lock_package_version(version: PackageVersion) -> PackageVersion:
    locked = PackageVersion.objects.select_for_update().get(pk=version.pk)
    version_require_draft(locked)
    return locked


def _set_fields(obj: models.Model, fields: dict[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed_set = set(allowed)
    unknown = sorted(set(fields) - allowed_set)
    if unknown:
        raise ValidationFailed(
            _("不能修改字段：%(names)s") % {"names": "、".join(unknown)}, field=unknown[0]
        )
    for name, value in fields.items():
        setattr(obj, name, value)
    return list(fields)


def _next_order(manager: models.Manager) -> int:
    return (manager.aggregate(m=Max("order"))["m"] or 0) + 10


def _fields_of(model: type[models.Model], *, skip: set[str]) -> list[str]:
    return [
        f.attname for f in model._meta.concrete_fields if f.name not in skip and not f.primary_key
    ]


# What a new draft does not copy from its source version.
_VERSION_META = {"version", "status", "published_at", "published_by", "retired_at"}
_VERSION_META |= {"created_at", "updated_at"}


def _draft_next(
    *, identity: ServiceItem | Package, parent: str, from_version: Any, what: str
) -> tuple[Any, Any]:
    """Lock the identity, refuse a second draft, and create the next version as a copy of
    ``from_version`` (default: the published one, else the latest). Returns (source, draft)."""
    identity = type(identity).objects.select_for_update().get(pk=identity.pk)
    versions = identity.versions
    existing = versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        raise Conflict(
            _("%(name)s 已有草稿版本 v%(version)s，请直接修改该草稿。")
            % {"name": identity.name, "version": existing.version}
        )
    if from_version is None:
        from_version = (
            versions.filter(status=VersionStatus.PUBLISHED).first()
            or versions.order_by("-version").first()
        )
    elif getattr(from_version, f"{parent}_id") != identity.pk:
        raise ValidationFailed(_("来源版本不属于该%(what)s") % {"what": what}, field="from_version")
    if from_version is None:
        raise ValidationFailed(_("%(name)s 没有可复制的版本") % {"name": identity.name})
    number = (versions.aggregate(m=Max("version"))["m"] or 0) + 1
    model = type(from_version)
    values = {n: getattr(from_version, n) for n in _fields_of(model, skip=_VERSION_META | {parent})}
    draft = model.objects.create(**{parent: identity}, version=number, **values)
    return from_version, draft


# ------------------------------------------------------------------------------------ items


@transaction.atomic
def item_create(
    *, basic_code: str, name: str, department: Department, **fields: Any
) -> ServiceItemVersion:
    """Create an item identity (unique 基本编码) and its first draft version."""
    if ServiceItem.objects.filter(basic_code=basic_code).exists():
        raise Conflict(
            _("基本编码 %(basic_code)s 已存在") % {"basic_code": basic_code}, field="basic_code"
        )
    item = ServiceItem(basic_code=basic_code, name=name)
    _full_clean(item)
    item.save()
    version = ServiceItemVersion(item=item, version=1, name=name, department=department)
    _set_fields(version, fields, ITEM_VERSION_EDITABLE)
    _full_clean(version, exclude=["item"])
    version.save()
    return version


@transaction.atomic
def item_version_create_draft(
    *, item: ServiceItem, from_version: ServiceItemVersion | None = None
) -> ServiceItemVersion:
    """A new draft copied (with materials, steps, fees) from the published or latest version."""
    from_version, draft = _draft_next(
        identity=item, parent="item", from_version=from_version, what=_("事项")
    )
    copied: tuple[type[models.Model], ...] = (MaterialRequirement, ProcessStep, FeeItem)
    for model in copied:
        names = _fields_of(model, skip={"id", "item_version"})
        rows = model._default_manager.filter(item_version=from_version).order_by("pk")
        model._default_manager.bulk_create(
            model(item_version=draft, **{n: getattr(row, n) for n in names}) for row in rows
        )
    return draft


@transaction.atomic
def item_version_update(*, version: ServiceItemVersion, **fields: Any) -> ServiceItemVersion:
    """Change fields of a draft item version; published and retired versions are refused."""
    version = _lock_item_version(version)
    changed = _set_fields(version, fields, ITEM_VERSION_EDITABLE)
    _full_clean(version, exclude=["item"])
    if changed:
        if {"service_object", "service_object_codes"} & set(changed):
            # ``clean`` derives the one from the other.
            changed = sorted({*changed, "service_object", "service_object_codes"})
        version.save(update_fields=[*changed, "updated_at"])
    return version


@transaction.atomic
def material_add(
    *, item_version: ServiceItemVersion, key: str, name: str, **fields: Any
) -> MaterialRequirement:
    """Add a material to a draft item version; its key is unique within the version."""
    item_version = _lock_item_version(item_version)
    if item_version.materials.filter(key=key).exists():
        raise Conflict(_("材料标识 %(key)s 在本事项中已存在") % {"key": key}, field="key")
    fields.setdefault("order", _next_order(item_version.materials))
    material = MaterialRequirement(item_version=item_version, key=key, name=name, **fields)
    condition_require_valid(material.condition, field="condition")
    _full_clean(material, exclude=["item_version"])
    material.save()
    return material


@transaction.atomic
def material_update(*, material: MaterialRequirement, **fields: Any) -> MaterialRequirement:
    """Change a material of a draft item version."""
    _lock_item_version(material.item_version)
    allowed = [f.name for f in MaterialRequirement._meta.concrete_fields]
    changed = _set_fields(material, fields, set(allowed) - {"id", "item_version"})
    condition_require_valid(material.condition, field="condition")
    _full_clean(material, exclude=["item_version"])
    if changed:
        if "medium" in changed:
            changed = sorted({*changed, "form"})  # ``clean`` empties it for electronic media
        material.save(update_fields=changed)
    return material


@transaction.atomic
def material_remove(*, material: MaterialRequirement) -> None:
    """Remove a material from a draft item version."""
    _lock_item_version(material.item_version)
    material.delete()


@transaction.atomic
def process_step_add(
    *, item_version: ServiceItemVersion, name: str, limit_days: int, **fields: Any
) -> ProcessStep:
    """Add a step (受理, 审查, 决定 …) to a draft item version."""
    item_version = _lock_item_version(item_version)
    fields.setdefault("order", _next_order(item_version.steps))
    step = ProcessStep(item_version=item_version, name=name, limit_days=limit_days, **fields)
    _full_clean(step, exclude=["item_version"])
    step.save()
    return step


@transaction.atomic
def fee_item_add(*, item_version: ServiceItemVersion, name: str, **fields: Any) -> FeeItem:
    """Add a fee item (收费项目) to a draft item version."""
    item_version = _lock_item_version(item_version)
    fields.setdefault("order", _next_order(item_version.fees))
    fee = FeeItem(item_version=item_version, name=name, **fields)
    _full_clean(fee, exclude=["item_version"])
    fee.save()
    return fee


def _refuse_on_errors(findings: list[checks.Finding], what: str) -> None:
    errors = [f for f in findings if f.is_error]
    if errors:
        lines = "；".join(f"[{f.code}] {f.message}" for f in errors)
        raise PublishRefused(
            _("%(what)s 有 %(count)s 项错误，不能发布：%(lines)s")
            % {"what": what, "count": len(errors), "lines": lines},
            findings=[f.as_dict() for f in errors],
        )


@transaction.atomic
def item_version_publish(
    *, version: ServiceItemVersion, actor: User | None = None
) -> ServiceItemVersion:
    """Publish a draft that passes the checker; the previously published version is retired."""
    item = ServiceItem.objects.select_for_update().get(pk=version.item_id)
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise IllegalTransition(
            _("%(name)s v%(version)s %(status)s，只有草稿可以发布")
            % {
                "name": version.name,
                "version": version.version,
                "status": version.get_status_display(),
            }
        )
    _refuse_on_errors(checks.item_version_check(version), f"{version.name} v{version.version}")
    now = clock.now()
    for old in item.versions.select_for_update().filter(status=VersionStatus.PUBLISHED):
        old.status = VersionStatus.RETIRED
        old.retired_at = now
        old.save(update_fields=["status", "retired_at", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    except IntegrityError as exc:  # a concurrent publish won the race
        raise Conflict(
            _("%(name)s 已有其他版本同时发布，请刷新后重试") % {"name": item.name}
        ) from exc
    if item.name != version.name:
        item.name = version.name
        item.save(update_fields=["name", "updated_at"])
    return version


@transaction.atomic
def item_version_retire(*, version: ServiceItemVersion) -> ServiceItemVersion:
    """Retire a published item version (the item is withdrawn from the catalogue)."""
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise IllegalTransition(_("只有已发布的版本可以废止"))
    version.status = VersionStatus.RETIRED
    version.retired_at = clock.now()
    version.save(update_fields=["status", "retired_at", "updated_at"])
    return version


# --------------------------------------------------------------------------------- packages


@transaction.atomic
def package_create(
    *, code: str, name: str, lead_department: Department | None, **fields: Any
) -> PackageVersion:
    """Create a package identity (unique code) and its first draft version."""
    if Package.objects.filter(code=code).exists():
        raise Conflict(_("一件事编码 %(code)s 已存在") % {"code": code}, field="code")
    package = Package(code=code, name=name)
    _full_clean(package)
    package.save()
    version = PackageVersion(package=package, version=1, name=name, lead_department=lead_department)
    _set_fields(version, fields, PACKAGE_VERSION_EDITABLE)
    _full_clean(version, exclude=["package"])
    version.save()
    return version


@transaction.atomic
def package_version_create_draft(
    *, package: Package, from_version: PackageVersion | None = None
) -> PackageVersion:
    """A new draft copied (items, dependencies, questions, form) from the published or latest."""
    from_version, draft = _draft_next(
        identity=package, parent="package", from_version=from_version, what=_("一件事")
    )

    item_map: dict[int, PackageItem] = {}
    for old in from_version.package_items.order_by("pk"):
        item_map[old.pk] = PackageItem.objects.create(
            package_version=draft,
            item_id=old.item_id,
            order=old.order,
            condition=old.condition,
            handling_note=old.handling_note,
            routing_rule=old.routing_rule,
        )
    PackageDependency.objects.bulk_create(
        PackageDependency(
            package_version=draft, before=item_map[d.before_id], after=item_map[d.after_id]
        )
        for d in from_version.dependencies.order_by("pk")
    )
    names = _fields_of(SituationQuestion, skip={"id", "package_version"})
    SituationQuestion.objects.bulk_create(
        SituationQuestion(package_version=draft, **{n: getattr(q, n) for n in names})
        for q in from_version.questions.order_by("pk")
    )
    names = _fields_of(FormField, skip={"id", "package_version"})
    for old_field in from_version.form_fields.prefetch_related("items").order_by("pk"):
        new_field = FormField.objects.create(
            package_version=draft, **{n: getattr(old_field, n) for n in names}
        )
        new_field.items.set([item_map[i.pk] for i in old_field.items.all() if i.pk in item_map])
    return draft


@transaction.atomic
def package_version_update(*, version: PackageVersion, **fields: Any) -> PackageVersion:
    """Change fields of a draft package version; published and retired ones are refused."""
    version = _lock_package_version(version)
    changed = _set_fields(version, fields, PACKAGE_VERSION_EDITABLE)
    _full_clean(version, exclude=["package"])
    if changed:
        version.save(update_fields=[*changed, "updated_at"])
    return version


def _check_package_condition(package_version: PackageVersion, condition: Any) -> None:
    condition_require_valid(condition, package_question_specs(package_version), field="condition")


@transaction.atomic
def package_item_add(
    *,
    package_version: PackageVersion,
    item: ServiceItem,
    order: int | None = None,
    condition: dict[str, Any] | None = None,
    handling_note: str = "",
    routing_rule: str = "",
) -> PackageItem:
    """Add a component item (by identity) to a draft package; its condition must be valid."""
    package_version = _lock_package_version(package_version)
    if package_version.package_items.filter(item=item).exists():
        raise Conflict(_("%(name)s 已在本一件事中") % {"name": item.name}, field="item")
    _check_package_condition(package_version, condition)
    return PackageItem.objects.create(
        package_version=package_version,
        item=item,
        order=_next_order(package_version.package_items) if order is None else order,
        condition=condition or None,
        handling_note=handling_note,
        routing_rule=routing_rule,
    )


@transaction.atomic
def package_item_update(*, package_item: PackageItem, **fields: Any) -> PackageItem:
    """Change the order, condition or note of a component of a draft package."""
    package_version = _lock_package_version(package_item.package_version)
    changed = _set_fields(
        package_item, fields, {"order", "condition", "handling_note", "routing_rule"}
    )
    _check_package_condition(package_version, package_item.condition)
    if changed:
        package_item.save(update_fields=changed)
    return package_item


@transaction.atomic
def package_item_remove(*, package_item: PackageItem) -> None:
    """Remove a component (and its dependencies) from a draft package."""
    _lock_package_version(package_item.package_version)
    package_item.delete()


def _cycle_names(path: list[PackageItem]) -> str:
    return " → ".join(p.item.name for p in path)


@transaction.atomic
def package_dependency_add(
    *, package_version: PackageVersion, before: PackageItem, after: PackageItem
) -> PackageDependency:
    """``after`` waits for ``before``'s approval; an edge closing a cycle is refused."""
    package_version = _lock_package_version(package_version)
    if {before.package_version_id, after.package_version_id} != {package_version.pk}:
        raise ValidationFailed(_("前置关系的两个事项必须属于同一个一件事版本"))
    if before.pk == after.pk:
        raise DependencyCycle(
            _("事项不能以自身为前置：%(cycle)s") % {"cycle": _cycle_names([before, before])}
        )
    edges = list(package_version.dependencies.values_list("before_id", "after_id"))
    if (before.pk, after.pk) in edges:
        raise Conflict(
            _("前置关系 %(name)s → %(name2)s 已存在")
            % {"name": before.item.name, "name2": after.item.name}
        )
    path = find_path(edges, after.pk, before.pk)
    if path is not None:
        by_pk = {p.pk: p for p in package_version.package_items.select_related("item")}
        cycle = [before, *(by_pk[pk] for pk in path)]
        raise DependencyCycle(_("前置关系形成循环：%(cycle)s") % {"cycle": _cycle_names(cycle)})
    return PackageDependency.objects.create(
        package_version=package_version, before=before, after=after
    )


@transaction.atomic
def package_dependency_remove(*, dependency: PackageDependency) -> None:
    """Remove a dependency edge from a draft package."""
    _lock_package_version(dependency.package_version)
    dependency.delete()


@transaction.atomic
def situation_question_add(
    *,
    package_version: PackageVersion,
    key: str,
    text: str,
    kind: str,
    choices: list[dict[str, str]] | None = None,
    unit: str = "",
    help_text: str = "",
    order: int | None = None,
) -> SituationQuestion:
    """Add a 情形 question to a draft package; choice questions need ≥2 distinct values."""
    package_version = _lock_package_version(package_version)
    if package_version.questions.filter(key=key).exists():
        raise Conflict(_("情形问题标识 %(key)s 已存在") % {"key": key}, field="key")
    question = SituationQuestion(
        package_version=package_version,
        key=key,
        text=text,
        kind=kind,
        choices=choices or [],
        unit=unit,
        help_text=help_text,
        order=_next_order(package_version.questions) if order is None else order,
    )
    _full_clean(question, exclude=["package_version"])
    problems = checks.question_problems(question)
    if problems:
        raise ValidationFailed("；".join(problems), field="choices")
    question.save()
    return question


@transaction.atomic
def form_field_add(
    *,
    package_version: PackageVersion,
    key: str,
    label: str,
    kind: str = "text",
    required: bool = True,
    choices: list[dict[str, str]] | None = None,
    max_length: int | None = None,
    help_text: str = "",
    order: int | None = None,
    items: Iterable[PackageItem] = (),
    condition: dict[str, Any] | None = None,
) -> FormField:
    """Add a field to the merged form (一表申请) of a draft package."""
    package_version = _lock_package_version(package_version)
    if package_version.form_fields.filter(key=key).exists():
        raise Conflict(_("表单字段标识 %(key)s 已存在") % {"key": key}, field="key")
    items = list(items)
    if any(i.package_version_id != package_version.pk for i in items):
        raise ValidationFailed(_("表单字段关联的事项必须属于本一件事版本"), field="items")
    _check_package_condition(package_version, condition)
    form_field = FormField(
        package_version=package_version,
        key=key,
        label=label,
        kind=kind,
        required=required,
        choices=choices or [],
        max_length=max_length,
        help_text=help_text,
        order=_next_order(package_version.form_fields) if order is None else order,
        condition=condition or None,
    )
    _full_clean(form_field, exclude=["package_version"])
    form_field.save()
    form_field.items.set(items)
    return form_field


@transaction.atomic
def package_version_publish(
    *, version: PackageVersion, actor: User | None = None
) -> PackageVersion:
    """Publish a draft package that passes the checker; the published one is retired."""
    package = Package.objects.select_for_update().get(pk=version.package_id)
    version = PackageVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise IllegalTransition(
            _("%(name)s v%(version)s %(status)s，只有草稿可以发布")
            % {
                "name": version.name,
                "version": version.version,
                "status": version.get_status_display(),
            }
        )
    _refuse_on_errors(checks.package_version_check(version), f"{version.name} v{version.version}")
    now = clock.now()
    for old in package.versions.select_for_update().filter(status=VersionStatus.PUBLISHED):
        old.status = VersionStatus.RETIRED
        old.retired_at = now
        old.save(update_fields=["status", "retired_at", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    except IntegrityError as exc:
        raise Conflict(
            _("%(name)s 已有其他版本同时发布，请刷新后重试") % {"name": package.name}
        ) from exc
    if package.name != version.name:
        package.name = version.name
        package.save(update_fields=["name", "updated_at"])
    return version


@transaction.atomic
def package_version_retire(*, version: PackageVersion) -> PackageVersion:
    """Retire a published package version (withdrawn from the portal)."""
    version = PackageVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise IllegalTransition(_("只有已发布的版本可以废止"))
    version.status = VersionStatus.RETIRED
    version.retired_at = clock.now()
    version.save(update_fields=["status", "retired_at", "updated_at"])
    return version


# ------------------------------------------------------------ children saved by the admin

ItemChild = MaterialRequirement | ProcessStep | FeeItem
PackageChild = PackageItem | SituationQuestion | FormField


def _save_child(obj: models.Model, changed: Iterable[str] | None, exclude: list[str]) -> None:
    _full_clean(obj, exclude=exclude)
    if obj.pk is None or changed is None:
        obj.save()
        return
    names = {f.name for f in obj._meta.concrete_fields}
    fields = [name for name in changed if name in names]
    if fields:
        obj.save(update_fields=fields)


@transaction.atomic
def item_version_child_save(*, obj: ItemChild, changed: Iterable[str] | None = None) -> ItemChild:
    """Save a material, step or fee row of a draft item version (the admin's inline path)."""
    _lock_item_version(obj.item_version)
    if isinstance(obj, MaterialRequirement):
        condition_require_valid(obj.condition, field="condition")
    _save_child(obj, changed, exclude=["item_version"])
    return obj


@transaction.atomic
def item_version_child_delete(*, obj: ItemChild) -> None:
    """Delete a material, step or fee row of a draft item version."""
    _lock_item_version(obj.item_version)
    obj.delete()


@transaction.atomic
def package_version_child_save(
    *, obj: PackageChild, changed: Iterable[str] | None = None
) -> PackageChild:
    """Save a component, question or form field of a draft package (the admin's inline path).

    Conditions are checked for structure here; whether their questions exist is checked at
    publish time, because the admin may add a question and its users in one submit.
    """
    _lock_package_version(obj.package_version)
    if isinstance(obj, SituationQuestion):
        problems = checks.question_problems(obj)
        if problems:
            raise ValidationFailed("；".join(problems), field="choices")
    else:
        condition_require_valid(obj.condition, field="condition")
    _save_child(obj, changed, exclude=["package_version"])
    return obj


@transaction.atomic
def package_version_child_delete(*, obj: PackageChild | PackageDependency) -> None:
    """Delete a component, dependency, question or form field of a draft package."""
    _lock_package_version(obj.package_version)
    obj.delete()


@transaction.atomic
def item_version_delete_draft(*, version: ServiceItemVersion) -> None:
    """Delete a draft item version; published and retired versions are kept forever."""
    version = _lock_item_version(version)
    version.delete()


@transaction.atomic
def package_version_delete_draft(*, version: PackageVersion) -> None:
    """Delete a draft package version; published and retired versions are kept forever."""
    version = _lock_package_version(version)
    version.delete()
