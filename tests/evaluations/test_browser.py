"""In a browser: a case handed out at a window lights up the paired evaluator; a tap of
非常不满意 asks for content items; the rectification reaches the department's desk; the
feedback reaches the applicant's message box; the applicant rates it. Screenshots at 390
and 1024 px go to ONESTOP_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onestop.cases import services as case_services
from onestop.evaluations import services
from onestop.evaluations.models import Rating, Rectification
from onestop.evaluations.states import RatingChannel, RectificationState
from tests.browser_fixtures import _close, _page
from tests.factories.cases import start_business
from tests.factories.regions import HallFactory, WindowFactory

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    s = start_business()
    hall = HallFactory(region=s.county, name="赫山区政务服务中心")
    s.clerk.hall = hall
    s.clerk.save(update_fields=["hall"])
    s.extra["window"] = WindowFactory(hall=hall, number="8", name="综合受理")
    return s


def test_hand_out_lights_the_evaluator_and_the_bad_rating_runs_its_loop(
    world, browser, live_server, login, shots
):
    clerk = login(world.clerk.user.username)
    clerk.goto("/ratings/pair/")
    clerk.select_option("#id_window", str(world.extra["window"].pk))
    clerk.click("button[type=submit]")
    url = clerk.locator("#evaluator-url").get_attribute("href")

    context, tablet = _page(browser, live_server, TABLET)
    try:
        tablet.goto(url)
        assert tablet.locator("#idle").is_visible()
        tablet.screenshot(path=str(shots / "evaluator-idle-1024.png"))
        case = world.completed()
        case_services.case_hand_out(case_id=case.pk, clerk=world.clerk)  # hook after commit
        tablet.locator("#lit").wait_for(state="visible")
        assert tablet.locator("#case-title").inner_text() == case.title
        assert not tablet.locator("#indicators").is_visible()
        tablet.screenshot(path=str(shots / "evaluator-lit-1024.png"))
        tablet.click("label.level:has-text('非常不满意')")
        tablet.locator("#indicators").wait_for(state="visible")
        tablet.screenshot(path=str(shots / "evaluator-bad-1024.png"))
        tablet.click("#indicators button")  # nothing chosen: refused, says why
        tablet.locator("#error").wait_for(state="visible")
        assert "至少选择一项" in tablet.locator("#error").inner_text()
        tablet.click("#indicators label:has-text('服务态度')")
        tablet.click("#indicators button")
        tablet.locator("#thanks").wait_for(state="visible")
        tablet.screenshot(path=str(shots / "evaluator-thanks-1024.png"))
    finally:
        _close(context)
    rating = Rating.objects.get(case=case)
    assert rating.channel == RatingChannel.WINDOW_TABLET and rating.is_bad

    officer = login(world.officers["licence"].user.username)
    officer.goto("/ratings/desk/")
    officer.click(f"text={case.number}")
    officer.fill("#step-verify textarea[name=finding]", "电话联系评价人，等候时间过长属实")
    officer.check("#step-verify input[value=immediate]")
    officer.click("#step-verify button")
    officer.fill("#step-feedback textarea[name=reform_content]", "已增开一个出件窗口，并向您致歉")
    officer.click("#step-feedback button")
    officer.screenshot(path=str(shots / "rectification-desk-1366.png"), full_page=True)
    assert Rectification.objects.get(rating=rating).state == RectificationState.FED_BACK

    applicant = login(world.applicant.user.username, viewport=PHONE)
    applicant.goto("/messages/")
    assert "差评整改情况反馈" in applicant.content()
    applicant.screenshot(path=str(shots / "messages-390.png"), full_page=True)
    applicant.goto("/ratings/mine/")
    assert "已增开一个出件窗口" in applicant.content()
    applicant.click("label.level:has-text('基本满意')")
    applicant.click("form.rating-form button")
    applicant.wait_for_load_state()
    applicant.screenshot(path=str(shots / "mine-390.png"), full_page=True)
    rect = Rectification.objects.get(rating=rating)
    assert rect.state == RectificationState.RATED and rect.rater_opinion == "basic"


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["390", "1024"])
def test_the_public_page_asks_for_content_items_on_a_bad_rating(
    world, browser, live_server, shots, viewport
):
    case = world.completed()
    token = services.rating_token_issue(case_id=case.pk)
    context, page = _page(browser, live_server, viewport)
    try:
        page.goto(f"/ratings/t/{token.token}/")
        assert not page.locator("#indicators").is_visible()
        box = page.locator("label.level").first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44  # large targets
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(shots / f"public-{viewport['width']}.png"), full_page=True)
        page.click("label.level:has-text('不满意') >> nth=0")
        page.locator("#indicators").wait_for(state="visible")
        page.screenshot(path=str(shots / f"public-bad-{viewport['width']}.png"), full_page=True)
        page.click("button.submit")
        page.wait_for_load_state()
        assert "差评须至少选择一项评价内容" in page.content()
        page.click("#indicators label:has-text('服务效率')")
        page.click("button.submit")
        page.wait_for_load_state()
        assert "感谢您的评价" in page.content()
    finally:
        _close(context)
    assert Rating.objects.get(case=case).channel == RatingChannel.QR
