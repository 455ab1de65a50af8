"""An agent's flow for an elderly applicant (帮代办, 上门服务), in Chromium on the demo data.

龚建军, 芙蓉村's agent, visits 谢德明 (80) at home with a tablet (768 px): finds him, enters
社保卡, records that he confirmed the authorisation in person (his letter on record covers
老年优待证 only). The connection drops while the form is typed; submitting is held, the
page says the form is kept, and after the connection is back and the page reloaded the
typed form is there again and goes in. 谢德明 then sees on the portal what his agent did.
Screenshots (768 and 1366 px) go to ONESTOP_SHOTS when set, else the test's tmp dir.
"""

from __future__ import annotations

import os
from pathlib import Path

from onestop.accounts.models import Applicant
from onestop.cases.events import ON_BEHALF_OF
from onestop.cases.models import AuthorisationMethod, Case
from onestop.demo.agents import ELDERLY
from onestop.demo.data.people import DEMO_PASSWORD
from onestop.demo.loader import demo_load
from tests.browser_fixtures import DESKTOP

TABLET = {"width": 768, "height": 1024}
XIE = next(p for p in ELDERLY if p.username == "xiedeming")
NEW_ADDRESS = "益阳市赫山区泉交河镇芙蓉村七组12号（上门服务）"


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_an_agent_enters_a_case_at_an_elderly_applicants_home_through_a_lost_connection(
    login, live_server, transactional_db, tmp_path
):
    demo_load()
    shots = _shots(tmp_path)
    xie = Applicant.objects.get(id_number=XIE.id_number)

    page = login("agent", DEMO_PASSWORD, TABLET)
    page.goto("/desk/window/intake/")
    page.fill("#identifier", XIE.id_number)
    page.click("#find-form button")
    page.wait_for_load_state()
    page.select_option("#package", label="我要办理社保卡")
    page.click("#applicant-found button")
    page.wait_for_load_state()
    page.check("input[name=q_is_minor][value=false]")
    page.check("input[name=q_has_medical_insurance][value=true]")
    page.click("#questions-form button")
    page.wait_for_load_state()

    form = page.locator("#intake-form")
    expect()(form).to_be_visible()
    # no authorisation on record covers 社保卡: the agent records the in-person confirmation
    expect()(page.locator("#agent-authorisation .msg-success")).to_have_count(0)
    page.check("#agent_in_person")
    for box in form.locator("input.tick-box").all():
        box.check()
    # nothing on the tablet-width page runs off the side
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], width

    page.context.set_offline(True)
    page.fill("#f_address", NEW_ADDRESS)
    status = page.locator("[data-keep-status]")
    expect()(status).to_be_visible()
    expect()(status).to_contain_text("网络已断开")
    page.click("#intake-form button[type=submit]")
    expect()(status).to_contain_text("申请尚未提交")
    page.screenshot(path=str(shots / "agent-intake-offline-768.png"), full_page=True)
    assert not Case.objects.filter(applicant=xie, title__contains="社保卡").exists()

    page.context.set_offline(False)
    page.reload()
    page.wait_for_load_state()
    expect()(page.locator("#f_address")).to_have_value(NEW_ADDRESS)
    expect()(page.locator("#agent_in_person")).to_be_checked()
    expect()(page.locator("[data-keep-status]")).to_contain_text("已恢复")
    page.screenshot(path=str(shots / "agent-intake-restored-768.png"), full_page=True)
    page.click("#intake-form button[type=submit]")
    page.wait_for_load_state()
    expect()(page.locator(".msg-success").first).to_contain_text("已录入办件")
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('onestop-keep:'))")
    assert kept == []

    case = Case.objects.get(applicant=xie, title__contains="社保卡")
    assert case.agent.name == "龚建军" and case.form_data["address"] == NEW_ADDRESS
    assert case.authorisation.method == AuthorisationMethod.IN_PERSON
    assert case.authorisation.recorded_by == case.agent.user
    submitted = case.events.get()
    assert submitted.payload[ON_BEHALF_OF]["agent_name"] == "龚建军"

    # the applicant (his daughter set up his login) sees what the agent did
    for viewport, label in ((DESKTOP, "1366"), (TABLET, "768")):
        portal = login("xiedeming", DEMO_PASSWORD, viewport)
        portal.goto(f"/my/cases/{case.number}/")
        expect()(portal.locator("#agent-note")).to_contain_text("帮代办员 龚建军 代为办理")
        expect()(portal.locator(".timeline")).to_contain_text("帮代办员 龚建军 代为提交申请")
        portal.screenshot(path=str(shots / f"agent-portal-case-{label}.png"), full_page=True)
        portal.goto("/my/agents/")
        table = portal.locator("#authorisations")
        expect()(table).to_contain_text("当面确认")
        expect()(table).to_contain_text("签署授权委托书")
        portal.screenshot(
            path=str(shots / f"agent-portal-authorisations-{label}.png"), full_page=True
        )
    page.set_viewport_size(DESKTOP)
    page.goto("/desk/window/intake/")
    page.screenshot(path=str(shots / "agent-intake-home-1366.png"), full_page=True)
