"""Who sees what, the window queue, the department inbox and the timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import selectors, services
from onestop.cases.states import Channel
from onestop.core import clock
from onestop.core.errors import NotFound
from tests.factories.accounts import ApplicantFactory, StaffFactory
from tests.factories.regions import CountyFactory, DepartmentFactory


def test_scope_per_role(setup):
    case = setup.accepted(invoice=False)
    other_county = CountyFactory()
    can_see = [
        setup.applicant,
        setup.clerk,
        StaffFactory(region=setup.city),  # a city clerk sees the county's cases
        setup.officers["licence"],
        setup.officers["seal"],
        setup.chief,
        StaffFactory(supervisor=True, region=setup.county),
    ]
    cannot_see = [
        ApplicantFactory(),
        StaffFactory(region=other_county),
        setup.officers["invoice"],  # no invoice task in this case
        StaffFactory(
            officer=True, department=DepartmentFactory(region=setup.county), region=setup.county
        ),
        StaffFactory(supervisor=True, region=other_county),
        StaffFactory(catalog_admin=True, region=setup.county),
        StaffFactory(agent=True, region=setup.county),
    ]
    for viewer in can_see:
        assert selectors.case_get_for(viewer, case.pk) == case, viewer
    for viewer in cannot_see:
        with pytest.raises(NotFound):
            selectors.case_get_for(viewer, case.pk)


def test_inactive_staff_see_nothing(setup):
    case = setup.submit()
    setup.clerk.is_active = False
    with pytest.raises(NotFound):
        selectors.case_get_for(setup.clerk, case.pk)


def test_applicant_list(setup):
    mine = [setup.submit(), setup.submit()]
    ApplicantFactory()
    assert list(selectors.case_list_for_applicant(setup.applicant)) == mine[::-1]


def test_window_queue_oldest_first_in_the_region(setup):
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=clock.SHANGHAI)):
        old = setup.submit(channel=Channel.ONLINE)
    with clock.frozen(dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI)):
        new = setup.submit()
        setup.accepted()
        corrected = setup.case_in("correction_requested")
    assert list(selectors.window_queue(setup.clerk)) == [old, new]
    services.case_supplement(
        case_id=corrected.pk,
        by=setup.applicant,
        materials=setup.without("id_card", "residence_proof"),
    )
    assert corrected in selectors.window_queue(setup.clerk)
    assert list(selectors.window_queue(StaffFactory(region=CountyFactory()))) == []


def test_inbox_most_urgent_first_without_n_plus_one(setup, django_assert_num_queries):
    officer = setup.officers["licence"]
    with clock.frozen(dt.datetime(2026, 3, 3, 9, tzinfo=clock.SHANGHAI)):
        later = setup.accepted()
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=clock.SHANGHAI)):
        sooner = setup.accepted()
    claimed = setup.task(later, "licence")
    services.task_claim(task_id=claimed.pk, officer=officer)
    setup.accepted()
    decided = setup.task(setup.accepted(), "licence")
    services.task_claim(task_id=decided.pk, officer=officer)
    services.task_approve(task_id=decided.pk, officer=officer)
    with django_assert_num_queries(1):
        rows = [
            (
                t.case.number,
                t.case.applicant.name,
                t.assignee and t.assignee.name,
                t.department.name,
            )
            for t in selectors.inbox_for(officer)
        ]
    assert len(rows) == 3
    inbox = list(selectors.inbox_for(officer))
    assert inbox[0].case == sooner
    assert inbox[1].case == later
    assert selectors.inbox_for(setup.officers["invoice"]).count() == 4
    assert selectors.inbox_for(setup.clerk).count() == 0
    light = selectors.task_traffic_light(
        inbox[0], now=dt.datetime(2026, 3, 2, 12, tzinfo=clock.SHANGHAI)
    )
    assert light.colour == "green"


def test_timeline_lists_events_in_order_with_actors(setup):
    case = setup.completed()
    timeline = list(selectors.case_timeline(case))
    assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
    assert timeline[0].kind == "submitted"
    assert timeline[-1].kind == "completed"
    assert {e.actor_role for e in timeline} >= {"applicant", "clerk", "officer"}


def test_pending_extensions_for_the_chief(setup):
    case = setup.accepted()
    licence = setup.task(case, "licence")
    services.task_claim(task_id=licence.pk, officer=setup.officers["licence"])
    extension = services.extension_request(
        task_id=licence.pk, officer=setup.officers["licence"], days=2, reason="x"
    )
    assert list(selectors.extension_list_pending_for(setup.chief)) == [extension]


def test_case_list_for_filters_by_scope_and_state(setup):
    submitted = setup.submit()
    accepted = setup.accepted()
    assert list(selectors.case_list_for(setup.clerk)) == [accepted, submitted]
    assert list(selectors.case_list_for(setup.clerk, states=["submitted"])) == [submitted]
    assert list(selectors.case_list_for(setup.officers["seal"])) == [accepted]
    assert list(selectors.case_list_for(StaffFactory(region=CountyFactory()))) == []
