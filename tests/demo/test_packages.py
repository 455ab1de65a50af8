"""The demo packages behave as the seed describes when an applicant answers the questions."""

from __future__ import annotations

import pytest

from onestop.catalog.models import MaterialSource
from onestop.catalog.selectors import package_plan, package_version_by_code
from onestop.demo.data import catalog as catalog_data

OPEN_BUSINESS_ANSWERS = {
    "enterprise_type": "company",
    "needs_seal": True,
    "needs_invoices": True,
    "sells_food": True,
    "hires_staff": False,
}


def _plan(code: str, **answers):
    version = package_version_by_code(code)
    assert version is not None
    return package_plan(version, answers)


def _codes(plan) -> list[str]:
    return [p.package_item.item.basic_code for p in plan.items]


@pytest.mark.django_db
def test_opening_a_food_business_adds_the_food_licence_and_asks_for_the_id_card_once(demo):
    plan = _plan(catalog_data.OPEN_BUSINESS.code, **OPEN_BUSINESS_ANSWERS)

    names = [p.name for p in plan.items]
    assert "食品经营许可（新办）" in names
    assert names[0] == "企业设立登记"  # registration first: everything else depends on it
    keys = [m.key for m in plan.materials]
    assert keys.count("id_card") == 1
    id_card = next(m for m in plan.materials if m.key == "id_card")
    assert id_card.is_held_by_government
    assert len(id_card.item_names) == 4
    assert plan.promised_days == 2


@pytest.mark.django_db
def test_without_food_there_is_no_food_licence_and_no_food_materials(demo):
    plan = _plan(catalog_data.OPEN_BUSINESS.code, **{**OPEN_BUSINESS_ANSWERS, "sells_food": False})

    assert catalog_data.FOOD_LICENCE not in _codes(plan)
    keys = {m.key for m in plan.materials}
    assert "food_safety_rules" not in keys
    assert "food_business_kind" not in {f.key for f in plan.form_fields}


@pytest.mark.django_db
def test_seal_and_invoices_wait_for_registration_and_use_the_fetched_licence(demo):
    plan = _plan(catalog_data.OPEN_BUSINESS.code, **OPEN_BUSINESS_ANSWERS)
    by_code = {p.package_item.item.basic_code: p for p in plan.items}
    registration = by_code[catalog_data.COMPANY_REGISTRATION].package_item.pk
    for code in (catalog_data.SEAL_FILING, catalog_data.FIRST_INVOICES):
        assert by_code[code].depends_on == [registration]
    licence = next(m for m in plan.materials if m.key == "business_licence")
    assert licence.source == MaterialSource.LICENCE


@pytest.mark.django_db
def test_enterprise_type_decides_articles_or_partnership_agreement(demo):
    company = _plan(catalog_data.OPEN_BUSINESS.code, **OPEN_BUSINESS_ANSWERS)
    partnership = _plan(
        catalog_data.OPEN_BUSINESS.code,
        **{**OPEN_BUSINESS_ANSWERS, "enterprise_type": "partnership"},
    )
    assert "articles_of_association" in {m.key for m in company.materials}
    assert "partnership_agreement" not in {m.key for m in company.materials}
    assert "partnership_agreement" in {m.key for m in partnership.materials}
    assert "registered_capital" not in {f.key for f in partnership.form_fields}


@pytest.mark.django_db
def test_real_estate_mortgage_only_is_one_item_and_transfer_with_loan_is_four(demo):
    mortgage_only = _plan(
        catalog_data.REAL_ESTATE.code, registration_kind="mortgage_only", has_loan=True
    )
    with_loan = _plan(catalog_data.REAL_ESTATE.code, registration_kind="transfer", has_loan=True)
    cash = _plan(catalog_data.REAL_ESTATE.code, registration_kind="transfer", has_loan=False)

    assert _codes(mortgage_only) == [catalog_data.MORTGAGE_REGISTRATION]
    assert len(with_loan.items) == 4
    assert catalog_data.MORTGAGE_REGISTRATION not in _codes(cash)
    assert with_loan.fees_total == 160


@pytest.mark.django_db
def test_village_packages_are_finished_on_the_spot(demo):
    for spec in catalog_data.VILLAGE_PACKAGES:
        version = package_version_by_code(spec.code)
        assert version.promised_days == 0
        for package_item in version.package_items.select_related("item"):
            current = package_item.item.versions.get(status="published")
            assert current.case_type == "1"  # 即办件


@pytest.mark.django_db
def test_older_applicants_also_get_the_longevity_allowance(demo):
    young = _plan("4309YJS0304", age=65)
    old = _plan("4309YJS0304", age=82)
    assert catalog_data.LONGEVITY_ALLOWANCE not in _codes(young)
    assert catalog_data.LONGEVITY_ALLOWANCE in _codes(old)
