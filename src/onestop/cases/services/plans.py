"""What a case consists of, read from the catalogue: at submission and again at dispatch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff
from onestop.cases.models import Case
from onestop.cases.states import REMOTE_CHANNELS, Channel
from onestop.catalog.conditions import is_always
from onestop.catalog.models import (
    FormField,
    HandlingForm,
    PackageItem,
    PackageVersion,
    RoutingRule,
    ServiceItemVersion,
    VersionStatus,
)
from onestop.catalog.routing import handling_department_for, online_receiving_region_for, rule_of
from onestop.catalog.selectors import MergedMaterial, materials_merge, package_plan
from onestop.core.errors import ValidationFailed
from onestop.regions.models import HallKind, Region
from onestop.workdays.units import TimeUnit


@dataclass(frozen=True)
class DispatchItem:
    item_version: ServiceItemVersion
    package_item: PackageItem | None = None
    depends_on: list[int] = field(default_factory=list)  # PackageItem ids


@dataclass(frozen=True)
class CasePlan:
    title: str
    items: list[DispatchItem]
    materials: list[MergedMaterial]
    form_fields: list[FormField]
    promised_days: int
    promised_unit: str


def _single_item_materials(item_version: ServiceItemVersion) -> list[MergedMaterial]:
    # A single item has no situation questions: only unconditional materials apply.
    rows = [
        (m, item_version.name)
        for m in item_version.materials.order_by("order", "pk")
        if is_always(m.condition)
    ]
    return materials_merge(rows)


def case_plan_for_submit(
    *,
    package_version: PackageVersion | None,
    item_version: ServiceItemVersion | None,
    answers: Mapping[str, Any],
) -> CasePlan:
    """The plan an application is checked against; refuses unpublished versions."""
    if (package_version is None) == (item_version is None):
        raise ValidationFailed(_("请选择一件事或单个事项（二者选一）。"), field="package_version")
    if package_version is not None:
        if package_version.status != VersionStatus.PUBLISHED:
            raise ValidationFailed(
                _("“%(n)s”当前版本未发布，不能申请。") % {"n": package_version.name},
                field="package_version",
            )
        plan = package_plan(package_version, answers)
        if not plan.items:
            raise ValidationFailed(_("按您选择的情形，没有需要办理的事项。"), field="answers")
        return CasePlan(
            title=package_version.name,
            items=[
                DispatchItem(p.item_version, p.package_item, list(p.depends_on)) for p in plan.items
            ],
            materials=plan.materials,
            form_fields=plan.form_fields,
            promised_days=plan.promised_days,
            promised_unit=plan.promised_unit,
        )
    assert item_version is not None
    if item_version.status != VersionStatus.PUBLISHED:
        raise ValidationFailed(
            _("“%(n)s”当前版本未发布，不能申请。") % {"n": item_version.name},
            field="item_version",
        )
    if answers:
        raise ValidationFailed(_("单个事项没有情形问题。"), field="answers")
    return CasePlan(
        title=item_version.name,
        items=[DispatchItem(item_version)],
        materials=_single_item_materials(item_version),
        form_fields=[],
        promised_days=item_version.promised_days,
        promised_unit=item_version.promised_unit,
    )


# The 办理形式 (GB/T 39046 A.5) an application through each channel is made in. A kiosk runs
# the online hall's pages, so it needs the PC form.
CHANNEL_FORMS: dict[Channel, HandlingForm] = {
    Channel.ONLINE: HandlingForm.ONLINE_PC,
    Channel.KIOSK: HandlingForm.ONLINE_PC,
    Channel.MOBILE: HandlingForm.ONLINE_MOBILE,
    Channel.HALL_WINDOW: HandlingForm.WINDOW,
    Channel.VILLAGE_CENTRE: HandlingForm.WINDOW,
    Channel.PHONE_APPOINTMENT: HandlingForm.WINDOW,
}


def channel_refusal(item_version: ServiceItemVersion, channel: Channel) -> str:
    """Why ``item_version`` cannot be applied for through ``channel`` ("" when it can)."""
    if channel in REMOTE_CHANNELS and not item_version.applies_online:
        return _("“%(n)s”的网上办理深度为%(depth)s，不受理网上申请，请到办事大厅窗口申请。") % {
            "n": item_version.name,
            "depth": item_version.get_online_depth_display(),
        }
    form = CHANNEL_FORMS[channel]
    if not item_version.offers_form(form):
        return _("“%(n)s”不提供“%(form)s”，请选择其他申报渠道。") % {
            "n": item_version.name,
            "form": form.label,
        }
    return ""


def plan_require_channel(plan: CasePlan, channel: Channel) -> None:
    """Refuse an application whose channel one of its items does not offer."""
    for entry in plan.items:
        reason = channel_refusal(entry.item_version, channel)
        if reason:
            raise ValidationFailed(reason, field="channel")


@dataclass(frozen=True)
class DispatchEntry:
    """One item to fan out, by ids: what ``Case.dispatch_items`` keeps from the plan."""

    item_version_id: int
    item_id: int
    title: str
    item_code: str
    department_id: int
    promised_days: int
    promised_unit: str
    package_item_id: int | None = None
    depends_on: list[int] = field(default_factory=list)  # PackageItem ids
    routing_rule: str = RoutingRule.ITEM_DEPARTMENT  # how ``department_id`` was chosen

    def as_json(self) -> dict[str, Any]:
        return {
            "item_version": self.item_version_id,
            "item": self.item_id,
            "title": self.title,
            "item_code": self.item_code,
            "department": self.department_id,
            "promised_days": self.promised_days,
            "promised_unit": self.promised_unit,
            "package_item": self.package_item_id,
            "depends_on": list(self.depends_on),
            "routing_rule": self.routing_rule,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DispatchEntry:
        return cls(
            item_version_id=data["item_version"],
            item_id=data["item"],
            title=data["title"],
            item_code=data["item_code"],
            department_id=data["department"],
            promised_days=data["promised_days"],
            promised_unit=data["promised_unit"],
            package_item_id=data["package_item"],
            depends_on=list(data["depends_on"]),
            routing_rule=data.get("routing_rule", RoutingRule.ITEM_DEPARTMENT),
        )


def minutes_promised(package_version: PackageVersion | None, channel: Channel | str) -> int | None:
    """The minutes limit of an application (村级直办, 立等可取): the package version's
    ``promised_minutes`` when taken at a village centre; None otherwise (days apply)."""
    if package_version is None or channel != Channel.VILLAGE_CENTRE:
        return None
    return package_version.promised_minutes


def village_centre_refusal(
    staff: Staff, package_version: PackageVersion | None, item_version: ServiceItemVersion | None
) -> str:
    """Why a village centre's clerk may not take this application ("" when they may): a
    便民服务站 takes only the packages the catalog gives a village class (直办/代办/协办)."""
    hall = staff.hall if staff.hall_id else None
    if hall is None or hall.kind != HallKind.VILLAGE_STATION:
        return ""
    if package_version is not None and package_version.village_class:
        return ""
    name = package_version.name if package_version else item_version.name if item_version else ""
    return _(
        "“%(n)s”不在村（社区）便民服务站受理的事项之列，请到乡镇便民服务中心或政务服务大厅办理。"
    ) % {"n": name}


def dispatch_entries(
    items: list[DispatchItem],
    *,
    applicant: Applicant | None = None,
    receiving_region: Region | None = None,
    package_version: PackageVersion | None = None,
    channel: Channel = Channel.HALL_WINDOW,
    promised_minutes: int | None = None,
) -> list[DispatchEntry]:
    """The plan's items as plain ids and values (stored on the case at submission), each
    routed to its handling department by the catalogue's rules (``catalog.routing``); without
    an applicant and a receiving region, to the item version's own department.

    ``promised_minutes``: the package version's minutes promise (村级直办, 立等可取): every
    task then has the same limit in minutes, since the whole case must finish within it.
    """
    entries = []
    for entry in items:
        version = entry.item_version
        identity = entry.package_item.item if entry.package_item else version.item
        rule = rule_of(entry.package_item, package_version)
        department_id = version.department_id
        if applicant is not None and receiving_region is not None:
            department_id = handling_department_for(
                item_version=version,
                rule=rule,
                applicant=applicant,
                receiving_region=receiving_region,
                on_site=channel not in REMOTE_CHANNELS,
            ).pk
        entries.append(
            DispatchEntry(
                item_version_id=version.pk,
                item_id=version.item_id,
                title=version.name,
                item_code=identity.basic_code,
                department_id=department_id,
                promised_days=promised_minutes or version.promised_days,
                promised_unit=TimeUnit.MINUTE if promised_minutes else version.promised_unit,
                package_item_id=entry.package_item.pk if entry.package_item else None,
                depends_on=list(entry.depends_on),
                routing_rule=rule,
            )
        )
    return entries


def accepting_region_for(
    applicant: Applicant,
    *,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
) -> Region:
    """收件地 of an application that names none (online): ``catalog.routing``'s rule."""
    return online_receiving_region_for(
        applicant, package_version=package_version, item_version=item_version
    )


def case_plan_items(case: Case) -> list[DispatchEntry]:
    """The items to fan out at acceptance: the versions the application was submitted under.

    Published versions are immutable, so the plan stored at submission is the plan; a case
    submitted before plans were stored has its plan computed again from the catalogue.
    """
    if case.dispatch_items is not None:
        return [DispatchEntry.from_json(d) for d in case.dispatch_items]
    if case.package_version is None:
        assert case.item_version is not None  # a case is for exactly one of the two
        return dispatch_entries([DispatchItem(case.item_version)])
    plan = package_plan(case.package_version, case.answers)
    return dispatch_entries(
        [DispatchItem(p.item_version, p.package_item, list(p.depends_on)) for p in plan.items],
        promised_minutes=minutes_promised(case.package_version, case.channel),
    )
