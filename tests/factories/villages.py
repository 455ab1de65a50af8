"""办事不出村: a village centre under a township back office, with a 30-minute package.

赫山区 (430903) › 龙光桥街道 (430903101) › 龙光桥村 (430903101201). The township's back office
(龙光桥街道便民服务中心（乡镇后台）) implements 失业登记 (a 即办件); the package 失业登记 is
村级直办 with a 30-minute promise. The village station has a clerk; the back office an
officer authorised for its approval seal, and (``sealed=True``) the seal is delegated to the
station by a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onestop.accounts.models import Applicant, Staff
from onestop.cases import services
from onestop.cases.models import Case, ItemTask
from onestop.cases.services.materials import MaterialInput
from onestop.cases.states import Channel
from onestop.catalog.models import PackageVersion, ServiceItemVersion, VillageClass
from onestop.certificates import services as certificates
from onestop.certificates.models import Seal, SealPlaceAuthorisation
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.regions.models import Department, Hall, HallKind, Region, RegionLevel
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.catalog import (
    PackageItemFactory,
    PackageVersionFactory,
    ServiceItemFactory,
    ServiceItemVersionFactory,
)
from tests.factories.regions import DepartmentFactory, HallFactory, RegionFactory

UNEMPLOYMENT_CODE = "000201001000"


@dataclass
class Village:
    county: Region
    township: Region
    village: Region
    back_office: Department
    station: Hall
    item: ServiceItemVersion
    package: PackageVersion
    clerk: Staff
    officer: Staff
    applicant: Applicant
    seal: Seal | None = None
    grant: SealPlaceAuthorisation | None = None

    def intake(self, **kwargs: object) -> Case:
        """The station clerk takes the application at the centre (the applicant present)."""
        return services.case_intake(
            staff=self.clerk,
            applicant=self.applicant,
            channel=kwargs.pop("channel", Channel.VILLAGE_CENTRE),
            package_version=kwargs.pop("package_version", self.package),
            answers={},
            form_data={},
            materials=[MaterialInput(key="id_card", original_seen=True)],
            **kwargs,
        )

    def accepted(self) -> Case:
        case = self.intake()
        return services.case_accept(case_id=case.pk, clerk=self.clerk)

    def approve(self, case: Case) -> ItemTask:
        task = case.tasks.get()
        services.task_claim(task_id=task.pk, officer=self.officer)
        return services.task_approve(task_id=task.pk, officer=self.officer, opinion="符合条件")


def village_setup(*, sealed: bool = True, minutes: int | None = 30) -> Village:
    city = RegionFactory()
    county = RegionFactory(code="430903", name="赫山区", level=RegionLevel.COUNTY, parent=city)
    township = RegionFactory(
        code="430903101", name="龙光桥街道", level=RegionLevel.TOWNSHIP, parent=county
    )
    village = RegionFactory(
        code="430903101201", name="龙光桥村", level=RegionLevel.VILLAGE, parent=township
    )
    back_office = DepartmentFactory(
        name="龙光桥街道便民服务中心（乡镇后台）", kind="township", region=township
    )
    station = HallFactory(name="龙光桥村便民服务站", kind=HallKind.VILLAGE_STATION, region=village)
    item = ServiceItemVersionFactory(
        item=ServiceItemFactory(basic_code=UNEMPLOYMENT_CODE, name="失业登记"),
        department=back_office,
        immediate=True,
        published=True,
    )
    package = PackageVersionFactory(
        name="失业登记",
        lead_department=back_office,
        subject_kind="person",
        promised_days=1,
        village_class=VillageClass.DIRECT,
        promised_minutes=minutes,
        published=True,
    )
    PackageItemFactory(package_version=package, item=item.item, order=1)
    clerk = StaffFactory(name="村便民服务站代办员", region=village, hall=station)
    officer = StaffFactory(
        officer=True, name="乡镇后台审批员", department=back_office, region=township
    )
    applicant = ApplicantFactory(user=UserFactory(), name="李秀英")
    result = Village(
        county=county,
        township=township,
        village=village,
        back_office=back_office,
        station=station,
        item=item,
        package=package,
        clerk=clerk,
        officer=officer,
        applicant=applicant,
    )
    if sealed:
        seal = certificates.seal_create(department=back_office, kind=SealKind.APPROVAL)
        certificates.seal_authorise(seal_id=seal.pk, staff=officer)
        result.seal = seal
        result.grant = certificates.seal_place_authorise(
            seal_id=seal.pk,
            hall_id=station.pk,
            item_code=UNEMPLOYMENT_CODE,
            document_number="龙政审授〔2026〕1号",
            valid_from=clock.today() - dt.timedelta(days=30),
            valid_to=clock.today() + dt.timedelta(days=335),
        )
    return result
