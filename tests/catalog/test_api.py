"""The public catalogue API (src/onestop/catalog/api.py): no login needed."""

from __future__ import annotations

import pytest

from onestop.catalog import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(restaurant):
    services.package_version_publish(version=restaurant.package_version)
    return restaurant


def test_list_shows_published_packages_only(client, published):
    draft = services.package_create(code="YJS-DRAFT", name="草稿一件事", lead_department=None)
    response = client.get("/api/catalog/packages")
    assert response.status_code == 200
    codes = [p["code"] for p in response.json()]
    assert codes == ["YJS-CANYIN"]
    assert draft.package.code not in codes


def test_detail_lists_questions_and_items(client, published):
    response = client.get("/api/catalog/packages/YJS-CANYIN")
    assert response.status_code == 200
    body = response.json()
    assert [q["key"] for q in body["questions"]] == ["area_sqm", "sells_food", "venue"]
    conditional = {i["name"]: i["is_conditional"] for i in body["items"]}
    assert conditional["食品经营许可"] is True
    assert conditional["企业设立登记"] is False


def test_detail_of_unknown_or_unpublished_package_is_404(client, restaurant):
    response = client.get("/api/catalog/packages/YJS-CANYIN")  # still a draft
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_plan_for_answers(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.post(
            "/api/catalog/packages/YJS-CANYIN/plan",
            {"answers": {"area_sqm": 30, "sells_food": True, "venue": "street"}},
            content_type="application/json",
        )
    assert response.status_code == 200
    body = response.json()
    assert [i["name"] for i in body["items"]] == ["企业设立登记", "食品经营许可", "公章刻制备案"]
    assert body["items"][1]["depends_on"] == ["0700001000"]
    licence = next(m for m in body["materials"] if m["key"] == "business_licence")
    assert licence["is_held_by_government"] is True
    assert body["answers"]["area_sqm"] == "30"


def test_plan_with_missing_answer_is_422_naming_it(client, published):
    response = client.post(
        "/api/catalog/packages/YJS-CANYIN/plan",
        {"answers": {"sells_food": True, "venue": "street"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "answers.area_sqm"
    assert "经营场所面积是多少" in body["detail"]
