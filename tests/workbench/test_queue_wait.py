"""The window queue shows how long each case has waited, in working time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.core import clock

pytestmark = pytest.mark.django_db


def test_a_case_submitted_before_the_weekend_has_waited_twenty_minutes_on_monday(setup, as_user):
    # Friday 2026-03-06 16:50, seen Monday 2026-03-09 09:10: 10 minutes each working day.
    with clock.frozen(dt.datetime(2026, 3, 6, 16, 50, tzinfo=clock.SHANGHAI)):
        case = setup.submit()
    with clock.frozen(dt.datetime(2026, 3, 9, 9, 10, tzinfo=clock.SHANGHAI)):
        page = as_user(setup.clerk).get(reverse("workbench:window_queue")).content.decode()
    row = page.split(f"{case.number}</a>")[1].split("</tr>")[0]
    assert "20 分钟" in row
    assert "天" not in row  # not "2 天 16 小时" of calendar time
