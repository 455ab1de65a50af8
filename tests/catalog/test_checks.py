"""Every checker rule: one case that fires it and one that passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from onestop.catalog import checks, services
from onestop.catalog.checks import Severity
from onestop.catalog.models import (
    FormField,
    MaterialNecessity,
    MaterialRequirement,
    PackageDependency,
    PackageItem,
    ServiceItemVersion,
    SituationQuestion,
)
from onestop.workdays.units import TimeUnit
from tests.factories.catalog import (
    FeeItemFactory,
    FormFieldFactory,
    MaterialRequirementFactory,
    PackageItemFactory,
    PackageVersionFactory,
    ProcessStepFactory,
    ServiceItemVersionFactory,
)

pytestmark = pytest.mark.django_db

Setup = Callable[[ServiceItemVersion], Any]


def update(**fields: Any) -> Setup:
    return lambda v: services.item_version_update(version=v, **fields)


def both(*setups: Setup) -> Setup:
    def run(v: ServiceItemVersion) -> None:
        for setup in setups:
            setup(v)

    return run


def fee(**fields: Any) -> Setup:
    return lambda v: FeeItemFactory(item_version=v, **fields)


def material(**fields: Any) -> Setup:
    return lambda v: MaterialRequirementFactory(item_version=v, **fields)


def id_card(**fields: Any) -> Setup:
    return lambda v: MaterialRequirement.objects.filter(item_version=v, key="id_card").update(
        **fields
    )


PAID = update(has_fee=True, fee_basis="湘价费〔2019〕1号", supports_online_payment=True)
NO_VISIT_ONLINE = update(visits=0, visit_reason="", online_depth=4, handling_forms=["2"])

# (code, severity, setup that fires it, setup that passes — None means the valid baseline)
ITEM_CASES: list[tuple[str, str, Setup, Setup | None]] = [
    ("guide_fields_missing", "error", update(place="", conditions=" "), None),
    ("materials_missing", "error", lambda v: v.materials.all().delete(), None),
    ("steps_missing", "error", lambda v: v.steps.all().delete(), None),
    ("depth4_visits", "error", update(online_depth=4), NO_VISIT_ONLINE),
    ("visit_reason_missing", "error", update(visit_reason=""), None),
    (
        "visit_reason_superfluous",
        "warning",
        update(visits=0, supports_material_mail=True),
        update(visits=0, visit_reason="", supports_material_mail=True),
    ),
    (
        "zero_visit_needs_mail",
        "error",
        update(visits=0, visit_reason="", online_depth=2),
        update(visits=0, visit_reason="", online_depth=2, supports_material_mail=True),
    ),
    ("handling_forms_invalid", "error", update(handling_forms=["1", "7"]), None),
    ("handling_forms_missing", "warning", update(handling_forms=[]), None),
    (
        "handling_forms_online",
        "warning",
        both(NO_VISIT_ONLINE, update(handling_forms=["1"])),
        NO_VISIT_ONLINE,
    ),
    ("fee_items_without_fee", "error", fee(), both(PAID, fee())),
    ("fee_basis_missing", "error", both(PAID, update(fee_basis=""), fee()), both(PAID, fee())),
    ("fee_items_missing", "error", PAID, both(PAID, fee())),
    (
        "fee_standard_missing",
        "error",
        both(PAID, fee(standard="", amount=None)),
        both(PAID, fee(standard="按件收取", amount=None)),
    ),
    (
        "fee_online_payment",
        "error",
        both(NO_VISIT_ONLINE, PAID, update(supports_online_payment=False), fee()),
        both(NO_VISIT_ONLINE, PAID, fee()),
    ),
    (
        "fee_online_payment",
        "warning",
        both(PAID, update(supports_online_payment=False), fee()),
        both(PAID, fee()),
    ),
    ("consultation_phone_missing", "error", update(consultation_phone=""), None),
    ("complaint_phone_missing", "error", update(complaint_phone=""), None),
    (
        "phones_same",
        "error",
        update(consultation_phone="0737-4221234", complaint_phone="0737-4221234"),
        None,
    ),
    (
        "phone_area_code",
        "error",
        update(consultation_phone="13807371234"),
        update(consultation_phone="0737-4221234；07374221235"),
    ),
    (
        "office_hours_workday",
        "error",
        update(office_hours="周一至周五 9:00-17:00"),
        update(office_hours="法定工作日 9:00-17:00"),
    ),
    (
        "promised_exceeds_legal",
        "error",
        update(promised_days=25),
        update(promised_days=20, legal_limit=20),
    ),
    (
        "promised_exceeds_legal",
        "error",
        update(legal_limit=4, legal_limit_unit=TimeUnit.NATURAL_DAY),
        update(legal_limit=20, legal_limit_unit=TimeUnit.NATURAL_DAY),
    ),
    (
        "promised_legal_units",
        "warning",
        update(promised_days=25, promised_unit=TimeUnit.NATURAL_DAY),
        update(promised_days=5, promised_unit=TimeUnit.NATURAL_DAY),
    ),
    (
        "immediate_case_limit",
        "error",
        update(case_type="1"),
        both(
            update(case_type="1", promised_days=1),
            lambda v: v.steps.filter(limit_days__gt=1).update(limit_days=0),
        ),
    ),
    ("promised_case_zero", "warning", update(promised_days=0), None),
    ("steps_exceed_promised", "error", update(promised_days=3), update(promised_days=5)),
    (
        "step_units_mixed",
        "warning",
        lambda v: ProcessStepFactory(item_version=v, limit_unit=TimeUnit.NATURAL_DAY, limit_days=0),
        lambda v: ProcessStepFactory(item_version=v, limit_days=0),
    ),
    (
        "special_procedure_note",
        "warning",
        lambda v: ProcessStepFactory(item_version=v, limit_days=0, has_special_procedure=True),
        lambda v: ProcessStepFactory(
            item_version=v,
            limit_days=0,
            has_special_procedure=True,
            special_procedure_note="现场核查",
        ),
    ),
    (
        "tolerable_only",
        "error",
        id_card(necessity=MaterialNecessity.TOLERABLE),
        material(necessity=MaterialNecessity.TOLERABLE),
    ),
    (
        "commitment_item_type",
        "error",
        both(update(item_type="06"), material(necessity=MaterialNecessity.COMMITMENT)),
        both(update(item_type="07"), material(necessity=MaterialNecessity.COMMITMENT)),
    ),
    (
        "licence_type_missing",
        "error",
        material(source="licence"),
        material(source="licence", licence_type="营业执照"),
    ),
    (
        "material_condition_invalid",
        "error",
        material(condition={"question": "area", "op": "approx", "value": 1}),
        material(condition={"any": [{"question": "area", "op": ">", "value": 1}]}),
    ),
]


def _findings(setup: Setup | None) -> list[checks.Finding]:
    version = ServiceItemVersionFactory()
    if setup is not None:
        setup(version)
    version.refresh_from_db()
    return checks.item_version_check(version)


def test_factory_item_passes_every_rule():
    assert _findings(None) == []


def test_every_item_rule_has_a_case():
    codes = {case[0] for case in ITEM_CASES}
    assert len({rule.__name__ for rule in checks.ITEM_RULES}) == len(checks.ITEM_RULES)
    assert len(codes) >= 30


@pytest.mark.parametrize(
    ("code", "severity", "bad", "good"), ITEM_CASES, ids=[c[0] for c in ITEM_CASES]
)
def test_item_rule_fires(code, severity, bad, good):
    found = [(f.code, f.severity) for f in _findings(bad)]
    assert (code, severity) in found


@pytest.mark.parametrize(
    ("code", "severity", "bad", "good"), ITEM_CASES, ids=[c[0] for c in ITEM_CASES]
)
def test_item_rule_passes(code, severity, bad, good):
    assert code not in [f.code for f in _findings(good)]


def test_findings_name_their_subject_and_errors_come_first():
    findings = _findings(both(update(handling_forms=[]), update(consultation_phone="")))
    assert findings[0].is_error
    assert findings[-1].severity == Severity.WARNING
    assert "v1" in findings[0].subject


@pytest.mark.parametrize(
    ("days", "unit", "limit", "limit_unit", "expected"),
    [
        (5, "workday", 5, "workday", False),
        (6, "workday", 5, "workday", True),
        (6, "workday", 5, "natural_day", True),
        (5, "workday", 6, "natural_day", None),
        (5, "natural_day", 5, "workday", False),
        (8, "natural_day", 5, "workday", None),
    ],
)
def test_time_unit_comparison_is_conservative(days, unit, limit, limit_unit, expected):
    assert checks._exceeds(days, unit, limit, limit_unit) is expected


# ----------------------------------------------------------------------------- packages


def _package_codes(pv) -> list[tuple[str, str]]:
    pv.refresh_from_db()
    return [(f.code, f.severity) for f in checks.package_version_check(pv)]


def test_restaurant_package_passes_every_rule(restaurant):
    assert _package_codes(restaurant.package_version) == []


def _published_item_with(**material_fields):
    version = ServiceItemVersionFactory()
    MaterialRequirementFactory(item_version=version, **material_fields)
    services.item_version_publish(version=version)
    return version


PACKAGE_CASES: list[tuple[str, str, Callable[[Any], Any]]] = [
    (
        "package_lead_department",
        "error",
        lambda r: services.package_version_update(version=r.package_version, lead_department=None),
    ),
    (
        "package_item_unpublished",
        "error",
        lambda r: PackageItemFactory(
            package_version=r.package_version, item=ServiceItemVersionFactory().item
        ),
    ),
    (
        "dependency_cycle",
        "error",
        lambda r: PackageDependency.objects.create(
            package_version=r.package_version, before=r.seal, after=r.licence
        ),
    ),
    (
        "dependency_foreign",
        "error",
        lambda r: PackageDependency.objects.create(
            package_version=r.package_version, before=r.seal, after=PackageItemFactory()
        ),
    ),
    (
        "question_invalid",
        "error",
        lambda r: SituationQuestion.objects.filter(key="venue").update(
            choices=[{"value": "x", "label": "x"}]
        ),
    ),
    (
        "condition_invalid",
        "error",
        lambda r: PackageItem.objects.filter(pk=r.fire.pk).update(
            condition={"question": "floors", "op": ">", "value": 1}
        ),
    ),
    (
        "condition_invalid",
        "error",
        lambda r: FormField.objects.filter(key="mall_name").update(
            condition={"question": "venue", "op": "==", "value": "moon"}
        ),
    ),
    (
        "material_condition_unknown_question",
        "error",
        lambda r: services.package_item_add(
            package_version=r.package_version,
            item=_published_item_with(condition={"question": "floors", "op": ">", "value": 2}).item,
        ),
    ),
    (
        "question_unused",
        "warning",
        lambda r: services.situation_question_add(
            package_version=r.package_version, key="staff", text="员工人数", kind="number"
        ),
    ),
    (
        "form_field_choices",
        "error",
        lambda r: FormFieldFactory(package_version=r.package_version, kind="choice"),
    ),
    (
        "form_field_items_foreign",
        "error",
        lambda r: FormField.objects.get(key="dishes").items.add(PackageItemFactory()),
    ),
    (
        "package_promised_short",
        "error",
        lambda r: services.package_version_update(version=r.package_version, promised_days=7),
    ),
    (
        "package_promised_long",
        "warning",
        lambda r: services.package_version_update(version=r.package_version, promised_days=15),
    ),
    (
        "package_units_mixed",
        "warning",
        lambda r: ServiceItemVersion.objects.filter(pk=r.versions["seal"].pk).update(
            promised_unit=TimeUnit.NATURAL_DAY
        ),
    ),
    (
        "package_subject_mismatch",
        "warning",
        lambda r: ServiceItemVersion.objects.filter(pk=r.versions["seal"].pk).update(
            service_object="person"
        ),
    ),
    (
        "package_life_event_missing",
        "warning",
        lambda r: services.package_version_update(version=r.package_version, life_event=""),
    ),
    (
        "package_keywords_missing",
        "warning",
        lambda r: services.package_version_update(version=r.package_version, keywords=""),
    ),
    (
        "material_source_mixed",
        "warning",
        lambda r: MaterialRequirement.objects.filter(
            item_version=r.versions["food"], key="business_licence"
        ).update(source="applicant"),
    ),
]


@pytest.mark.parametrize(
    ("code", "severity", "bad"), PACKAGE_CASES, ids=[c[0] for c in PACKAGE_CASES]
)
def test_package_rule_fires(restaurant, code, severity, bad):
    bad(restaurant)
    assert (code, severity) in _package_codes(restaurant.package_version)


def test_empty_package_needs_items():
    assert ("package_no_items", "error") in _package_codes(PackageVersionFactory())


def test_package_with_item_passes_no_items_rule(restaurant):
    assert "package_no_items" not in [c for c, _ in _package_codes(restaurant.package_version)]


def test_cycle_message_names_the_items(restaurant):
    PackageDependency.objects.create(
        package_version=restaurant.package_version, before=restaurant.seal, after=restaurant.licence
    )
    messages = [f.message for f in checks.package_version_check(restaurant.package_version)]
    assert any(
        "企业设立登记 → 公章刻制备案 → 企业设立登记" in m
        or "公章刻制备案 → 企业设立登记 → 公章刻制备案" in m
        for m in messages
    )


def test_promised_short_names_the_chain(restaurant):
    pv = services.package_version_update(version=restaurant.package_version, promised_days=7)
    messages = [f.message for f in checks.package_version_check(pv)]
    assert "最长前置链（企业设立登记 → 食品经营许可）需要 8 天" in "".join(messages) or (
        "最长前置链（企业设立登记 → 公众聚集场所投入使用、营业前消防安全检查）需要 8 天"
        in "".join(messages)
    )


def test_material_condition_unknown_to_a_published_package_warns(restaurant):
    services.package_version_publish(version=restaurant.package_version)
    food = restaurant.versions["food"]
    draft = services.item_version_create_draft(item=food.item)

    def codes() -> list[tuple[str, str]]:
        return [(f.code, f.severity) for f in checks.item_version_check(draft)]

    assert "material_condition_package_question" not in dict(codes())  # sells_food is asked
    services.material_add(
        item_version=draft,
        key="floor_plan",
        name="平面图",
        condition={"question": "floors", "op": ">", "value": 1},
    )
    assert ("material_condition_package_question", "warning") in codes()


def test_case_type_has_the_national_codes_including_other():
    from onestop.catalog.models import CaseType

    assert [(c.value, str(c.label)) for c in CaseType] == [
        ("1", "即办件"),
        ("2", "承诺件"),
        ("9", "其他"),
    ]
