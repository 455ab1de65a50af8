"""A realistic package for the catalogue tests: 我要开餐饮店 (DOMAIN §3.3 examples A and B)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.catalog import services
from onestop.catalog.models import (
    MaterialNecessity,
    MaterialSource,
    PackageItem,
    PackageVersion,
    ServiceItemVersion,
)
from tests.factories.catalog import ServiceItemVersionFactory
from tests.factories.regions import DepartmentFactory


@dataclass
class Restaurant:
    package_version: PackageVersion
    licence: PackageItem
    food: PackageItem
    fire: PackageItem
    seal: PackageItem
    versions: dict[str, ServiceItemVersion]


def draft_item(name: str, code: str, **fields) -> ServiceItemVersion:
    """A draft that passes the checker (published by the fixture through the service)."""
    return ServiceItemVersionFactory(item__basic_code=code, item__name=name, **fields)


@pytest.fixture
def restaurant(db) -> Restaurant:
    licence = draft_item("企业设立登记", "0700001000", promised_days=3)
    food = draft_item("食品经营许可", "0100002000", promised_days=5)
    fire = draft_item("公众聚集场所投入使用、营业前消防安全检查", "0100003000", promised_days=5)
    seal = draft_item(
        "公章刻制备案",
        "0700004000",
        promised_days=1,
        visits=0,
        visit_reason="",
        online_depth=4,
        handling_forms=["2"],
    )

    services.material_add(
        item_version=licence,
        key="lease_contract",
        name="经营场所租赁合同",
        copies=1,
        necessity=MaterialNecessity.REQUIRED,
        form="copy",
    )
    services.material_add(
        item_version=fire,
        key="lease_contract",
        name="经营场所租赁合同",
        copies=2,
        necessity=MaterialNecessity.TOLERABLE,
        form="original",
    )
    services.material_update(material=food.materials.get(key="id_card"), copies=2)
    for version in (food, fire):
        services.material_add(
            item_version=version,
            key="business_licence",
            name="营业执照",
            source=MaterialSource.LICENCE,
            licence_type="营业执照",
        )
    services.material_add(
        item_version=food,
        key="health_certificate",
        name="从业人员健康证明",
        condition={"question": "sells_food", "op": "==", "value": True},
    )
    services.material_add(
        item_version=fire,
        key="fire_plan",
        name="消防安全制度和应急预案",
        necessity=MaterialNecessity.COMMITMENT,
    )
    for version in (licence, food, fire, seal):
        services.item_version_publish(version=version)

    pv = services.package_create(
        code="YJS-CANYIN",
        name="我要开餐饮店",
        lead_department=DepartmentFactory(),
        promised_days=10,
        life_event="企业开办",
        keywords="开饭店 开餐馆",
    )
    services.situation_question_add(
        package_version=pv, key="area_sqm", text="经营场所面积是多少？", kind="number", unit="㎡"
    )
    services.situation_question_add(
        package_version=pv, key="sells_food", text="是否经营食品？", kind="yes_no"
    )
    services.situation_question_add(
        package_version=pv,
        key="venue",
        text="经营场所类型",
        kind="choice",
        choices=[{"value": "street", "label": "临街商铺"}, {"value": "mall", "label": "商场内"}],
    )
    pi_licence = services.package_item_add(package_version=pv, item=licence.item)
    pi_food = services.package_item_add(
        package_version=pv,
        item=food.item,
        condition={"question": "sells_food", "op": "==", "value": True},
    )
    pi_fire = services.package_item_add(
        package_version=pv,
        item=fire.item,
        condition={"question": "area_sqm", "op": ">=", "value": 50},
    )
    pi_seal = services.package_item_add(package_version=pv, item=seal.item)
    services.package_dependency_add(package_version=pv, before=pi_licence, after=pi_food)
    services.package_dependency_add(package_version=pv, before=pi_licence, after=pi_fire)
    services.package_dependency_add(package_version=pv, before=pi_licence, after=pi_seal)
    services.form_field_add(package_version=pv, key="company_name", label="企业名称")
    services.form_field_add(
        package_version=pv, key="dishes", label="主要经营品种", items=[pi_food], required=False
    )
    services.form_field_add(
        package_version=pv,
        key="mall_name",
        label="所在商场名称",
        condition={"question": "venue", "op": "==", "value": "mall"},
    )
    return Restaurant(
        package_version=pv,
        licence=pi_licence,
        food=pi_food,
        fire=pi_fire,
        seal=pi_seal,
        versions={"licence": licence, "food": food, "fire": fire, "seal": seal},
    )
