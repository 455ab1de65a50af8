from __future__ import annotations

import pytest

from onestop.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test starts from the database: a rolled-back test must not leave its snapshot."""
    calendar.invalidate()
    yield
    calendar.invalidate()
