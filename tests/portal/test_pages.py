from __future__ import annotations

from urllib.parse import unquote

import pytest

OPEN_BUSINESS = "4309YJS0101"
ANSWERS = {
    "a-enterprise_type": "company",
    "a-needs_seal": "yes",
    "a-needs_invoices": "yes",
    "a-sells_food": "no",
    "a-hires_staff": "no",
}


def test_home_groups_packages_for_people_and_enterprises(client, demo):
    html = client.get("/").content.decode()
    assert "个人办事" in html and "企业办事" in html
    assert "企业开办" in html and "我要开办企业" in html
    assert "就业创业" in html and "我要办理失业登记" in html
    assert "单项事项" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("开饭店", "我要开办企业"), ("失业", "我要办理失业登记"), ("社保卡", "我要办理社保卡")],
)
def test_search_page_lists_the_package(client, demo, query, expected):
    html = client.get("/search/", {"q": query}).content.decode()
    assert expected in html
    assert "没有找到" not in html


def test_search_without_results_helps(client, demo):
    html = client.get("/search/", {"q": "量子计算机"}).content.decode()
    assert "没有找到与“量子计算机”相关的事项" in html
    assert "换一种说法试试" in html


def test_package_page_asks_the_questions_before_the_guide(client, demo):
    html = client.get(f"/packages/{OPEN_BUSINESS}/").content.decode()
    assert "您要开办的企业类型是？" in html
    assert "还有 5 个问题未回答" in html
    assert "申请材料（已合并去重）" not in html


def _guide(response) -> str:
    return response.content.decode().split('id="guide"', 1)[1]


def test_guide_lists_items_materials_time_and_place(client, demo):
    html = _guide(client.get(f"/packages/{OPEN_BUSINESS}/", ANSWERS))
    assert "申请材料（已合并去重）" in html
    assert "印章" in html  # 公章刻制备案 applies with needs_seal
    assert "食品经营许可" not in html
    assert "2 个工作日" in html
    assert "益阳市政务服务中心" in html
    assert "无需提交" in html or "可容缺后补" in html


def test_guide_follows_the_answers(client, demo):
    food = client.get(f"/packages/{OPEN_BUSINESS}/", {**ANSWERS, "a-sells_food": "yes"})
    assert "食品经营许可" in _guide(food)


def test_htmx_request_gets_only_the_guide(client, demo):
    response = client.get(f"/packages/{OPEN_BUSINESS}/", ANSWERS, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card guide" id="guide"')
    assert "<html" not in html


def test_invalid_number_answer_is_explained(client, demo):
    html = client.get("/packages/4309YJS0304/", {"a-age": "八十"}).content.decode()
    assert "请填写数字" in html


def test_unknown_package_is_404(client, demo):
    assert client.get("/packages/NOPE/").status_code == 404


def test_guide_pdf_has_a_chinese_file_name(client, demo):
    response = client.get(f"/packages/{OPEN_BUSINESS}/guide.pdf", ANSWERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "我要开办企业-一次告知书.pdf"


def test_guide_pdf_without_answers_goes_back_to_the_questions(client, demo):
    response = client.get(f"/packages/{OPEN_BUSINESS}/guide.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/packages/{OPEN_BUSINESS}/")


def test_item_page(client, demo):
    from onestop.catalog.selectors import item_search_queryset

    code = item_search_queryset("").select_related("item").first().item.basic_code
    assert client.get(f"/items/{code}/").status_code == 200


def test_pages_in_english(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Services for individuals" in html and "Services for enterprises" in html
    guide = client.get(f"/packages/{OPEN_BUSINESS}/", ANSWERS).content.decode()
    assert "Please answer these questions" in guide and "Materials (merged, no duplicates)" in guide
