"""Reads of the catalogue: current versions and the plan of a package for given answers.

``package_plan`` is what the portal shows after the 情形 questions and what the case engine
uses to create a case: the applicable items in dependency order (each pinned to its current
published version), one merged, de-duplicated material list, the applicable form fields,
the promised limit, fees and the number of visits.

Merging a material that several items need (same ``key``):
- copies: the largest number asked;
- necessity, strictest first: REQUIRED > TOLERABLE > COMMITMENT > OPTIONAL. The merged
  requirement must satisfy every item. A proof handed in later (容缺后补) also satisfies an
  item that would have accepted a signed commitment, but a commitment does not give the
  容缺 item the proof it will still need, so TOLERABLE is stricter than COMMITMENT;
- form: the same form if all agree; electronic is dropped when any item wants paper
  (paper can be scanned at the window); differing paper forms become 原件和复印件;
- source: held by the government (免提交, fetched as an e-licence) only when every item
  needing it says so; one item wanting it from the applicant keeps it on the list.
A material whose condition mentions a question this package does not ask is kept (asking
for one proof too many is recoverable, missing one is not); the checker reports it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from onestop.catalog.commitments import DEFAULT_COMMITMENT_TEXT
from onestop.catalog.conditions import (
    ConditionError,
    QuestionSpec,
    answers_clean,
    condition_evaluate,
)
from onestop.catalog.graph import topological_order
from onestop.catalog.models import (
    PAPER_MEDIA,
    FormField,
    MaterialForm,
    MaterialMedium,
    MaterialNecessity,
    MaterialRequirement,
    MaterialSource,
    Package,
    PackageItem,
    PackageVersion,
    ServiceItem,
    ServiceItemVersion,
    SituationQuestion,
    VersionStatus,
)
from onestop.core.errors import ValidationFailed

# Keyed by the stored value (a ``MaterialNecessity`` is that string).
NECESSITY_STRICTNESS: dict[str, int] = {
    MaterialNecessity.REQUIRED: 4,
    MaterialNecessity.TOLERABLE: 3,
    MaterialNecessity.COMMITMENT: 2,
    MaterialNecessity.OPTIONAL: 1,
}


# ------------------------------------------------------------------------- current versions


def item_version_current(item: ServiceItem) -> ServiceItemVersion | None:
    """The published version of an item, or None."""
    return item.versions.filter(status=VersionStatus.PUBLISHED).select_related("department").first()


def package_version_current(package: Package) -> PackageVersion | None:
    """The published version of a package, or None."""
    return package.versions.filter(status=VersionStatus.PUBLISHED).first()


def item_version_get(*, item_version_id: int) -> ServiceItemVersion:
    return ServiceItemVersion.objects.select_related("item", "department__region").get(
        pk=item_version_id
    )


def item_versions_current_for(items: list[ServiceItem] | QuerySet) -> dict[int, ServiceItemVersion]:
    """{item id: published version} for many items in one query."""
    ids = [i.pk for i in items]
    versions = ServiceItemVersion.objects.filter(
        item_id__in=ids, status=VersionStatus.PUBLISHED
    ).select_related("department")
    return {v.item_id: v for v in versions}


def package_versions_published() -> QuerySet[PackageVersion]:
    """All published packages (the portal's 一件事 list)."""
    return (
        PackageVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("package", "lead_department")
        .order_by("life_event", "package__code")
    )


def package_version_by_code(code: str) -> PackageVersion | None:
    """The published version of the package with this code."""
    return (
        PackageVersion.objects.filter(package__code=code, status=VersionStatus.PUBLISHED)
        .select_related("package", "lead_department")
        .first()
    )


def item_version_by_code(basic_code: str) -> ServiceItemVersion | None:
    """The published version of the item with this 基本编码."""
    return (
        ServiceItemVersion.objects.filter(
            item__basic_code=basic_code, status=VersionStatus.PUBLISHED
        )
        .select_related("item", "department__region")
        .first()
    )


def commitment_text_for(
    *,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
) -> str:
    """The 告知承诺书 an applicant signs for this application: the package's text, else the
    item's, else the default (in the active language)."""
    for version in (package_version, item_version):
        if version is not None and version.commitment_text.strip():
            return version.commitment_text.strip()
    return str(DEFAULT_COMMITMENT_TEXT)


# ---------------------------------------------------------------------------------- answers


def question_spec(question: SituationQuestion) -> QuestionSpec:
    values = frozenset(str(c.get("value")) for c in (question.choices or []) if isinstance(c, dict))
    return QuestionSpec(key=question.key, kind=question.kind, choice_values=values)


def package_question_specs(package_version: PackageVersion) -> dict[str, QuestionSpec]:
    return {q.key: question_spec(q) for q in package_version.questions.all()}


def package_answers_clean(
    package_version: PackageVersion, answers: Mapping[str, Any]
) -> dict[str, bool | Decimal | str]:
    """Type the answers by question kind; ``ValidationFailed`` names a missing/invalid one."""
    if not isinstance(answers, Mapping):
        raise ValidationFailed(_("情形回答必须是键值对"))
    questions = list(package_version.questions.all())
    return answers_clean(((question_spec(q), q.text) for q in questions), answers)


# ------------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanItem:
    package_item: PackageItem
    item_version: ServiceItemVersion
    depends_on: list[int] = field(default_factory=list)  # PackageItem ids, applicable only

    @property
    def name(self) -> str:
        return self.item_version.name


@dataclass(frozen=True)
class MergedMaterial:
    key: str
    name: str
    form: str
    copies: int
    necessity: str
    source: str
    licence_type: str
    is_held_by_government: bool
    item_names: list[str]
    notes: str = ""
    medium: str = MaterialMedium.PAPER

    @property
    def needs_submission(self) -> bool:
        return not self.is_held_by_government


@dataclass(frozen=True)
class PlanFee:
    item_name: str
    name: str
    standard: str
    amount: Decimal | None


@dataclass(frozen=True)
class PackagePlan:
    package_version: PackageVersion
    answers: dict[str, Any]
    items: list[PlanItem]
    materials: list[MergedMaterial]
    form_fields: list[FormField]
    promised_days: int
    promised_unit: str
    fees: list[PlanFee]
    fees_total: Decimal
    has_unpriced_fees: bool
    visits: int

    @property
    def item_versions(self) -> list[ServiceItemVersion]:
        return [p.item_version for p in self.items]


def _holds(condition: Any, answers: Mapping[str, Any], *, lenient: bool = False) -> bool:
    try:
        return condition_evaluate(condition, answers)
    except ConditionError:
        if lenient:
            return True
        raise


def material_form_text(material: MaterialRequirement | MergedMaterial) -> str:
    """How a guide reads a material's form: 纸质 · 原件 × 2, or 电子."""
    medium = _label(MaterialMedium, material.medium)
    if not material.form or material.medium not in PAPER_MEDIA:
        return medium
    return f"{medium} · {_label(MaterialForm, material.form)} × {material.copies}"


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _merge_form(forms: list[str]) -> str:
    """原件/复印件 of a material several items ask for: one paper form if they agree, else
    both (the stricter ask covers the others); empty when none asks for paper."""
    paper = {f for f in forms if f}
    if len(paper) == 1:
        return paper.pop()
    if not paper:
        return ""
    if paper == {MaterialForm.ORIGINAL, MaterialForm.ORIGINAL_OR_COPY}:
        return MaterialForm.ORIGINAL
    if paper == {MaterialForm.COPY, MaterialForm.ORIGINAL_OR_COPY}:
        return MaterialForm.COPY
    return MaterialForm.ORIGINAL_AND_COPY


def _merge_medium(media: list[str]) -> str:
    unique = set(media)
    if len(unique) == 1:
        return media[0]
    return MaterialMedium.PAPER_AND_ELECTRONIC


def materials_merge(
    rows: list[tuple[MaterialRequirement, str]],
) -> list[MergedMaterial]:
    """Merge (material, item name) pairs by key, in first-seen order (see module docstring)."""
    groups: dict[str, list[tuple[MaterialRequirement, str]]] = defaultdict(list)
    for material, item_name in rows:
        groups[material.key].append((material, item_name))
    merged: list[MergedMaterial] = []
    for key, group in groups.items():
        materials = [m for m, _name in group]
        first = materials[0]
        necessity = max((m.necessity for m in materials), key=lambda n: NECESSITY_STRICTNESS[n])
        held = all(m.source == MaterialSource.LICENCE for m in materials)
        licence_type = next((m.licence_type for m in materials if m.licence_type), "")
        names: list[str] = []
        for _material, item_name in group:
            if item_name not in names:
                names.append(item_name)
        merged.append(
            MergedMaterial(
                key=key,
                name=first.name,
                form=_merge_form([m.form for m in materials]),
                medium=_merge_medium([m.medium for m in materials]),
                copies=max(m.copies for m in materials),
                necessity=str(necessity),
                source=MaterialSource.LICENCE if held else MaterialSource.APPLICANT,
                licence_type=licence_type,
                is_held_by_government=held,
                item_names=names,
                notes="\n".join(dict.fromkeys(m.notes for m in materials if m.notes)),
            )
        )
    return merged


def _depends_on(applicable: set[int], edges: list[tuple[int, int]], node: int) -> list[int]:
    """Nearest applicable ancestors; a skipped item passes its own prerequisites through."""
    preds: dict[int, list[int]] = defaultdict(list)
    for before, after in edges:
        preds[after].append(before)
    found: list[int] = []
    seen: set[int] = set()
    stack = list(preds[node])
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if current in applicable:
            found.append(current)
        else:
            stack.extend(preds[current])
    return sorted(found)


# Plans of published package versions, per process. A published version never changes, but
# the plan pins each item's *current* published version, so a hit is checked against that
# (one query) before use. Drafts are never cached.
_PLAN_CACHE: OrderedDict[tuple[Any, ...], PackagePlan] = OrderedDict()
_PLAN_CACHE_SIZE = 256
_plan_lock = threading.Lock()


def _plan_key(package_version: PackageVersion, answers: Any) -> tuple[Any, ...] | None:
    if (
        package_version.pk is None
        or package_version.status != VersionStatus.PUBLISHED
        or not isinstance(answers, Mapping)
    ):
        return None
    try:
        canonical = tuple(sorted((str(k), type(v).__name__, repr(v)) for k, v in answers.items()))
    except TypeError:
        return None
    return (
        package_version.pk,
        package_version.published_at,
        package_version.created_at,
        canonical,
    )


def _published_version_ids(item_ids: list[int]) -> set[int]:
    """The published version of each item (every submission checks its cached plan with it)."""
    if not item_ids:
        return set()
    return set(
        ServiceItemVersion.objects.filter(
            item_id__in=item_ids, status=VersionStatus.PUBLISHED
        ).values_list("pk", flat=True)
    )


def _plan_copy(plan: PackagePlan, package_version: PackageVersion) -> PackagePlan:
    return replace(
        plan,
        package_version=package_version,
        answers=dict(plan.answers),
        items=list(plan.items),
        materials=list(plan.materials),
        form_fields=list(plan.form_fields),
        fees=list(plan.fees),
    )


def package_plan(package_version: PackageVersion, answers: Mapping[str, Any]) -> PackagePlan:
    """What the applicant must do for these answers: items, merged materials, form, time."""
    key = _plan_key(package_version, answers)
    if key is None:
        return _package_plan(package_version, answers)
    with _plan_lock:
        cached = _PLAN_CACHE.get(key)
    if cached is not None:
        pinned = {p.item_version.pk for p in cached.items}
        if _published_version_ids([p.item_version.item_id for p in cached.items]) == pinned:
            return _plan_copy(cached, package_version)
    plan = _package_plan(package_version, answers)
    with _plan_lock:
        _PLAN_CACHE[key] = plan
        _PLAN_CACHE.move_to_end(key)
        while len(_PLAN_CACHE) > _PLAN_CACHE_SIZE:
            _PLAN_CACHE.popitem(last=False)
    return _plan_copy(plan, package_version)


def _package_plan(package_version: PackageVersion, answers: Mapping[str, Any]) -> PackagePlan:
    cleaned = package_answers_clean(package_version, answers)
    package_items = list(
        package_version.package_items.select_related("item").order_by("order", "pk")
    )
    chosen = [pi for pi in package_items if _holds(pi.condition, cleaned)]
    versions = {
        v.item_id: v
        for v in ServiceItemVersion.objects.filter(
            item_id__in=[pi.item_id for pi in chosen], status=VersionStatus.PUBLISHED
        )
        .select_related("item", "department__region")
        .prefetch_related(
            Prefetch("materials", queryset=MaterialRequirement.objects.order_by("order", "pk")),
            "fees",
        )
    }
    missing = [pi.item.name for pi in chosen if pi.item_id not in versions]
    if missing:
        raise ValidationFailed(
            _("以下事项暂无已发布版本，无法办理：%(names)s") % {"names": "、".join(missing)}
        )

    edges = list(package_version.dependencies.values_list("before_id", "after_id"))
    applicable = {pi.pk for pi in chosen}
    by_pk = {pi.pk: pi for pi in chosen}
    rank = {pi.pk: index for index, pi in enumerate(chosen)}
    reduced_edges = [(b, n) for n in applicable for b in _depends_on(applicable, edges, n)]
    order = topological_order(list(applicable), reduced_edges, sort_key=lambda pk: rank[pk])
    items = [
        PlanItem(
            package_item=by_pk[pk],
            item_version=versions[by_pk[pk].item_id],
            depends_on=_depends_on(applicable, edges, pk),
        )
        for pk in order
    ]

    rows: list[tuple[MaterialRequirement, str]] = []
    fees: list[PlanFee] = []
    for plan_item in items:
        version = plan_item.item_version
        rows.extend(
            (material, version.name)
            for material in version.materials.all()
            if _holds(material.condition, cleaned, lenient=True)
        )
        if version.has_fee:
            fees.extend(
                PlanFee(item_name=version.name, name=f.name, standard=f.standard, amount=f.amount)
                for f in version.fees.all()
            )
    form_fields = [
        f
        for f in package_version.form_fields.prefetch_related("items").order_by("order", "pk")
        if _holds(f.condition, cleaned)
        and (not f.items.all() or any(i.pk in applicable for i in f.items.all()))
    ]
    return PackagePlan(
        package_version=package_version,
        answers=cleaned,
        items=items,
        materials=materials_merge(rows),
        form_fields=form_fields,
        promised_days=package_version.promised_days,
        promised_unit=package_version.promised_unit,
        fees=fees,
        fees_total=sum((f.amount for f in fees if f.amount is not None), Decimal("0")),
        has_unpriced_fees=any(f.amount is None for f in fees),
        visits=max((p.item_version.visits for p in items), default=0),
    )


def item_search_queryset(text: str) -> QuerySet[ServiceItemVersion]:
    """Published item versions whose name or codes contain ``text`` (admin and simple lists)."""
    return ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).filter(
        Q(name__icontains=text)
        | Q(item__basic_code__icontains=text)
        | Q(implementation_code__icontains=text)
    )


def versions_to_check(
    *, code: str | None = None, all_versions: bool = False
) -> tuple[QuerySet[ServiceItemVersion], QuerySet[PackageVersion]]:
    """Item and package versions the quality checker looks at.

    By default the versions that matter now: published ones and drafts about to be; with
    ``all_versions`` retired ones too. ``code`` narrows to one item (基本编码) or package code.
    """
    items = ServiceItemVersion.objects.select_related("item", "department").order_by(
        "item__basic_code", "version"
    )
    packages = PackageVersion.objects.select_related("package", "lead_department").order_by(
        "package__code", "version"
    )
    if not all_versions:
        items = items.exclude(status=VersionStatus.RETIRED)
        packages = packages.exclude(status=VersionStatus.RETIRED)
    if code:
        items = items.filter(item__basic_code=code)
        packages = packages.filter(package__code=code)
    return items, packages
