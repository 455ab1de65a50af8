from __future__ import annotations

import pytest

from onestop.workdays import calendar
from onestop.workdays.services import calendar_seed_from_library


@pytest.fixture(autouse=True)
def seeded_calendar(db):
    """The migration seeds 2004–2026; a transactional test elsewhere may have flushed it."""
    calendar_seed_from_library()


@pytest.fixture(autouse=True)
def fresh_calendar_cache(seeded_calendar):
    """Each test starts from the database: a rolled-back test must not leave its snapshot."""
    calendar.invalidate()
    yield
    calendar.invalidate()
