"""The legal time limit beside the promised one, and a 补正 after acceptance stopping the clock.

March 2026 has no holidays: the working days after Tuesday 03-03 are 03-04, 05, 06, 09 …
"""

from __future__ import annotations

import datetime as dt

from onestop.cases import selectors, services
from onestop.cases.states import CaseState
from onestop.core import clock
from tests.factories.cases import upload

SH = clock.SHANGHAI


def at(m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(2026, m, d, h, tzinfo=SH)


def end_of(m: int, d: int) -> dt.datetime:
    return dt.datetime(2026, m, d, 23, 59, 59, 999999, tzinfo=SH)


def test_the_legal_limit_is_computed_and_an_extension_does_not_move_it(setup):
    with clock.frozen(at(3, 3)):
        case = setup.accepted()
    licence = setup.task(case, "licence")
    dues = selectors.case_due_dates(case)
    # 法定时限 20 working days (the factory's) from 03-03: …, 03-30, 03-31.
    assert dues.case.legal.at == end_of(3, 31)
    assert dues.tasks[licence.pk].legal.at == end_of(3, 31)

    officer = setup.officers["licence"]
    with clock.frozen(at(3, 4)):
        services.task_claim(task_id=licence.pk, officer=officer)
        extension = services.extension_request(
            task_id=licence.pk, officer=officer, days=30, reason="需补充现场核查"
        )
        services.extension_approve(extension_id=extension.pk, chief=setup.chief)
    with clock.frozen(at(4, 1)):
        dues = selectors.case_due_dates(case)
        task_due = dues.tasks[licence.pk]
        assert task_due.at > at(4, 1)  # the promise, extended by 30 days, still holds …
        assert task_due.legal.at == end_of(3, 31)  # … the law does not move
        assert task_due.is_past_legal(clock.now()) and dues.case.is_past_legal(clock.now())


def test_the_api_shows_the_legal_due_date(setup, client):
    with clock.frozen(at(3, 3)):
        case = setup.accepted()
    client.force_login(setup.applicant.user)
    with clock.frozen(at(3, 31)):
        body = client.get(f"/api/cases/{case.pk}").json()
    assert body["due"]["legal_due_at"].startswith("2026-03-31T23:59:59")
    assert body["due"]["is_past_legal"] is False
    with clock.frozen(at(4, 1)):
        assert client.get(f"/api/cases/{case.pk}").json()["due"]["is_past_legal"] is True


def test_a_correction_after_acceptance_stops_the_case_clock_until_supplied(setup):
    with clock.frozen(at(3, 3)):
        case = setup.accepted()
    case.refresh_from_db()
    # promised 5 working days: 03-04, 05, 06, 09, 10
    assert case.due_at == end_of(3, 10)
    licence = setup.task(case, "licence")
    with clock.frozen(at(3, 4)):
        services.task_return(
            task_id=licence.pk, officer=setup.officers["licence"], reason="租赁合同页不全"
        )
    with clock.frozen(at(3, 5)):
        services.case_request_correction(
            case_id=case.pk, clerk=setup.clerk, missing=["lease"], note="请补交完整租赁合同"
        )
    with clock.frozen(at(3, 9)):
        dues = selectors.case_due_dates(case)
        assert dues.case.is_paused  # waiting for the applicant costs the office nothing
    with clock.frozen(at(3, 10)):
        case = services.case_supplement(
            case_id=case.pk, by=setup.applicant, materials=[upload("lease")]
        )
    assert case.state == CaseState.SUBMITTED
    case.refresh_from_db()
    # waited the working days after 03-05 up to 03-10: 06, 09, 10 → three days later
    assert case.due_at == end_of(3, 13)
    dues = selectors.case_due_dates(case)
    assert dues.case.paused_days == 3
    assert dues.case.legal.at == end_of(4, 3)  # 03-31 + the same three days


def test_a_correction_before_acceptance_does_not_touch_any_clock(setup):
    with clock.frozen(at(3, 3)):
        case = setup.submit()
        services.case_request_correction(case_id=case.pk, clerk=setup.clerk, missing=["lease"])
    with clock.frozen(at(3, 6)):
        services.case_supplement(case_id=case.pk, by=setup.applicant, materials=[upload("lease")])
        case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    case.refresh_from_db()
    assert case.due_at == end_of(3, 13)  # 5 working days from 03-06
    assert selectors.case_due_dates(case).case.paused_days == 0
