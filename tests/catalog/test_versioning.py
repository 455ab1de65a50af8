from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from onestop.catalog import selectors, services
from onestop.catalog.errors import PublishRefused, VersionImmutable
from onestop.catalog.models import MaterialNecessity, ServiceItemVersion, VersionStatus
from onestop.core.errors import Conflict, IllegalTransition
from tests.factories.accounts import UserFactory
from tests.factories.catalog import (
    FeeItemFactory,
    MaterialRequirementFactory,
    ServiceItemVersionFactory,
)
from tests.factories.regions import DepartmentFactory

pytestmark = pytest.mark.django_db


def _material_rows(version: ServiceItemVersion) -> list[tuple]:
    return list(
        version.materials.order_by("order", "key").values_list(
            "key", "name", "form", "copies", "necessity", "source", "licence_type", "condition"
        )
    )


def test_item_create_makes_identity_and_first_draft():
    version = services.item_create(
        basic_code="0100001000", name="食品经营许可", department=DepartmentFactory()
    )
    assert version.version == 1
    assert version.status == VersionStatus.DRAFT
    assert version.item.basic_code == "0100001000"
    assert selectors.item_version_current(version.item) is None


def test_item_create_refuses_duplicate_basic_code():
    ServiceItemVersionFactory(item__basic_code="0100001000")
    with pytest.raises(Conflict, match="0100001000"):
        services.item_create(basic_code="0100001000", name="重复", department=DepartmentFactory())


def test_publish_makes_version_current():
    version = ServiceItemVersionFactory()
    user = UserFactory()
    services.item_version_publish(version=version, actor=user)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None
    assert version.published_by == user
    assert selectors.item_version_current(version.item) == version


def test_publishing_a_new_version_retires_the_old_one():
    old = ServiceItemVersionFactory(published=True)
    draft = services.item_version_create_draft(item=old.item)
    services.item_version_update(version=draft, conditions="新的受理条件")
    services.item_version_publish(version=draft)
    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == VersionStatus.RETIRED
    assert old.retired_at is not None
    assert draft.status == VersionStatus.PUBLISHED
    assert selectors.item_version_current(old.item) == draft
    assert old.item.versions.filter(status=VersionStatus.PUBLISHED).count() == 1


def test_editing_a_published_version_is_refused():
    version = ServiceItemVersionFactory(published=True)
    with pytest.raises(VersionImmutable, match="不可修改"):
        services.item_version_update(version=version, promised_days=1)
    with pytest.raises(VersionImmutable):
        services.material_add(item_version=version, key="lease_contract", name="租赁合同")
    version.refresh_from_db()
    assert version.promised_days == 5
    assert not version.materials.filter(key="lease_contract").exists()


def test_editing_a_retired_version_is_refused():
    version = ServiceItemVersionFactory(retired=True)
    with pytest.raises(VersionImmutable):
        services.process_step_add(item_version=version, name="送达", limit_days=1)


def test_removing_material_from_published_version_is_refused():
    version = ServiceItemVersionFactory(published=True)
    with pytest.raises(VersionImmutable):
        services.material_remove(material=version.materials.get())
    assert version.materials.count() == 1


def test_publishing_twice_is_refused():
    version = ServiceItemVersionFactory(published=True)
    with pytest.raises(IllegalTransition, match="只有草稿可以发布"):
        services.item_version_publish(version=version)


def test_publish_refused_when_checker_finds_errors():
    version = ServiceItemVersionFactory(consultation_phone="", guide=False)
    with pytest.raises(PublishRefused) as exc:
        services.item_version_publish(version=version)
    codes = {f["code"] for f in exc.value.details["findings"]}
    assert {"consultation_phone_missing", "materials_missing", "steps_missing"} <= codes
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_database_allows_only_one_published_version_per_item():
    first = ServiceItemVersionFactory(published=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItemVersionFactory(item=first.item, version=2, published=True)


def test_draft_copied_from_published_has_equal_materials_steps_and_fees():
    published = ServiceItemVersionFactory(
        has_fee=True, fee_basis="依据", supports_online_payment=True
    )
    MaterialRequirementFactory(
        item_version=published,
        key="business_licence",
        name="营业执照",
        source="licence",
        licence_type="营业执照",
        necessity=MaterialNecessity.TOLERABLE,
        condition={"question": "sells_food", "op": "==", "value": True},
    )
    FeeItemFactory(item_version=published)
    services.item_version_publish(version=published)

    draft = services.item_version_create_draft(item=published.item)
    assert draft.version == 2
    assert draft.status == VersionStatus.DRAFT
    assert _material_rows(draft) == _material_rows(published)
    assert list(draft.steps.values_list("name", "limit_days")) == list(
        published.steps.values_list("name", "limit_days")
    )
    assert list(draft.fees.values_list("name", "amount")) == list(
        published.fees.values_list("name", "amount")
    )
    assert draft.department == published.department
    assert draft.consultation_phone == published.consultation_phone
    # The copy is independent: editing the draft leaves the published version alone.
    services.material_update(material=draft.materials.get(key="id_card"), copies=3)
    assert published.materials.get(key="id_card").copies == 1


def test_second_draft_is_refused_while_one_exists():
    published = ServiceItemVersionFactory(published=True)
    services.item_version_create_draft(item=published.item)
    with pytest.raises(Conflict, match="已有草稿版本 v2"):
        services.item_version_create_draft(item=published.item)


def test_update_refuses_bookkeeping_fields():
    version = ServiceItemVersionFactory()
    with pytest.raises(Exception, match="不能修改字段"):
        services.item_version_update(version=version, status=VersionStatus.PUBLISHED)


def test_material_add_refuses_invalid_condition():
    version = ServiceItemVersionFactory()
    with pytest.raises(Exception, match="运算符"):
        services.material_add(
            item_version=version,
            key="lease_contract",
            name="租赁合同",
            condition={"question": "area", "op": "~", "value": 1},
        )


def test_retire_published_item():
    version = ServiceItemVersionFactory(published=True)
    services.item_version_retire(version=version)
    assert selectors.item_version_current(version.item) is None
