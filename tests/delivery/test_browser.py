"""In Chromium: 邮政双向专递 end to end. The applicant adds an address on their case page and
chooses 邮寄送达 with the signed free-post authorisation; the window clerk posts the result
from the 寄递台 (workbench nav "post") and opens the label; after the carrier simulator's
clock moves and the desk syncs, the applicant's page shows the tracking and the case is handed
out. Screenshots of the applicant's section (390 px and 1366 px) go to ``ONESTOP_SHOTS`` when
set (to look at), else to a temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

from onestop.cases.states import CaseState
from onestop.delivery.models import DeliveryChoice, Shipment
from onestop.delivery.states import ShipmentState
from tests.browser_fixtures import DESKTOP, PHONE
from tests.delivery.conftest import STEP

PHONE_NUMBER = "13807371234"
ADDRESS = "湖南省益阳市赫山区龙岭大道88号3栋"


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def _shots(tmp_path) -> Path:
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _section_shots(page, out: Path, stem: str) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.locator("#post").screenshot(path=str(out / f"{stem}_{viewport['width']}.png"))
    page.set_viewport_size(DESKTOP)


def test_post_the_result_and_track_it_to_the_applicant(
    transactional_db, setup, simulator, login, tmp_path
):
    case = setup.completed()
    shots = _shots(tmp_path)

    # 1. The applicant: an address, then 邮寄送达 with the signed authorisation.
    applicant = login(setup.applicant.user.username)
    applicant.goto(f"/my/cases/{case.number}/")
    post = applicant.locator("#post")
    expect()(post).to_contain_text("政务服务专递免费寄递委托书")
    post.locator("summary", has_text="添加收件地址").click()
    applicant.fill("#post-name", "李四")
    applicant.fill("#post-phone", PHONE_NUMBER)
    applicant.fill("#post-address", ADDRESS)
    _section_shots(applicant, shots, "post_form")  # both forms open, the address typed
    post.get_by_role("button", name="保存地址").click()
    applicant.wait_for_load_state()
    expect()(applicant.locator("body")).to_contain_text("地址已保存")

    post = applicant.locator("#post")
    post.locator("input[name=method][value=post]").check()
    post.locator("input[name=address]").first.check()
    post.locator("input[name=authorisation]").check()
    post.get_by_role("button", name="保存送达方式").click()
    applicant.wait_for_load_state()
    expect()(applicant.locator("body")).to_contain_text("送达方式已保存")
    post = applicant.locator("#post")
    expect()(post).to_contain_text("送达方式：邮寄送达 · 李* 138****1234")
    expect()(post).to_contain_text("签署免费寄递委托书")
    html = applicant.content()
    assert PHONE_NUMBER not in html and "88号3栋" not in html
    choice = DeliveryChoice.objects.get(case=case)
    assert choice.method == "post" and choice.authorisation_signed_at is not None
    _section_shots(applicant, shots, "post_chosen")

    # 2. The window clerk: the 寄递台 from the workbench nav, 交邮寄出, the label.
    desk = login(setup.clerk.user.username)
    desk.goto("/desk/")
    desk.locator("nav a", has_text="邮政寄递").click()
    desk.wait_for_load_state()
    assert desk.url.endswith("/delivery/desk/")
    row = desk.locator(f"#awaiting-{case.number}")
    expect()(row).to_be_visible()
    row.get_by_role("button", name="交邮寄出").click()
    desk.wait_for_load_state()
    shipment = Shipment.objects.get(case=case)
    assert shipment.state == ShipmentState.CREATED and shipment.waybill_no
    expect()(desk.locator("body")).to_contain_text(f"已交邮寄出，运单号 {shipment.waybill_no}")
    expect()(desk.locator(f"#awaiting-{case.number}")).to_have_count(0)
    under_way = desk.locator(f"#under-way #shipment-{shipment.pk}")
    expect()(under_way).to_contain_text(shipment.waybill_no)
    expect()(under_way).not_to_contain_text(PHONE_NUMBER)
    href = under_way.get_by_role("link", name="面单").get_attribute("href")
    label = desk.request.get(href)
    assert label.status == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.body().startswith(b"%PDF")

    # 3. The carrier delivers (its clock moves four steps); the desk syncs.
    simulator.advance(STEP * 4)
    desk.get_by_role("button", name="刷新物流轨迹").click()
    desk.wait_for_load_state()
    expect()(desk.locator("body")).to_contain_text("已同步")
    shipment.refresh_from_db()
    case.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED and shipment.handed_out_at is not None
    assert case.state == CaseState.DELIVERED

    applicant.goto(f"/my/cases/{case.number}/")
    post = applicant.locator("#post")
    expect()(post).to_contain_text(shipment.waybill_no)
    tracking = post.locator("ol.tracking")
    for step in ("已揽收", "运输中", "派送中", "已签收"):
        expect()(tracking).to_contain_text(step)
    expect()(applicant.locator(".facts .state")).to_have_text("已送达/已领取")
    assert PHONE_NUMBER not in applicant.content()
    _section_shots(applicant, shots, "post")
