from __future__ import annotations

from decimal import Decimal

import pytest

from onestop.catalog import selectors, services
from onestop.catalog.errors import DependencyCycle, PublishRefused, VersionImmutable
from onestop.catalog.models import (
    MaterialForm,
    MaterialMedium,
    MaterialNecessity,
    MaterialSource,
    PackageDependency,
    VersionStatus,
)
from onestop.catalog.selectors import MergedMaterial, material_form_text, materials_merge
from onestop.core.errors import Conflict, ValidationFailed
from tests.factories.catalog import (
    FeeItemFactory,
    MaterialRequirementFactory,
    PackageItemFactory,
    PackageVersionFactory,
    ServiceItemVersionFactory,
)

pytestmark = pytest.mark.django_db

SMALL_SNACK_BAR = {"area_sqm": 30, "sells_food": True, "venue": "street"}
BIG_SHOP_NO_FOOD = {"area_sqm": "120", "sells_food": "否", "venue": "mall"}


def _names(plan) -> list[str]:
    return [p.item_version.name for p in plan.items]


def _material(plan, key: str) -> MergedMaterial:
    return next(m for m in plan.materials if m.key == key)


# ------------------------------------------------------------------------------- DAG


def test_direct_cycle_is_refused_naming_it(restaurant):
    pv = restaurant.package_version
    with pytest.raises(DependencyCycle) as exc:
        services.package_dependency_add(
            package_version=pv, before=restaurant.seal, after=restaurant.licence
        )
    assert "公章刻制备案 → 企业设立登记 → 公章刻制备案" in exc.value.message
    assert not PackageDependency.objects.filter(before=restaurant.seal).exists()


def test_indirect_cycle_is_refused_naming_it(restaurant):
    pv = restaurant.package_version
    services.package_dependency_add(
        package_version=pv, before=restaurant.food, after=restaurant.fire
    )
    services.package_dependency_add(
        package_version=pv, before=restaurant.fire, after=restaurant.seal
    )
    with pytest.raises(DependencyCycle) as exc:
        services.package_dependency_add(
            package_version=pv, before=restaurant.seal, after=restaurant.food
        )
    assert exc.value.message.endswith(
        "公章刻制备案 → 食品经营许可 → 公众聚集场所投入使用、营业前消防安全检查 → 公章刻制备案"
    )


def test_self_dependency_is_refused(restaurant):
    with pytest.raises(DependencyCycle):
        services.package_dependency_add(
            package_version=restaurant.package_version,
            before=restaurant.food,
            after=restaurant.food,
        )


def test_duplicate_dependency_is_refused(restaurant):
    with pytest.raises(Conflict, match="已存在"):
        services.package_dependency_add(
            package_version=restaurant.package_version,
            before=restaurant.licence,
            after=restaurant.food,
        )


def test_dependency_across_package_versions_is_refused(restaurant):
    other = PackageItemFactory()
    with pytest.raises(ValidationFailed, match="同一个一件事版本"):
        services.package_dependency_add(
            package_version=restaurant.package_version, before=restaurant.food, after=other
        )


# ----------------------------------------------------------------------------- plans


def test_small_venue_needs_no_fire_inspection_but_food_licence(restaurant):
    plan = selectors.package_plan(restaurant.package_version, SMALL_SNACK_BAR)
    assert _names(plan) == ["企业设立登记", "食品经营许可", "公章刻制备案"]
    keys = [m.key for m in plan.materials]
    assert "health_certificate" in keys
    assert "fire_plan" not in keys


def test_big_venue_without_food_needs_fire_inspection_and_no_food_items(restaurant):
    plan = selectors.package_plan(restaurant.package_version, BIG_SHOP_NO_FOOD)
    assert _names(plan) == [
        "企业设立登记",
        "公众聚集场所投入使用、营业前消防安全检查",
        "公章刻制备案",
    ]
    keys = [m.key for m in plan.materials]
    assert "health_certificate" not in keys
    assert "fire_plan" in keys


def test_plan_items_are_in_dependency_order_with_their_prerequisites(restaurant):
    plan = selectors.package_plan(
        restaurant.package_version, {"area_sqm": 80, "sells_food": True, "venue": "street"}
    )
    first, *rest = plan.items
    assert first.package_item == restaurant.licence
    assert first.depends_on == []
    assert all(p.depends_on == [restaurant.licence.pk] for p in rest)


def test_plan_pins_the_current_published_item_version(restaurant):
    food = restaurant.versions["food"]
    draft = services.item_version_create_draft(item=food.item)
    services.item_version_publish(version=draft)
    plan = selectors.package_plan(restaurant.package_version, SMALL_SNACK_BAR)
    food_plan = next(p for p in plan.items if p.package_item == restaurant.food)
    assert food_plan.item_version == draft


def test_skipped_item_passes_its_prerequisites_through(restaurant):
    pv = restaurant.package_version
    services.package_dependency_add(
        package_version=pv, before=restaurant.fire, after=restaurant.food
    )
    plan = selectors.package_plan(pv, SMALL_SNACK_BAR)  # fire not applicable
    food = next(p for p in plan.items if p.package_item == restaurant.food)
    assert food.depends_on == [restaurant.licence.pk]


def test_same_material_across_items_is_merged(restaurant):
    plan = selectors.package_plan(
        restaurant.package_version, {"area_sqm": 80, "sells_food": True, "venue": "street"}
    )
    assert [m.key for m in plan.materials].count("lease_contract") == 1
    lease = _material(plan, "lease_contract")
    assert lease.copies == 2
    assert lease.necessity == MaterialNecessity.REQUIRED  # required beats 容缺
    assert lease.item_names == ["企业设立登记", "公众聚集场所投入使用、营业前消防安全检查"]
    assert lease.form == MaterialForm.ORIGINAL_AND_COPY
    id_card = _material(plan, "id_card")
    assert id_card.copies == 2
    assert len(id_card.item_names) == 4


def test_licence_sourced_material_is_held_by_government(restaurant):
    plan = selectors.package_plan(
        restaurant.package_version, {"area_sqm": 80, "sells_food": True, "venue": "street"}
    )
    licence = _material(plan, "business_licence")
    assert licence.is_held_by_government
    assert not licence.needs_submission
    assert licence.licence_type == "营业执照"
    assert not _material(plan, "id_card").is_held_by_government


def _row(
    necessity=MaterialNecessity.REQUIRED,
    source=MaterialSource.APPLICANT,
    form="original",
    medium=MaterialMedium.PAPER,
):
    return MaterialRequirementFactory.build(
        key="proof",
        name="证明",
        necessity=necessity,
        source=source,
        form=form,
        medium=medium,
        copies=1,
    )


@pytest.mark.parametrize(
    ("necessities", "expected"),
    [
        (["optional", "commitment"], "commitment"),
        (["commitment", "tolerable"], "tolerable"),
        (["tolerable", "required"], "required"),
        (["optional", "optional"], "optional"),
    ],
)
def test_merged_necessity_is_the_strictest(necessities, expected):
    merged = materials_merge([(_row(n), f"事项{i}") for i, n in enumerate(necessities)])
    assert merged[0].necessity == expected


def test_one_applicant_sourced_requirement_keeps_material_on_the_list():
    merged = materials_merge(
        [(_row(source=MaterialSource.LICENCE), "甲"), (_row(source=MaterialSource.APPLICANT), "乙")]
    )
    assert not merged[0].is_held_by_government


def test_electronic_and_paper_merge_to_both_media_with_the_paper_form():
    electronic = _row(medium=MaterialMedium.ELECTRONIC, form="")
    merged = materials_merge([(electronic, "甲"), (_row(form="copy"), "乙")])
    assert merged[0].form == MaterialForm.COPY
    assert merged[0].medium == MaterialMedium.PAPER_AND_ELECTRONIC
    assert material_form_text(merged[0]) == "纸质和电子 · 复印件 × 1"


def test_only_electronic_has_no_paper_form():
    electronic = _row(medium=MaterialMedium.ELECTRONIC, form="")
    merged = materials_merge([(electronic, "甲"), (electronic, "乙")])
    assert (merged[0].medium, merged[0].form) == (MaterialMedium.ELECTRONIC, "")
    assert material_form_text(merged[0]) == "电子"


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["original", "original_or_copy"], "original"),
        (["copy", "original_or_copy"], "copy"),
        (["original", "copy"], "original_and_copy"),
        (["original_or_copy", "original_or_copy"], "original_or_copy"),
    ],
)
def test_paper_forms_merge_to_the_one_that_satisfies_every_item(forms, expected):
    merged = materials_merge([(_row(form=f), str(i)) for i, f in enumerate(forms)])
    assert merged[0].form == expected


def test_form_fields_follow_items_and_conditions(restaurant):
    pv = restaurant.package_version
    no_food = selectors.package_plan(pv, BIG_SHOP_NO_FOOD)
    assert [f.key for f in no_food.form_fields] == ["company_name", "mall_name"]
    snack = selectors.package_plan(pv, SMALL_SNACK_BAR)
    assert [f.key for f in snack.form_fields] == ["company_name", "dishes"]


def test_plan_totals(restaurant):
    plan = selectors.package_plan(restaurant.package_version, SMALL_SNACK_BAR)
    assert plan.promised_days == 10
    assert plan.visits == 1
    assert plan.fees_total == Decimal("0")


def test_plan_fees_are_listed_and_summed():
    item = ServiceItemVersionFactory(
        has_fee=True, fee_basis="价格主管部门文件", supports_online_payment=True
    )
    FeeItemFactory(item_version=item, amount=Decimal("10"))
    FeeItemFactory(item_version=item, name="加急费", amount=None, standard="按页计")
    services.item_version_publish(version=item)
    pv = PackageVersionFactory()
    PackageItemFactory(package_version=pv, item=item.item)
    plan = selectors.package_plan(pv, {})
    assert plan.fees_total == Decimal("10")
    assert plan.has_unpriced_fees
    assert [f.name for f in plan.fees] == ["工本费", "加急费"]


# -------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"sells_food": True, "venue": "mall"}, "area_sqm", "经营场所面积是多少"),
        ({"area_sqm": "很大", "sells_food": True, "venue": "mall"}, "area_sqm", "请填写数字"),
        ({"area_sqm": 10, "sells_food": "也许", "venue": "mall"}, "sells_food", "请回答是或否"),
        ({"area_sqm": 10, "sells_food": True, "venue": "moon"}, "venue", "选项“moon”无效"),
        ({**SMALL_SNACK_BAR, "pets": True}, "pets", "未知的情形问题"),
        ({"area_sqm": "NaN", "sells_food": True, "venue": "mall"}, "area_sqm", "请填写数字"),
    ],
)
def test_invalid_answers_are_refused_naming_the_question(restaurant, answers, field, message):
    with pytest.raises(ValidationFailed) as exc:
        selectors.package_plan(restaurant.package_version, answers)
    assert exc.value.field == field
    assert message in exc.value.message


def test_plan_refuses_item_without_published_version():
    pv = PackageVersionFactory()
    PackageItemFactory(package_version=pv, item=ServiceItemVersionFactory().item)
    with pytest.raises(ValidationFailed, match="暂无已发布版本"):
        selectors.package_plan(pv, {})


# ----------------------------------------------------------------- package versions


def test_package_publish_and_new_version_retires_old(restaurant):
    pv = restaurant.package_version
    services.package_version_publish(version=pv)
    assert selectors.package_version_current(pv.package) == pv
    draft = services.package_version_create_draft(package=pv.package)
    services.package_version_publish(version=draft)
    pv.refresh_from_db()
    assert pv.status == VersionStatus.RETIRED
    assert selectors.package_version_current(pv.package) == draft


def test_package_draft_copies_items_dependencies_questions_and_form(restaurant):
    pv = restaurant.package_version
    services.package_version_publish(version=pv)
    draft = services.package_version_create_draft(package=pv.package)
    assert list(draft.package_items.values_list("item_id", "condition")) == list(
        pv.package_items.values_list("item_id", "condition")
    )
    edges = {(d.before.item_id, d.after.item_id) for d in draft.dependencies.all()}
    assert edges == {(d.before.item_id, d.after.item_id) for d in pv.dependencies.all()}
    assert all(d.before.package_version_id == draft.pk for d in draft.dependencies.all())
    assert list(draft.questions.values_list("key", flat=True)) == [
        "area_sqm",
        "sells_food",
        "venue",
    ]
    dishes = draft.form_fields.get(key="dishes")
    assert [i.item_id for i in dishes.items.all()] == [restaurant.food.item_id]
    assert dishes.items.get().package_version_id == draft.pk
    assert selectors.package_plan(draft, SMALL_SNACK_BAR).items


def test_editing_published_package_is_refused(restaurant):
    pv = restaurant.package_version
    services.package_version_publish(version=pv)
    with pytest.raises(VersionImmutable):
        services.package_version_update(version=pv, promised_days=1)
    with pytest.raises(VersionImmutable):
        services.package_dependency_add(
            package_version=pv, before=restaurant.food, after=restaurant.seal
        )
    with pytest.raises(VersionImmutable):
        services.package_item_remove(package_item=restaurant.seal)


def test_package_publish_refused_when_chain_exceeds_promise(restaurant):
    pv = restaurant.package_version
    services.package_version_update(version=pv, promised_days=6)  # licence 3 + food 5 = 8
    with pytest.raises(PublishRefused, match="最长前置链"):
        services.package_version_publish(version=pv)


def test_package_item_condition_must_reference_known_question(restaurant):
    with pytest.raises(ValidationFailed, match="不存在的情形问题“floors”"):
        services.package_item_add(
            package_version=restaurant.package_version,
            item=ServiceItemVersionFactory().item,
            condition={"question": "floors", "op": ">", "value": 2},
        )


def test_choice_question_needs_two_choices(restaurant):
    with pytest.raises(ValidationFailed, match="至少需要两个选项"):
        services.situation_question_add(
            package_version=restaurant.package_version,
            key="kind",
            text="类型",
            kind="choice",
            choices=[{"value": "a", "label": "甲"}],
        )


def test_plan_query_count_does_not_grow_with_items(restaurant, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        plan = selectors.package_plan(
            restaurant.package_version, {"area_sqm": 80, "sells_food": True, "venue": "street"}
        )
        assert len(plan.items) == 4
        assert [f.key for f in plan.form_fields]
