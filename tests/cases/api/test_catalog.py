"""The public catalogue: published packages and the plan for given answers."""

from __future__ import annotations

import pytest

from tests.cases.api.conftest import Api, assert_problem
from tests.factories.catalog import PackageVersionFactory


def test_published_packages_are_listed_for_anyone(setup):
    PackageVersionFactory(name="我要办一件草稿的事")  # a draft: not listed

    response = Api().get("/api/catalog/packages")

    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["我要开办企业"]
    assert response.json()[0]["lead_department"] == "赫山区市场监督管理局"


def test_a_package_shows_its_questions_and_items(setup):
    response = Api().get(f"/api/catalog/packages/{setup.package.package.code}")

    assert response.status_code == 200
    body = response.json()
    assert [q["key"] for q in body["questions"]] == ["needs_invoice"]
    assert [(i["name"], i["is_conditional"]) for i in body["items"]] == [
        ("企业设立登记", False),
        ("公章刻制备案", False),
        ("发票申领", True),
    ]


def test_an_unknown_or_unpublished_package_is_404(setup):
    draft = PackageVersionFactory()
    assert_problem(Api().get("/api/catalog/packages/NOPE"), 404)
    assert_problem(Api().get(f"/api/catalog/packages/{draft.package.code}"), 404)
    assert_problem(Api().post("/api/catalog/packages/NOPE/plan", {"answers": {}}), 404)


@pytest.mark.parametrize(
    ("invoice", "items"),
    [
        (True, ["000101001000", "000102002000", "000103003000"]),
        (False, ["000101001000", "000102002000"]),
    ],
)
def test_the_plan_follows_the_answers(setup, invoice, items):
    response = Api().post(
        f"/api/catalog/packages/{setup.package.package.code}/plan",
        {"answers": {"needs_invoice": invoice}},
    )

    assert response.status_code == 200, response.json()
    plan = response.json()
    assert sorted(i["code"] for i in plan["items"]) == items
    seal = next(i for i in plan["items"] if i["code"] == "000102002000")
    assert seal["depends_on"] == ["000101001000"]
    materials = {m["key"]: m for m in plan["materials"]}
    assert materials["lease"]["necessity"] == "tolerable"
    assert materials["residence_proof"]["necessity"] == "commitment"
    assert materials["business_licence"]["is_held_by_government"] is True
    assert [f["key"] for f in plan["form_fields"]] == [
        "company_name",
        "legal_person_id",
        "phone",
        "capital",
    ]
    assert plan["promised_days"] == 5


def test_what_the_plan_says_is_what_an_application_needs(setup, people):
    plan = (
        Api()
        .post(
            f"/api/catalog/packages/{setup.package.package.code}/plan",
            {"answers": setup.answers()},
        )
        .json()
    )
    from tests.cases.api.conftest import file_material

    materials = [
        file_material(m["key"])
        if m["necessity"] != "commitment"
        else {"key": m["key"], "commitment": "本人承诺属实。"}
        for m in plan["materials"]
        if not m["is_held_by_government"]
    ]
    response = people.api("owner").post(
        "/api/cases",
        {
            "package_code": plan["package_code"],
            "region_code": setup.county.code,
            "answers": setup.answers(),
            "form_data": setup.form(),
            "materials": materials,
        },
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {}}, "answers.needs_invoice"),
        ({"answers": {"needs_invoice": "maybe"}}, "answers.needs_invoice"),
        ({"answers": {"needs_invoice": True, "pets": 2}}, "answers.pets"),
        ({"answers": []}, "answers"),
    ],
)
def test_bad_answers_are_422_naming_the_question(setup, body, field):
    response = Api().post(f"/api/catalog/packages/{setup.package.package.code}/plan", body)
    assert_problem(response, 422, field)
