"""The calendar admin, in Chinese, for catalog administrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.workdays.calendar import add_workdays, is_workday
from onestop.workdays.kinds import DayKind, DaySource
from onestop.workdays.models import CalendarDay, ScheduleYear
from onestop.workdays.services import calendar_day_set
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.workdays import ScheduleYearFactory

pytestmark = pytest.mark.django_db

D = dt.date


def days_url() -> str:
    return reverse("admin:workdays_calendarday_changelist")


def years_url() -> str:
    return reverse("admin:workdays_scheduleyear_changelist")


@pytest.fixture
def catalog_admin(client):
    staff = StaffFactory(catalog_admin=True, user=UserFactory(is_staff=True))
    client.force_login(staff.user)
    return client


def test_the_list_filters_by_year_kind_and_source(admin_client):
    response = admin_client.get(days_url(), {"year": "2026", "kind": "workday"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "调休上班" in page and "年度" in page and "周日" in page
    shown = {row.date for row in response.context["cl"].result_list}
    assert shown == {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }

    local = admin_client.get(days_url(), {"source": "local"})
    assert list(local.context["cl"].result_list) == []


def test_a_catalog_admin_records_a_typhoon_closure_through_the_form(catalog_admin):
    response = catalog_admin.post(
        reverse("admin:workdays_calendarday_add"),
        {
            "date": "2026-07-15",
            "kind": "closure",
            "source": "local",
            "name": "",
            "note": "台风停工",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert not is_workday(D(2026, 7, 15))
    assert add_workdays(D(2026, 7, 14), 1).value == D(2026, 7, 16)


def test_the_form_shows_the_rule_a_row_breaks(catalog_admin):
    response = catalog_admin.post(
        reverse("admin:workdays_calendarday_add"),
        {"date": "2026-07-15", "kind": "closure", "source": "state_council"},
    )
    assert response.status_code == 200
    assert "临时停工只能作为本地调整登记" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2026, 7, 15)).exists()


def test_deleting_a_closure_in_the_admin_makes_the_day_working_again(admin_client):
    row = calendar_day_set(day=D(2026, 7, 15), kind=DayKind.CLOSURE, note="台风停工")
    assert not is_workday(D(2026, 7, 15))
    response = admin_client.post(
        reverse("admin:workdays_calendarday_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert is_workday(D(2026, 7, 15))


def test_the_publish_action_makes_the_entered_2027_schedule_final(catalog_admin):
    calendar_day_set(
        day=D(2027, 1, 1), kind=DayKind.HOLIDAY, source=DaySource.STATE_COUNCIL, name="元旦"
    )
    assert add_workdays(D(2026, 12, 31), 1).is_provisional
    year = ScheduleYear.objects.get(year=2027)

    response = catalog_admin.post(
        years_url(), {"action": "publish", "_selected_action": [year.pk]}, follow=True
    )

    assert "2027 年度节假日安排已发布" in response.content.decode()
    result = add_workdays(D(2026, 12, 31), 1)
    assert (result.value, result.is_provisional) == (D(2027, 1, 4), False)


def test_the_year_list_shows_what_is_entered(admin_client):
    ScheduleYearFactory(year=2027)
    response = admin_client.get(years_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "发布该年度安排" in page and "2027" in page
    assert "年度节假日安排" in page


def test_a_window_clerk_cannot_open_the_calendar(client):
    clerk = StaffFactory(user=UserFactory(is_staff=True))
    client.force_login(clerk.user)
    assert client.get(days_url()).status_code == 403
