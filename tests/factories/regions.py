from __future__ import annotations

import factory

from onestop.core.identifiers import uscc_check_char
from onestop.regions.models import Department, Hall, HallKind, Region, RegionLevel, Window


def make_uscc(serial: int, region6: str = "430900") -> str:
    """A valid 统一社会信用代码 for a government body (registration authority 1, kind 1)."""
    body = f"11{region6}{serial:08d}X"[:17]
    body = body.replace("X", "0")
    return body + uscc_check_char(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "4309"
    name = "益阳市"
    level = RegionLevel.CITY
    parent = None


class ProvinceFactory(RegionFactory):
    code = "43"
    name = "湖南省"
    level = RegionLevel.PROVINCE


class CountyFactory(RegionFactory):
    code = factory.Sequence(lambda n: f"4309{n % 90 + 10:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = RegionLevel.COUNTY
    parent = factory.SubFactory(RegionFactory)


class TownshipFactory(RegionFactory):
    """A township under a county; its code extends the county's by three digits."""

    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    level = RegionLevel.TOWNSHIP
    parent = factory.SubFactory(CountyFactory)


class VillageFactory(RegionFactory):
    """A village under a township; its code extends the township's by three digits."""

    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    level = RegionLevel.VILLAGE
    parent = factory.SubFactory(TownshipFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = factory.Sequence(lambda n: f"kind{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n))
    region = factory.SubFactory(RegionFactory)


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    name = factory.Sequence(lambda n: f"政务服务大厅{n}")
    kind = HallKind.GOVERNMENT_SERVICE_HALL
    region = factory.SubFactory(RegionFactory)


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    name = "综合受理"
