"""A small published catalogue to run cases through, and helpers to drive cases by services.

``start_business()`` builds the package 我要开办企业 at 赫山区 (430903):

    营业执照 (market, 3 workdays) ──▶ 刻章 (police, 1 workday)
    发票 (tax, 2 workdays; only when the answer to ``needs_invoice`` is yes)

Materials: 居民身份证 (required, all items), 租赁合同 (容缺: tolerable, 营业执照),
住所证明 (告知承诺: commitment, 营业执照), 营业执照 (licence-sourced, 刻章).
Each department has a designated officer; the market department also has a chief approver.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.accounts.models import Applicant, Staff
from onestop.cases import services
from onestop.cases.models import Case, ItemTask
from onestop.cases.services import MaterialInput
from onestop.cases.states import CaseState, Channel
from onestop.catalog.models import (
    MaterialNecessity,
    MaterialRequirement,
    MaterialSource,
    PackageItem,
    PackageVersion,
    ServiceItemVersion,
)
from onestop.core import clock
from onestop.regions.models import Department, Region, RegionLevel
from onestop.workdays import calendar as workdays
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory, make_resident_id
from tests.factories.catalog import (
    FormFieldFactory,
    PackageDependencyFactory,
    PackageItemFactory,
    PackageVersionFactory,
    ServiceItemFactory,
    ServiceItemVersionFactory,
    SituationQuestionFactory,
)
from tests.factories.regions import DepartmentFactory, RegionFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "scan.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def upload(key: str, name: str | None = None, body: bytes = PDF) -> MaterialInput:
    return MaterialInput(key=key, file=pdf(name or f"{key}.pdf", body))


@dataclass
class Setup:
    city: Region
    county: Region
    package: PackageVersion
    items: dict[str, PackageItem]
    versions: dict[str, ServiceItemVersion]
    departments: dict[str, Department]
    officers: dict[str, Staff]
    chief: Staff
    clerk: Staff
    applicant: Applicant
    extra: dict[str, Any] = field(default_factory=dict)

    def answers(self, *, invoice: bool = True) -> dict[str, Any]:
        return {"needs_invoice": invoice}

    def form(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "company_name": "益阳市赫山区好味道餐饮有限公司",
            "legal_person_id": make_resident_id(7, "430903"),
            "phone": "13807371234",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    def full_materials(self) -> list[MaterialInput]:
        return [
            upload("id_card"),
            upload("lease"),
            MaterialInput(key="residence_proof", commitment="本人承诺住所真实、合法、可用。"),
        ]

    def submit(
        self,
        *,
        channel: Channel = Channel.HALL_WINDOW,
        materials: list[MaterialInput] | None = None,
        invoice: bool = True,
        **kwargs: Any,
    ) -> Case:
        return services.case_submit(
            applicant=kwargs.pop("applicant", self.applicant),
            package_version=self.package,
            answers=self.answers(invoice=invoice),
            form_data=kwargs.pop("form_data", self.form()),
            materials=self.full_materials() if materials is None else materials,
            channel=channel,
            accepting_region=self.county,
            created_by=kwargs.pop("created_by", self.applicant.user),
            **kwargs,
        )

    def accepted(self, **kwargs: Any) -> Case:
        case = self.submit(**kwargs)
        return services.case_accept(case_id=case.pk, clerk=self.clerk)

    def without(self, *keys: str) -> list[MaterialInput]:
        return [m for m in self.full_materials() if m.key not in keys]

    def tolerated(self, **kwargs: Any) -> Case:
        """Accepted with the lease missing (容缺), to be supplied by the case's due date."""
        case = self.submit(materials=self.without("lease"), **kwargs)
        due_on = clock.local(workdays.deadline(clock.now(), self.package.promised_days).at).date()
        return services.case_accept(case_id=case.pk, clerk=self.clerk, tolerated={"lease": due_on})

    def completed(self, **kwargs: Any) -> Case:
        case = self.accepted(**kwargs)
        for key in ("licence", "seal", "invoice"):
            self.decide(case, key)
        case.refresh_from_db()
        return case

    def case_in(self, state: str) -> Case:
        """A case resting in ``state``, brought there through the services."""
        if state == CaseState.PRE_REVIEW:
            return self.submit(channel=Channel.ONLINE)
        if state == CaseState.SUBMITTED:
            return self.submit()
        if state == CaseState.CORRECTION_REQUESTED:
            case = self.submit()
            return services.case_request_correction(
                case_id=case.pk, clerk=self.clerk, missing=["lease"], note="租赁合同缺少签字页"
            )
        if state == CaseState.IN_PROGRESS:
            return self.accepted()
        if state == CaseState.COMPLETED:
            return self.completed()
        if state == CaseState.DELIVERED:
            case = self.completed()
            return services.case_hand_out(case_id=case.pk, clerk=self.clerk)
        if state == CaseState.REJECTED:
            case = self.submit()
            return services.case_reject(case_id=case.pk, clerk=self.clerk, reason="不属于本地管辖")
        if state == CaseState.WITHDRAWN:
            case = self.submit()
            return services.case_withdraw(case_id=case.pk, by=self.applicant)
        if state == CaseState.TERMINATED:
            case = self.tolerated()
            later = clock.today() + dt.timedelta(days=60)
            services.case_terminate_overdue_tolerated(today=later)
            case.refresh_from_db()
            return case
        raise ValueError(state)

    def task(self, case: Case, key: str) -> ItemTask:
        return case.tasks.exclude(state__in=["returned", "cancelled"]).get(
            item_version__item=self.versions[key].item
        )

    def decide(self, case: Case, key: str, *, approve: bool = True) -> ItemTask:
        task = self.task(case, key)
        officer = self.officers[key]
        services.task_claim(task_id=task.pk, officer=officer)
        if approve:
            return services.task_approve(task_id=task.pk, officer=officer, opinion="同意")
        return services.task_deny(task_id=task.pk, officer=officer, opinion="不符合条件")


def _item(code: str, name: str, department: Department, days: int) -> ServiceItemVersion:
    item = ServiceItemFactory(basic_code=code, name=name)
    return ServiceItemVersionFactory(
        item=item, department=department, promised_days=days, published=True
    )


def start_business(*, package_days: int = 5) -> Setup:
    """The 开办企业 package described in the module docstring, published."""
    city = RegionFactory()
    county = RegionFactory(code="430903", name="赫山区", level=RegionLevel.COUNTY, parent=city)
    departments = {
        "licence": DepartmentFactory(name="赫山区市场监督管理局", kind="market", region=county),
        "seal": DepartmentFactory(name="益阳市公安局赫山分局", kind="police", region=county),
        "invoice": DepartmentFactory(
            name="国家税务总局益阳市赫山区税务局", kind="tax", region=county
        ),
    }
    versions = {
        "licence": _item("000101001000", "企业设立登记", departments["licence"], 3),
        "seal": _item("000102002000", "公章刻制备案", departments["seal"], 1),
        "invoice": _item("000103003000", "发票申领", departments["invoice"], 2),
    }
    MaterialRequirement.objects.create(
        item_version=versions["licence"],
        key="lease",
        name="租赁合同",
        necessity=MaterialNecessity.TOLERABLE,
        order=20,
    )
    MaterialRequirement.objects.create(
        item_version=versions["licence"],
        key="residence_proof",
        name="住所（经营场所）证明",
        necessity=MaterialNecessity.COMMITMENT,
        order=30,
    )
    MaterialRequirement.objects.create(
        item_version=versions["seal"],
        key="business_licence",
        name="营业执照",
        source=MaterialSource.LICENCE,
        licence_type="营业执照",
        order=20,
    )
    package = PackageVersionFactory(
        name="我要开办企业",
        lead_department=departments["licence"],
        promised_days=package_days,
        published=True,
    )
    SituationQuestionFactory(
        package_version=package, key="needs_invoice", text="是否需要申领发票？"
    )
    items = {
        "licence": PackageItemFactory(
            package_version=package, item=versions["licence"].item, order=1
        ),
        "seal": PackageItemFactory(package_version=package, item=versions["seal"].item, order=2),
        "invoice": PackageItemFactory(
            package_version=package,
            item=versions["invoice"].item,
            order=3,
            condition={"question": "needs_invoice", "op": "==", "value": True},
        ),
    }
    PackageDependencyFactory(package_version=package, before=items["licence"], after=items["seal"])
    FormFieldFactory(package_version=package, key="company_name", label="企业名称", max_length=50)
    FormFieldFactory(
        package_version=package,
        key="legal_person_id",
        label="法定代表人身份证号码",
        kind="id_number",
    )
    FormFieldFactory(package_version=package, key="phone", label="联系电话", kind="phone")
    FormFieldFactory(
        package_version=package,
        key="capital",
        label="注册资本（万元）",
        kind="money",
        required=False,
    )
    officers = {
        key: StaffFactory(
            officer=True,
            name=f"{key}专人",
            department=dept,
            region=county,
            user__username=f"{key}-officer",
        )
        for key, dept in departments.items()
    }
    chief = StaffFactory(
        chief=True, name="首席审批员", department=departments["licence"], region=county
    )
    clerk = StaffFactory(name="窗口受理员", region=county)
    applicant = ApplicantFactory(user=UserFactory())
    return Setup(
        city=city,
        county=county,
        package=package,
        items=items,
        versions=versions,
        departments=departments,
        officers=officers,
        chief=chief,
        clerk=clerk,
        applicant=applicant,
    )


def png_input(key: str) -> MaterialInput:
    return MaterialInput(key=key, file=SimpleUploadedFile(f"{key}.png", PNG, "image/png"))


def big_pdf(size: int) -> bytes:
    buffer = io.BytesIO(PDF)
    buffer.seek(0, io.SEEK_END)
    buffer.write(b"0" * (size - len(PDF)))
    return buffer.getvalue()
