"""跨域通办 around three Yiyang counties: 赫山 (430903), 资阳 (430902), 桃江 (430922).

The 人社 system (``hrss``) has a department in the city, in 赫山 and 资阳 (none in 桃江)
and a service station in 资阳's 长春镇 (for powers delegated down to townships). One item,
城乡居民养老保险参保登记, exercised at county level by 赫山区人社局, 跨县通办; a package around
it whose routing rule each test sets; a second item of the 民政 system at 资阳 for 多地联办.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onestop.accounts.models import Applicant, Staff
from onestop.cases import services
from onestop.cases.models import Case
from onestop.cases.states import Channel, IdentityCheck
from onestop.catalog.models import (
    CrossDomainScope,
    ExerciseLevel,
    PackageItem,
    PackageVersion,
    ServiceItemVersion,
)
from onestop.regions.models import Department, Hall, Region, RegionLevel
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.cases import upload
from tests.factories.catalog import (
    PackageItemFactory,
    PackageVersionFactory,
    ServiceItemFactory,
    ServiceItemVersionFactory,
)
from tests.factories.regions import DepartmentFactory, HallFactory, RegionFactory


@dataclass
class Cross:
    regions: dict[str, Region]
    departments: dict[str, Department]
    halls: dict[str, Hall]
    pension: ServiceItemVersion
    civil: ServiceItemVersion
    package: PackageVersion
    items: dict[str, PackageItem]
    clerks: dict[str, Staff]
    officers: dict[str, Staff]
    applicant: Applicant
    extra: dict[str, Any] = field(default_factory=dict)

    def submit(
        self,
        *,
        at: str = "赫山",
        channel: Channel = Channel.HALL_WINDOW,
        applicant: Applicant | None = None,
        package: PackageVersion | None = None,
        item: ServiceItemVersion | None = None,
    ) -> Case:
        """A window application (by the clerk of ``at``) or an online one (by the applicant)."""
        applicant = applicant or self.applicant
        target: dict[str, Any] = (
            {"item_version": item}
            if item is not None
            else {"package_version": package or self.package}
        )
        if channel in (Channel.ONLINE, Channel.MOBILE):
            return services.case_submit(
                applicant=applicant,
                materials=[upload("id_card")],
                channel=channel,
                accepting_region=self.regions[at],
                created_by=applicant.user,
                **target,
            )
        return services.case_intake(
            staff=self.clerks[at],
            applicant=applicant,
            channel=channel,
            materials=[upload("id_card")],
            hall=self.halls[at],
            **target,
        )

    def check(self, case: Case, *, at: str = "赫山") -> Case:
        return services.case_receiving_check(
            case_id=case.pk,
            clerk=self.clerks[at],
            form_checked=True,
            identity_checked=True,
            identity_method=IdentityCheck.ID_CARD_READER,
        )

    def accepted(self, *, at: str = "赫山", **kwargs: Any) -> Case:
        case = self.submit(at=at, **kwargs)
        self.check(case, at=at)
        return services.case_accept(case_id=case.pk, clerk=self.clerks[at])


def _county(code: str, name: str, city: Region) -> Region:
    return RegionFactory(code=code, name=name, level=RegionLevel.COUNTY, parent=city)


def cross_domain() -> Cross:
    province = RegionFactory(code="43", name="湖南省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="4309", name="益阳市", level=RegionLevel.CITY, parent=province)
    other_city = RegionFactory(code="4301", name="长沙市", level=RegionLevel.CITY, parent=province)
    regions = {
        "湖南": province,
        "益阳": city,
        "长沙": other_city,
        "赫山": _county("430903", "赫山区", city),
        "资阳": _county("430902", "资阳区", city),
        "桃江": _county("430922", "桃江县", city),
        "芙蓉": _county("430102", "芙蓉区", other_city),
    }
    regions["长春镇"] = RegionFactory(
        code="430902101", name="长春镇", level=RegionLevel.TOWNSHIP, parent=regions["资阳"]
    )
    regions["长春村"] = RegionFactory(
        code="430902101201", name="长春村", level=RegionLevel.VILLAGE, parent=regions["长春镇"]
    )
    departments = {
        "市人社": DepartmentFactory(name="益阳市人力资源和社会保障局", kind="hrss", region=city),
        "赫山人社": DepartmentFactory(
            name="益阳市赫山区人力资源和社会保障局", kind="hrss", region=regions["赫山"]
        ),
        "资阳人社": DepartmentFactory(
            name="益阳市资阳区人力资源和社会保障局", kind="hrss", region=regions["资阳"]
        ),
        "长春人社": DepartmentFactory(
            name="长春镇人力资源和社会保障服务站", kind="hrss", region=regions["长春镇"]
        ),
        "资阳民政": DepartmentFactory(
            name="益阳市资阳区民政局", kind="civil", region=regions["资阳"]
        ),
    }
    halls = {
        name: HallFactory(name=f"{regions[name].name}政务服务中心", region=regions[name])
        for name in ("赫山", "资阳", "桃江")
    }
    pension = ServiceItemVersionFactory(
        item=ServiceItemFactory(basic_code="000201001000", name="城乡居民养老保险参保登记"),
        department=departments["赫山人社"],
        exercise_level=ExerciseLevel.COUNTY,
        cross_domain_scope=CrossDomainScope.CROSS_COUNTY,
        published=True,
    )
    civil = ServiceItemVersionFactory(
        item=ServiceItemFactory(basic_code="000202001000", name="低保对象认定"),
        department=departments["资阳民政"],
        exercise_level=ExerciseLevel.COUNTY,
        cross_domain_scope=CrossDomainScope.CITY_WIDE,
        published=True,
    )
    package = PackageVersionFactory(
        name="参保登记一件事", lead_department=departments["赫山人社"], published=True
    )
    items = {"pension": PackageItemFactory(package_version=package, item=pension.item, order=1)}
    clerks = {
        name: StaffFactory(name=f"{name}窗口", region=regions[name], hall=halls[name])
        for name in ("赫山", "资阳", "桃江")
    }
    officers = {
        key: StaffFactory(
            officer=True,
            name=f"{key}专人",
            department=departments[key],
            region=departments[key].region,
        )
        for key in departments
    }
    applicant = ApplicantFactory(user=UserFactory(), region=regions["长春村"])
    return Cross(
        regions=regions,
        departments=departments,
        halls=halls,
        pension=pension,
        civil=civil,
        package=package,
        items=items,
        clerks=clerks,
        officers=officers,
        applicant=applicant,
    )
