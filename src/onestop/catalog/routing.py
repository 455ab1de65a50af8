"""跨域通办 rules read from the catalogue: which department handles an item (办理地) and
where an online application is received (收件地). Pure reads; docs/cross_domain.md.

- The **routing rule** of a package item (or, blank, of its package; a single item uses the
  default) names the region whose department of the item's system (``Department.kind``)
  handles it: the item's own department (default), the applicant's 户籍/residence, the
  enterprise's domicile, or the receiving region (the power delegated down).
- The item's **exercising level** (行使层级) bounds the search: for the applicant's and the
  enterprise's region the department is the one at that level above it; for the receiving
  region (delegated down) the nearest department from the receiving region up to that level.
- The item's **cross-domain scope** (通办范围) bounds where it may be received on site: inside
  the handling region always; outside it only as far as the scope reaches (全市通办 and 跨县通办
  inside the city, 跨市通办 inside the province, 跨省 and 全国 anywhere; 不通办 nowhere). An
  online application (全程网办) is handled remotely wherever it is filed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, ApplicantKind
from onestop.catalog.models import (
    CrossDomainScope,
    ExerciseLevel,
    OnlineReceivingRule,
    PackageItem,
    PackageVersion,
    RoutingRule,
    ServiceItemVersion,
)
from onestop.core.errors import ValidationFailed
from onestop.regions.models import CODE_LENGTH, Department, Region, RegionLevel

# The region level whose department exercises an item of each 行使层级 (None: 分级管理,
# any level from the chosen region up).
EXERCISE_REGION_LEVEL: dict[str, RegionLevel | None] = {
    ExerciseLevel.NATIONAL: RegionLevel.PROVINCE,
    ExerciseLevel.PROVINCIAL: RegionLevel.PROVINCE,
    ExerciseLevel.CITY: RegionLevel.CITY,
    ExerciseLevel.COUNTY: RegionLevel.COUNTY,
    ExerciseLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
    ExerciseLevel.VILLAGE: RegionLevel.VILLAGE,
    ExerciseLevel.GRADED: None,
}

# How many leading digits of the receiving and the handling region's codes must agree for a
# case received outside the handling region (None: never received outside it; 0: anywhere).
SCOPE_SHARED_DIGITS: dict[str, int | None] = {
    CrossDomainScope.NONE: None,
    CrossDomainScope.CITY_WIDE: CODE_LENGTH[RegionLevel.CITY],
    CrossDomainScope.CROSS_COUNTY: CODE_LENGTH[RegionLevel.CITY],
    CrossDomainScope.CROSS_CITY: CODE_LENGTH[RegionLevel.PROVINCE],
    CrossDomainScope.CROSS_PROVINCE: 0,
    CrossDomainScope.NATIONAL: 0,
}


def rule_of(
    package_item: PackageItem | None, package_version: PackageVersion | None
) -> RoutingRule:
    """The routing rule of one item of a case: its own, else its package's, else the default."""
    if package_item is not None and package_item.routing_rule:
        return RoutingRule(package_item.routing_rule)
    if package_version is not None and package_version.routing_rule:
        return RoutingRule(package_version.routing_rule)
    return RoutingRule.ITEM_DEPARTMENT


def scope_allows(scope: str, *, receiving_code: str, handling_code: str) -> bool:
    """Whether an item of ``scope`` handled at ``handling_code`` may be received at
    ``receiving_code`` (inside the handling region it always may)."""
    if receiving_code.startswith(handling_code):
        return True
    digits = SCOPE_SHARED_DIGITS[CrossDomainScope(scope)]
    if digits is None:
        return False
    return len(receiving_code) >= digits and receiving_code[:digits] == handling_code[:digits]


def _ancestor_codes(code: str) -> list[str]:
    """The codes of a region and the regions above it, deepest first."""
    lengths = sorted({n for n in CODE_LENGTH.values() if n <= len(code)}, reverse=True)
    return [code[:n] for n in lengths]


def _start_region(rule: RoutingRule, applicant: Applicant, receiving_region: Region) -> Region:
    if rule == RoutingRule.RECEIVING_REGION:
        return receiving_region
    if rule == RoutingRule.ENTERPRISE_DOMICILE and applicant.kind != ApplicantKind.ENTERPRISE:
        raise ValidationFailed(
            _("本事项由企业住所地办理，须以企业（法人）身份申请。"), field="applicant"
        )
    if applicant.region is None:
        what = _("住所地") if rule == RoutingRule.ENTERPRISE_DOMICILE else _("户籍地（居住地）")
        raise ValidationFailed(
            _("本事项由申请人%(what)s办理，申请人尚未登记所在区划。") % {"what": what},
            field="applicant",
        )
    return applicant.region


def handling_department_for(
    *,
    item_version: ServiceItemVersion,
    rule: RoutingRule | str,
    applicant: Applicant,
    receiving_region: Region,
    on_site: bool = True,
) -> Department:
    """The department that handles ``item_version`` for this applicant received at
    ``receiving_region`` under ``rule``; refused (422) when none exists or, for an
    application received on site (``on_site``: at a window, not online), when the item's
    cross-domain scope does not let it be received there. An online application is handled
    remotely by the handling region wherever it is filed (全程网办), so its scope is not asked."""
    rule = RoutingRule(rule or RoutingRule.ITEM_DEPARTMENT)
    own = item_version.department
    if rule == RoutingRule.ITEM_DEPARTMENT:
        department = own
    else:
        department = _same_system_department(
            item_version, rule=rule, start=_start_region(rule, applicant, receiving_region)
        )
    handling = department.region
    if on_site and not scope_allows(
        item_version.cross_domain_scope,
        receiving_code=receiving_region.code,
        handling_code=handling.code,
    ):
        raise ValidationFailed(
            _(
                "“%(item)s”的通办范围为“%(scope)s”，由%(dept)s办理，不能在%(region)s收件，"
                "请到%(handling)s的办事大厅申请。"
            )
            % {
                "item": item_version.name,
                "scope": CrossDomainScope(item_version.cross_domain_scope).label,
                "dept": department.name,
                "region": receiving_region.name,
                "handling": handling.name,
            },
            field="region_code",
        )
    return department


def _same_system_department(
    item_version: ServiceItemVersion, *, rule: RoutingRule, start: Region
) -> Department:
    """The active department of the item's system at the level the rule and the item's
    exercising level name, at or above ``start``."""
    own = item_version.department
    level = EXERCISE_REGION_LEVEL[item_version.exercise_level]
    if not own.kind:
        raise ValidationFailed(
            _("“%(item)s”的实施主体%(dept)s未设置系统代码，无法按“%(rule)s”确定办理部门。")
            % {"item": item_version.name, "dept": own.name, "rule": rule.label},
            field="region_code",
        )
    codes = _ancestor_codes(start.code)
    if level is not None:
        width = CODE_LENGTH[level]
        if rule == RoutingRule.RECEIVING_REGION:
            # Delegated down: the nearest department from the receiving region up to the level.
            codes = [c for c in codes if len(c) >= width]
        else:
            codes = [c for c in codes if len(c) == width]
    found = sorted(
        Department.objects.filter(kind=own.kind, is_active=True, region__code__in=codes)
        .select_related("region")
        .order_by("pk"),
        key=lambda d: -len(d.region.code),
    )
    if not found:
        raise ValidationFailed(
            _("按“%(rule)s”，%(region)s%(level)s没有办理“%(item)s”的部门（%(kind)s系统）。")
            % {
                "rule": rule.label,
                "region": start.name,
                "level": _("及以上") if level is None else RegionLevel(level).label + _("级"),
                "item": item_version.name,
                "kind": own.kind,
            },
            field="region_code",
        )
    return found[0]


def online_receiving_region_for(
    applicant: Applicant,
    *,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
) -> Region:
    """收件地 of an application that names none (online): the applicant's region where the
    package says so, else the item's department's region or the package's lead department's,
    else the applicant's own region."""
    rule = (
        package_version.online_receiving_rule
        if package_version is not None
        else OnlineReceivingRule.ITEM_DEFAULT
    )
    if rule == OnlineReceivingRule.APPLICANT_RESIDENCE and applicant.region is not None:
        return applicant.region
    if item_version is not None:
        return item_version.department.region
    lead = package_version.lead_department if package_version is not None else None
    if lead is not None:
        return lead.region
    if applicant.region is None:
        raise ValidationFailed(_("请选择收件地。"), field="region_code")
    return applicant.region
