"""Due dates across the 2026 National Day and Spring Festival, with 调休 workdays, a pause
and an extension. Every expected date below was counted by hand on the 2026 schedule:
Spring Festival off 02-15…02-23, worked Sat 02-14 and Sat 02-28; National Day off
10-01…10-07, worked Sun 09-20 and Sat 10-10."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import selectors, services
from onestop.cases.deadlines import Light, traffic_light
from onestop.cases.models import Case, Pause
from onestop.core import clock
from onestop.core.errors import Conflict, PermissionDenied

SH = clock.SHANGHAI


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SH)


def test_national_day_with_a_pause_and_an_extension(setup):
    officer = setup.officers["licence"]
    with clock.frozen(at(2026, 9, 29)):  # Tuesday
        case = setup.accepted()
    licence = setup.task(case, "licence")
    invoice = setup.task(case, "invoice")
    # case: 5 workdays = 09-30, 10-08, 10-09, Sat 10-10 (调休), 10-12
    assert case.due_at == end_of(2026, 10, 12)
    assert case.due_is_provisional is False
    # 营业执照: 3 workdays = 09-30, 10-08, 10-09; 发票: 2 = 09-30, 10-08
    assert licence.due_at == end_of(2026, 10, 9)
    assert invoice.due_at == end_of(2026, 10, 8)

    with clock.frozen(at(2026, 9, 30, 9)):
        services.task_claim(task_id=licence.pk, officer=officer)
        services.task_pause(
            task_id=licence.pk, officer=officer, kind="expert_review", reason="组织专家评审"
        )
    with clock.frozen(at(2026, 10, 8, 12)):
        dues = selectors.case_due_dates(case)
        assert dues.case.is_paused and dues.tasks[licence.pk].is_paused
    with clock.frozen(at(2026, 10, 9, 16)):
        pause = services.task_resume(task_id=licence.pk, officer=officer, result="专家评审通过")
    # paused from Wed 09-30 to Fri 10-09: the clock stood still on 10-08 and 10-09
    assert pause.paused_workdays == 2
    licence.refresh_from_db()
    case.refresh_from_db()
    assert licence.due_at == end_of(2026, 10, 12)  # 3 + 2: …, 10-09, Sat 10-10, 10-12
    assert case.due_at == end_of(2026, 10, 14)  # 5 + 2: …, 10-12, 10-13, 10-14
    invoice.refresh_from_db()
    assert invoice.due_at == end_of(2026, 10, 8)  # another task's pause does not move it

    with clock.frozen(at(2026, 10, 9, 16, 30)):
        extension = services.extension_request(
            task_id=licence.pk, officer=officer, days=3, reason="需补充现场核查"
        )
        with pytest.raises(PermissionDenied):
            services.extension_approve(extension_id=extension.pk, chief=officer)
        services.extension_approve(extension_id=extension.pk, chief=setup.chief)
    licence.refresh_from_db()
    case.refresh_from_db()
    assert licence.due_at == end_of(2026, 10, 15)  # 3 + 2 + 3
    assert case.due_at == end_of(2026, 10, 19)  # 5 + 2 + 3: …, 10-16, (weekend), Mon 10-19

    # recomputing from the events gives the same dates, however often it runs
    for _ in range(2):
        services.dues_refresh_locked(case_id=case.pk)
    case.refresh_from_db()
    assert case.due_at == end_of(2026, 10, 19)
    dues = selectors.case_due_dates(case)
    assert (dues.case.paused_days, dues.case.extension_days) == (2, 3)
    assert dues.tasks[licence.pk].at == end_of(2026, 10, 15)


def test_spring_festival_with_makeup_saturdays_and_an_extension(setup):
    officer = setup.officers["licence"]
    with clock.frozen(at(2026, 2, 12, 15)):  # Thursday
        case = setup.accepted()
    # case: 02-13, Sat 02-14 (调休), [02-15…02-23 off], 02-24, 02-25, 02-26
    assert case.due_at == end_of(2026, 2, 26)
    assert setup.task(case, "licence").due_at == end_of(2026, 2, 24)  # 02-13, 02-14, 02-24
    assert setup.task(case, "invoice").due_at == end_of(2026, 2, 14)  # a 调休 Saturday

    licence = setup.task(case, "licence")
    with clock.frozen(at(2026, 2, 13, 9)):
        services.task_claim(task_id=licence.pk, officer=officer)
        extension = services.extension_request(
            task_id=licence.pk, officer=officer, days=2, reason="核名需要上级确认"
        )
        services.extension_approve(extension_id=extension.pk, chief=setup.chief)
    case.refresh_from_db()
    licence.refresh_from_db()
    assert licence.due_at == end_of(2026, 2, 26)  # 3 + 2
    assert case.due_at == end_of(2026, 2, 28)  # 5 + 2: 02-26, 02-27, Sat 02-28 (调休)

    with clock.frozen(at(2026, 2, 13, 11)):
        services.task_approve(task_id=licence.pk, officer=officer)
    seal = setup.task(case, "seal")
    assert seal.ready_at == at(2026, 2, 13, 11)
    assert seal.due_at == end_of(2026, 2, 14)  # 1 workday: the 调休 Saturday


def test_a_deadline_in_a_year_without_a_published_schedule_is_provisional(setup):
    with clock.frozen(at(2026, 12, 29)):
        case = setup.accepted()
    assert case.due_is_provisional is True
    # weekend rule for 2027: 12-30, 12-31, Fri 01-01, Mon 01-04, Tue 01-05
    assert case.due_at == end_of(2027, 1, 5)
    light = selectors.case_traffic_light(case, now=at(2026, 12, 29, 12))
    assert light.is_provisional is True


def test_an_extension_asked_for_after_the_deadline_is_refused(setup):
    officer = setup.officers["licence"]
    with clock.frozen(at(2026, 9, 29)):
        case = setup.accepted()
        licence = setup.task(case, "licence")
        services.task_claim(task_id=licence.pk, officer=officer)
    with clock.frozen(at(2026, 10, 10)), pytest.raises(Conflict, match="超期"):
        services.extension_request(task_id=licence.pk, officer=officer, days=2, reason="来不及")


def test_a_second_pending_extension_and_a_twice_approved_one_are_conflicts(setup):
    officer = setup.officers["licence"]
    case = setup.accepted()
    licence = setup.task(case, "licence")
    services.task_claim(task_id=licence.pk, officer=officer)
    extension = services.extension_request(task_id=licence.pk, officer=officer, days=1, reason="a")
    with pytest.raises(Conflict):
        services.extension_request(task_id=licence.pk, officer=officer, days=1, reason="b")
    services.extension_approve(extension_id=extension.pk, chief=setup.chief)
    with pytest.raises(Conflict):
        services.extension_approve(extension_id=extension.pk, chief=setup.chief)


def test_overlapping_pauses_of_two_tasks_stop_the_case_clock_once(setup):
    with clock.frozen(at(2026, 9, 29)):
        case = setup.accepted()
    licence, invoice = setup.task(case, "licence"), setup.task(case, "invoice")
    with clock.frozen(at(2026, 9, 30)):
        for key, task in (("licence", licence), ("invoice", invoice)):
            services.task_claim(task_id=task.pk, officer=setup.officers[key])
            services.task_pause(
                task_id=task.pk, officer=setup.officers[key], kind="inspection", reason="检验"
            )
    with clock.frozen(at(2026, 10, 8)):
        services.task_resume(task_id=invoice.pk, officer=setup.officers["invoice"], result="合格")
    with clock.frozen(at(2026, 10, 9)):
        services.task_resume(task_id=licence.pk, officer=setup.officers["licence"], result="合格")
    case.refresh_from_db()
    assert Pause.objects.filter(case=case).count() == 2
    # union of 09-30→10-08 and 09-30→10-09 = 2 workdays, not 1 + 2
    assert case.due_at == end_of(2026, 10, 14)


@pytest.mark.parametrize(
    ("now", "colour", "remaining"),
    [
        (at(2026, 9, 29, 12), Light.GREEN, 5),
        (at(2026, 10, 9), Light.GREEN, 2),
        (at(2026, 10, 10), Light.YELLOW, 1),  # a 调休 Saturday, one workday left
        (at(2026, 10, 12, 17), Light.YELLOW, 0),
        (at(2026, 10, 13, 9), Light.RED, -1),
    ],
)
def test_traffic_light(db, now, colour, remaining):
    light = traffic_light(due_at=end_of(2026, 10, 12), limit_days=5, now=now)
    assert (light.colour, light.remaining_days) == (colour, remaining)


def test_traffic_light_share_of_the_limit_and_settings(db, settings):
    due = end_of(2026, 11, 30)  # a Monday
    now = at(2026, 11, 24)  # Tuesday: 4 workdays left (25, 26, 27, 30)
    assert traffic_light(due_at=due, limit_days=20, now=now).colour == Light.YELLOW
    assert traffic_light(due_at=due, limit_days=10, now=now).colour == Light.GREEN
    settings.ONESTOP_WARN_REMAINING_RATIO = 0.5
    assert traffic_light(due_at=due, limit_days=10, now=now).colour == Light.YELLOW


def test_case_light_is_none_before_acceptance(setup):
    case = setup.submit()
    assert selectors.case_traffic_light(Case.objects.get(pk=case.pk)) is None


def test_publishing_next_years_schedule_makes_a_provisional_due_date_final(setup):
    from django.core.management import call_command

    from onestop.workdays.seed import ScheduleDay
    from onestop.workdays.services import schedule_year_publish

    with clock.frozen(at(2026, 12, 29)):
        case = setup.accepted()
    assert case.due_is_provisional is True
    # a (made-up) 2027 schedule: 01-01 and Mon 01-04 off
    schedule_year_publish(
        year=2027,
        days=[
            ScheduleDay(dt.date(2027, 1, 1), "holiday", "元旦"),
            ScheduleDay(dt.date(2027, 1, 4), "holiday", "元旦"),
        ],
        notice="测试通知",
    )
    call_command("cases", "refresh-dues", "--provisional")
    case.refresh_from_db()
    assert case.due_is_provisional is False
    # 12-30, 12-31, (01-01 off, weekend, 01-04 off) 01-05, 01-06, 01-07
    assert case.due_at == end_of(2027, 1, 7)


def test_a_limit_in_natural_days_counts_holidays_and_is_never_provisional(setup):
    setup.package.promised_unit = "natural_day"
    setup.package.save(update_fields=["promised_unit"])
    with clock.frozen(at(2026, 9, 29)):
        case = setup.accepted()
    assert case.due_at == end_of(2026, 10, 4)  # 5 calendar days, holidays included
    assert case.due_is_provisional is False
    officer = setup.officers["licence"]
    licence = setup.task(case, "licence")
    with clock.frozen(at(2026, 9, 30)):
        services.task_claim(task_id=licence.pk, officer=officer)
        services.task_pause(task_id=licence.pk, officer=officer, kind="hearing", reason="听证")
    with clock.frozen(at(2026, 10, 3)):
        services.task_resume(task_id=licence.pk, officer=officer, result="听证完毕")
    case.refresh_from_db()
    assert case.due_at == end_of(2026, 10, 7)  # paused 3 calendar days


def test_a_paused_task_is_neither_running_out_nor_overdue(setup):
    """While a special procedure stops the clock, a task is shown paused — also once its
    stored due date has passed (the due date moves by the paused days when it ends)."""
    from onestop.cases import services
    from onestop.cases.models import ItemTask
    from onestop.cases.selectors import task_traffic_light
    from onestop.cases.templatetags.case_ui import light

    case = setup.accepted()
    task = setup.task(case, "licence")
    officer = setup.officers["licence"]
    services.task_claim(task_id=task.pk, officer=officer)
    services.task_pause(task_id=task.pk, officer=officer, kind="expert_review", reason="专家评审")
    task = ItemTask.objects.get(pk=task.pk)
    with clock.frozen(task.due_at + dt.timedelta(days=10)):
        signal = task_traffic_light(task)
        assert signal.colour == Light.PAUSED
        text = str(light(signal))
    assert "暂停计时" in text and "已超期" not in text


def test_a_task_overdue_before_its_procedure_stays_overdue(setup):
    from onestop.cases import services
    from onestop.cases.models import ItemTask
    from onestop.cases.selectors import task_traffic_light

    case = setup.accepted()
    task = setup.task(case, "licence")
    officer = setup.officers["licence"]
    services.task_claim(task_id=task.pk, officer=officer)
    late = ItemTask.objects.get(pk=task.pk).due_at + dt.timedelta(days=3)
    with clock.frozen(late):
        services.task_pause(task_id=task.pk, officer=officer, kind="inspection", reason="检验")
    task = ItemTask.objects.get(pk=task.pk)
    with clock.frozen(late + dt.timedelta(days=10)):
        assert task_traffic_light(task).colour == Light.RED
