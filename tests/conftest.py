"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL set."""

from __future__ import annotations

import pytest
from django.db import connection

# One Playwright and one Chromium for every app's browser tests (a second sync Playwright in
# the same run fails inside the first one's event loop).
pytest_plugins = ["tests.browser_fixtures"]


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _demo_history_off():
    """``demo_load()`` in tests writes no bulk history (tests/demo/test_history.py sets a
    few hundred where it tests it); 20,000 cases per load would dominate the suite."""
    from django.conf import settings

    settings.ONESTOP_DEMO_HISTORY_CASES = 0


@pytest.fixture(autouse=True, scope="session")
def _simulator_state_outside_the_data_dir(tmp_path_factory):
    """The in-process postal simulator (the demo posts through it) keeps its waybills in a
    temporary file, not in the data directory of whoever runs the tests."""
    from django.conf import settings

    settings.ONESTOP_DELIVERY_SIMULATOR_STATE = tmp_path_factory.mktemp("post") / "post.json"


@pytest.fixture(autouse=True)
def _calendar_after_flush(request):
    """Transactional tests flush every table, the seeded working-day calendar included;
    give each one the calendar back so its deadlines count real holidays."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from onestop.workdays.services import calendar_seed_from_library

        calendar_seed_from_library()
    yield


@pytest.fixture
def calendar_steady(settings):
    """The working-day calendar is re-read from the database at most once per
    ``ONESTOP_CALENDAR_RECHECK_SECONDS``; a query-count test whose set-up takes longer than
    that on a loaded machine would otherwise count one check more in one of two requests."""
    from onestop.workdays import calendar

    settings.ONESTOP_CALENDAR_RECHECK_SECONDS = 3600
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language, whatever a request of the last one activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: the login throttle counts failures there, and
    the failures of one test (all from 127.0.0.1) must not lock out the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def _certificate_keys(tmp_path_factory):
    return tmp_path_factory.mktemp("certificate-keys")


@pytest.fixture(autouse=True)
def _certificate_keys_outside_the_data_dir(settings, _certificate_keys):
    """Seal keys the tests (and the demo they load) create go to a temporary directory, not
    into the data directory of whoever runs the tests; a test may set its own."""
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(_certificate_keys)
