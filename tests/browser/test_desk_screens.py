"""Screenshots of every desk at phone and desktop width, for a person to look at.

Not an assertion suite: runs only with ``ONESTOP_SHOTS=<directory>`` set, writes
``desk-<page>-<phone|desktop>.png`` there and checks only that each page loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onestop.cases.models import Case, ItemTask
from onestop.cases.states import CaseState, TaskState
from onestop.demo.data.people import DEMO_PASSWORD, ENTERPRISES
from onestop.demo.loader import demo_load
from tests.browser_fixtures import DESKTOP, PHONE

SHOTS = os.environ.get("ONESTOP_SHOTS", "")
pytestmark = pytest.mark.skipif(not SHOTS, reason="set ONESTOP_SHOTS=<dir> to take screenshots")


def test_take_desk_screenshots(login, live_server, transactional_db):
    demo_load()
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    waiting = Case.objects.filter(state=CaseState.SUBMITTED, region_code__startswith="4309")
    desk_case = waiting.order_by("submitted_at").first()
    task = (
        ItemTask.objects.filter(
            department__kind="market", state__in=[TaskState.CLAIMED, TaskState.PAUSED]
        ).first()
        or ItemTask.objects.filter(department__kind="market").first()
    )
    pages = {
        "clerk": [
            ("queue", "/desk/window/"),
            ("case", f"/desk/window/cases/{desk_case.number}/"),
            ("intake", "/desk/window/intake/"),
            ("handout", "/desk/window/handout/"),
        ],
        "officer_market": [("inbox", "/desk/inbox/"), ("task", f"/desk/tasks/{task.pk}/")],
        "chief_market": [("inbox-chief", "/desk/inbox/")],
    }
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        for user, shots in pages.items():
            page = login(user, DEMO_PASSWORD, viewport)
            for name, url in shots:
                response = page.goto(url)
                assert response.status == 200, url
                page.screenshot(path=str(out / f"desk-{name}-{label}.png"), full_page=True)
            if user == "clerk":
                page.goto("/desk/window/intake/")
                page.fill("#identifier", ENTERPRISES[0].uscc)
                page.click("#find-form button")
                page.wait_for_load_state()
                page.screenshot(path=str(out / f"desk-intake-found-{label}.png"), full_page=True)
                if page.locator("#package").count():
                    page.select_option("#package", label="我要开办企业")
                    page.click("#applicant-found button")
                    page.wait_for_load_state()
                    page.screenshot(path=str(out / f"desk-intake-q-{label}.png"), full_page=True)
                    for fieldset in page.locator("fieldset.question").all():
                        fieldset.locator("input").first.check()
                    page.click("#questions-form button")
                    page.wait_for_load_state()
                    page.screenshot(path=str(out / f"desk-intake-form-{label}.png"), full_page=True)
