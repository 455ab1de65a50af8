"""Factories for the catalogue. Versions are drafts unless ``published=True``/``retired=True``.

``ServiceItemVersionFactory`` builds a guide that passes the quality checker (one id_card
material and two steps are added unless ``guide=False``), so a published factory version is
a realistic one. Services are the path under test in tests/catalog; other apps may use the
traits directly.
"""

from __future__ import annotations

import factory

from onestop.catalog.models import (
    CaseType,
    FeeItem,
    FormField,
    MaterialRequirement,
    OnlineDepth,
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
from onestop.core import clock
from tests.factories.regions import DepartmentFactory


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        django_get_or_create = ("basic_code",)

    basic_code = factory.Sequence(lambda n: f"01{n:05d}000")
    name = factory.Sequence(lambda n: f"测试事项{n}")


class ServiceItemVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItemVersion
        skip_postgeneration_save = True

    item = factory.SubFactory(ServiceItemFactory)
    version = 1
    status = VersionStatus.DRAFT
    name = factory.LazyAttribute(lambda o: o.item.name)
    implementation_code = factory.LazyAttribute(lambda o: f"{o.item.basic_code}-430900")
    department = factory.SubFactory(DepartmentFactory)
    legal_limit = 20
    promised_days = 5
    case_type = CaseType.PROMISED
    conditions = "申请人具有完全民事行为能力，申请材料齐全、符合法定形式。"
    visits = 1
    visit_reason = "需现场核验原件并领取证照。"
    online_depth = OnlineDepth.LEVEL_3
    handling_forms = factory.LazyFunction(lambda: ["1", "2", "3"])
    place = "益阳市政务服务中心一楼综合受理窗口"
    office_hours = "工作日 上午9:00-12:00，下午13:30-17:00（法定节假日除外）"
    consultation_phone = "0737-4221234"
    complaint_phone = "0737-12345"
    result_name = "许可证"
    result_delivery = "窗口领取或邮寄送达"

    class Params:
        published = factory.Trait(
            status=VersionStatus.PUBLISHED, published_at=factory.LazyFunction(clock.now)
        )
        retired = factory.Trait(
            status=VersionStatus.RETIRED,
            published_at=factory.LazyFunction(clock.now),
            retired_at=factory.LazyFunction(clock.now),
        )
        immediate = factory.Trait(case_type=CaseType.IMMEDIATE, promised_days=0)
        online = factory.Trait(
            online_depth=OnlineDepth.LEVEL_4,
            visits=0,
            visit_reason="",
            handling_forms=["2", "3"],
            supports_postal_delivery=True,
        )

    @factory.post_generation
    def guide(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if not create or extracted is False:
            return
        MaterialRequirement.objects.create(
            item_version=obj, key="id_card", name="居民身份证", copies=1, order=10
        )
        ProcessStep.objects.create(item_version=obj, name="受理", limit_days=1, order=10)
        ProcessStep.objects.create(
            item_version=obj, name="审查决定", limit_days=max(obj.promised_days - 1, 0), order=20
        )


class MaterialRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialRequirement

    item_version = factory.SubFactory(ServiceItemVersionFactory, guide=False)
    key = factory.Sequence(lambda n: f"material_{n}")
    name = factory.Sequence(lambda n: f"材料{n}")
    copies = 1
    order = factory.Sequence(lambda n: n)


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    item_version = factory.SubFactory(ServiceItemVersionFactory, guide=False)
    name = "审查"
    limit_days = 1
    order = factory.Sequence(lambda n: n)


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeItem

    item_version = factory.SubFactory(ServiceItemVersionFactory)
    name = "工本费"
    standard = "每证10元"
    amount = 10
    basis = "湘发改价费〔2019〕1号"


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"YJS{n:04d}")
    name = factory.Sequence(lambda n: f"我要办测试一件事{n}")


class PackageVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageVersion

    package = factory.SubFactory(PackageFactory)
    version = 1
    status = VersionStatus.DRAFT
    name = factory.LazyAttribute(lambda o: o.package.name)
    summary = "一次告知、一表申请、一套材料、一窗受理、一次办好。"
    lead_department = factory.SubFactory(DepartmentFactory)
    promised_days = 10
    life_event = "企业开办"
    keywords = "开公司 开店"

    class Params:
        published = factory.Trait(
            status=VersionStatus.PUBLISHED, published_at=factory.LazyFunction(clock.now)
        )
        retired = factory.Trait(
            status=VersionStatus.RETIRED,
            published_at=factory.LazyFunction(clock.now),
            retired_at=factory.LazyFunction(clock.now),
        )


class PackageItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageItem

    package_version = factory.SubFactory(PackageVersionFactory)
    item = factory.SubFactory(ServiceItemFactory)
    order = factory.Sequence(lambda n: n)


class PackageDependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageDependency

    package_version = factory.SubFactory(PackageVersionFactory)
    before = factory.SubFactory(
        PackageItemFactory, package_version=factory.SelfAttribute("..package_version")
    )
    after = factory.SubFactory(
        PackageItemFactory, package_version=factory.SelfAttribute("..package_version")
    )


class SituationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SituationQuestion

    package_version = factory.SubFactory(PackageVersionFactory)
    key = factory.Sequence(lambda n: f"question_{n}")
    text = factory.Sequence(lambda n: f"情形问题{n}？")
    kind = "yes_no"
    order = factory.Sequence(lambda n: n)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    package_version = factory.SubFactory(PackageVersionFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"字段{n}")
    kind = "text"
    order = factory.Sequence(lambda n: n)
