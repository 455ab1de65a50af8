"""The supervisor desk in Chromium at phone (390 px) and desktop (1366 px) width.

Screenshots go to ``$ONESTOP_SHOTS`` (or the test's temporary directory) as
``supervision-<page>-<phone|desktop>.png``, for a person to look at.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from django.db import connection

from onestop.demo.data.people import DEMO_PASSWORD
from onestop.demo.loader import demo_load
from onestop.supervision.models import SupervisionOrder
from tests.browser_fixtures import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def _load_demo() -> None:
    """The demo, loaded in a thread of its own: Playwright's loop runs in this one, and parts
    of the demo (signing PDFs) run an event loop of their own."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            demo_load()
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_supervisor_desk_at_phone_and_desktop_width(
    login,  # noqa: F811 (the fixture imported above)
    live_server,
    tmp_path,
    settings,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # One load for both widths (the demo is the slow part).
    _load_demo()
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for viewport, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        _walk(login, out, viewport, label)


def _walk(open_page, out: Path, viewport: dict[str, int], label: str) -> None:
    page = open_page("supervisor", DEMO_PASSWORD, viewport)
    assert page.url.endswith("/desk/supervision/")  # the supervisor's own desk
    assert int(page.locator("#count-red").inner_text()) > 0
    assert int(page.locator("#count-yellow").inner_text()) > 0
    assert page.locator("nav.topnav a[aria-current=page]").inner_text() == "电子监察"
    assert _fits(page), "the desk scrolls sideways"
    page.screenshot(path=str(out / f"supervision-desk-{label}.png"), full_page=True)

    page.select_option("#id_colour", "red")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#signal-rows tr.light-row-yellow").count() == 0
    assert page.locator("#signal-rows tr.light-row-red").count() > 0
    page.screenshot(path=str(out / f"supervision-desk-red-{label}.png"), full_page=True)

    page.locator("#signal-rows a.mono").first.click()
    page.wait_for_load_state()
    assert "/desk/supervision/cases/" in page.url
    assert page.locator("#case-signals tbody tr").count() > 0
    assert _fits(page)
    page.screenshot(path=str(out / f"supervision-case-{label}.png"), full_page=True)

    page.click("text=发出督办")
    page.wait_for_load_state()
    page.fill("#id_content", "")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("p.error").first.inner_text() == "请填写督办内容。"
    page.fill("#id_content", "请说明该件超期原因，三个工作日内答复。")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert "/desk/supervision/orders/" in page.url
    assert page.locator("#order-state").inner_text() == "已发出"
    assert _fits(page)
    page.screenshot(path=str(out / f"supervision-order-{label}.png"), full_page=True)

    page.goto("/desk/supervision/orders/")
    assert (
        page.locator("#orders tbody tr").count()
        >= SupervisionOrder.objects.exclude(state="closed").count()
    )
    page.screenshot(path=str(out / f"supervision-orders-{label}.png"), full_page=True)
