"""The browser fixtures are shared by every app's browser tests: tests/browser_fixtures.py,
loaded once for the whole run from tests/conftest.py (one Playwright, one Chromium)."""

from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: F401
