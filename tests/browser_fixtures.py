"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium comes from the system (``apt-get install chromium``), never from Playwright's own
download; without it these tests skip with a reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test code's ORM
    # calls (factories, assertions) are still plain synchronous code. Only while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Chromium reports what the Content-Security-Policy refused as console errors.
_CSP_REFUSAL = "Content Security Policy"


def _page(browser, live_server, viewport):
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    refused: list[str] = []
    context.on(
        "console",
        lambda message: refused.append(message.text) if _CSP_REFUSAL in message.text else None,
    )
    context.csp_refusals = refused  # checked when the test's pages close
    page = context.new_page()
    return context, page


def _close(context) -> None:
    refused = list(context.csp_refusals)
    context.close()
    assert not refused, (
        "the page broke its Content-Security-Policy (inline script or handler? put the "
        "behaviour in a static JS file, e.g. core/static/onestop/onestop.js): " + "; ".join(refused)
    )


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A desktop-sized page on the live server (hall PC)."""
    context, page = _page(browser, live_server, DESKTOP)
    yield page
    _close(context)


@pytest.fixture
def phone_page(browser, live_server, transactional_db):
    """A phone-sized page on the live server (citizen on a phone)."""
    context, page = _page(browser, live_server, PHONE)
    yield page
    _close(context)


@pytest.fixture
def login(browser, live_server):
    """``login(username, password)`` → a new desktop page logged in through the login form."""
    contexts = []

    def _login(username: str, password: str = "demo-pass-123", viewport=DESKTOP):
        context, page = _page(browser, live_server, viewport)
        contexts.append(context)
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield _login
    for context in contexts:
        _close(context)
