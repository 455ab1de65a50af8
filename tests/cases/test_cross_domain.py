"""跨域通办: routing rules, the modes, the receiving window's checks, scopes (docs/cross_domain.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.cases import selectors, services
from onestop.cases.actions import CaseAction, case_actions
from onestop.cases.states import Channel, EventKind, TaskMode, task_mode
from onestop.catalog.models import CrossDomainScope, ExerciseLevel, RoutingRule
from onestop.catalog.routing import SCOPE_SHARED_DIGITS, scope_allows
from onestop.core.errors import PermissionDenied, ValidationFailed
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.catalog import PackageItemFactory
from tests.factories.crossdomain import Cross, cross_domain


@pytest.fixture
def x(db) -> Cross:
    return cross_domain()


def _rule(x: Cross, rule: RoutingRule) -> None:
    x.package.routing_rule = rule
    x.package.save(update_fields=["routing_rule"])


def _task(case):
    return case.tasks.select_related("department").get()


# ----------------------------------------------------------------------- routing rules


def test_default_rule_keeps_the_items_own_department(x):
    case = x.accepted(at="资阳")
    task = _task(case)
    assert task.department == x.departments["赫山人社"]
    assert task.region_code == "430903"
    assert task.mode == TaskMode.PROXY


def test_residence_rule_routes_to_the_same_system_at_the_applicants_county(x):
    _rule(x, RoutingRule.APPLICANT_RESIDENCE)
    case = x.accepted(at="赫山")  # applicant lives in 资阳's 长春村
    task = _task(case)
    assert task.department == x.departments["资阳人社"]  # county level, not the township
    assert task.mode == TaskMode.PROXY
    assert case.dispatch_items[0]["routing_rule"] == RoutingRule.APPLICANT_RESIDENCE


def test_residence_rule_at_city_level_goes_to_the_city(x):
    _rule(x, RoutingRule.APPLICANT_RESIDENCE)
    x.pension.exercise_level = ExerciseLevel.CITY
    x.pension.save(update_fields=["exercise_level"])
    case = x.accepted(at="赫山")
    assert _task(case).department == x.departments["市人社"]
    assert _task(case).mode == TaskMode.LOCAL  # 赫山 lies inside the city


def test_residence_rule_refuses_an_applicant_without_a_region(x):
    _rule(x, RoutingRule.APPLICANT_RESIDENCE)
    nobody = ApplicantFactory(user=UserFactory(), region=None)
    with pytest.raises(ValidationFailed) as err:
        x.submit(applicant=nobody)
    assert err.value.field == "applicant"
    assert "户籍地" in err.value.message


def test_enterprise_domicile_rule_needs_an_enterprise(x):
    _rule(x, RoutingRule.ENTERPRISE_DOMICILE)
    with pytest.raises(ValidationFailed, match="企业"):
        x.submit()
    company = ApplicantFactory(enterprise=True, user=UserFactory(), region=x.regions["资阳"])
    case = x.accepted(applicant=company)
    assert _task(case).department == x.departments["资阳人社"]


def test_enterprise_domicile_where_the_system_has_no_department_is_refused(x):
    _rule(x, RoutingRule.ENTERPRISE_DOMICILE)
    company = ApplicantFactory(enterprise=True, user=UserFactory(), region=x.regions["桃江"])
    with pytest.raises(ValidationFailed) as err:
        x.submit(applicant=company)
    assert "桃江县" in err.value.message and "没有办理" in err.value.message
    assert not company.cases.exists()  # nothing half-written


def test_receiving_rule_delegated_down_takes_the_nearest_department(x):
    _rule(x, RoutingRule.RECEIVING_REGION)
    township_clerk = StaffFactory(name="长春镇窗口", region=x.regions["长春镇"])
    case = services.case_intake(
        staff=township_clerk,
        applicant=x.applicant,
        package_version=x.package,
        materials=[],
    )
    assert case.dispatch_items[0]["department"] == x.departments["长春人社"].pk
    at_county = x.submit(at="资阳")
    assert at_county.dispatch_items[0]["department"] == x.departments["资阳人社"].pk


def test_receiving_rule_stops_at_the_exercising_level(x):
    """A township-level search from 桃江 finds nothing: 桃江 has no 人社 department, and
    the walk goes no higher than the item's level."""
    _rule(x, RoutingRule.RECEIVING_REGION)
    with pytest.raises(ValidationFailed, match="没有办理"):
        x.submit(at="桃江")


def test_package_item_rule_overrides_the_packages(x):
    _rule(x, RoutingRule.APPLICANT_RESIDENCE)
    item = x.items["pension"]
    item.routing_rule = RoutingRule.ITEM_DEPARTMENT
    item.save(update_fields=["routing_rule"])
    case = x.submit(at="赫山")
    assert case.dispatch_items[0]["department"] == x.departments["赫山人社"].pk


def test_an_item_without_cross_domain_scope_is_received_only_in_its_region(x):
    x.pension.cross_domain_scope = CrossDomainScope.NONE
    x.pension.save(update_fields=["cross_domain_scope"])
    with pytest.raises(ValidationFailed) as err:
        x.submit(at="资阳")
    assert err.value.field == "region_code"
    assert "不通办" in err.value.message and "赫山区" in err.value.message
    x.accepted(at="赫山")  # at home it is fine


@pytest.mark.parametrize(
    ("scope", "receiving", "allowed"),
    [
        (CrossDomainScope.NONE, "430903001", True),  # a township of the handling county
        (CrossDomainScope.NONE, "430902", False),
        (CrossDomainScope.CITY_WIDE, "430902", True),
        (CrossDomainScope.CITY_WIDE, "430102", False),
        (CrossDomainScope.CROSS_COUNTY, "430922", True),
        (CrossDomainScope.CROSS_CITY, "430102", True),
        (CrossDomainScope.CROSS_CITY, "440106", False),
        (CrossDomainScope.CROSS_PROVINCE, "440106", True),
        (CrossDomainScope.NATIONAL, "110101", True),
    ],
)
def test_scope_table(scope, receiving, allowed):
    assert scope_allows(scope, receiving_code=receiving, handling_code="430903") is allowed


_code = st.sampled_from(["43", "4309", "4301", "44", "4401"]).flatmap(
    lambda p: st.text("0123456789", min_size=6 - len(p), max_size=6 - len(p)).map(lambda s: p + s)
)
_SCOPES_WIDENING = [
    CrossDomainScope.NONE,
    CrossDomainScope.CITY_WIDE,
    CrossDomainScope.CROSS_CITY,
    CrossDomainScope.CROSS_PROVINCE,
]


@given(receiving=_code, handling=_code)
def test_scopes_only_widen(receiving, handling):
    """Inside the handling region every scope allows; a wider scope allows what a narrower one does."""
    allowed = [
        scope_allows(s, receiving_code=receiving, handling_code=handling) for s in _SCOPES_WIDENING
    ]
    assert allowed == sorted(allowed)  # False … then True
    if receiving.startswith(handling):
        assert all(allowed)
    assert allowed[-1]
    assert set(SCOPE_SHARED_DIGITS) == set(CrossDomainScope.values)


# ---------------------------------------------------------------------------- modes


def test_online_application_is_全程网办(x):
    case = x.submit(at="资阳", channel=Channel.ONLINE)
    services.case_pre_review_pass(case_id=case.pk, clerk=x.clerks["资阳"])
    case = services.case_accept(case_id=case.pk, clerk=x.clerks["资阳"])  # no check needed
    assert _task(case).mode == TaskMode.ONLINE
    event = case.events.get(kind=EventKind.TASK_CREATED)
    assert event.payload["mode"] == TaskMode.ONLINE


def test_tasks_in_two_counties_are_多地联办(x):
    PackageItemFactory(package_version=x.package, item=x.civil.item, order=2)
    case = x.accepted(at="赫山")
    modes = {t.department.name: t.mode for t in case.tasks.select_related("department")}
    assert set(modes.values()) == {TaskMode.MULTI_SITE}
    assert len(modes) == 2
    forwarded = case.events.get(kind=EventKind.FILES_FORWARDED)
    assert forwarded.payload["to"] == [
        {"region": "430902", "department": x.departments["资阳民政"].pk}
    ]
    assert forwarded.payload["materials"] == ["id_card"]


def test_received_at_home_is_属地办理_and_needs_no_check(x):
    case = x.submit(at="赫山")
    case = services.case_accept(case_id=case.pk, clerk=x.clerks["赫山"])
    assert _task(case).mode == TaskMode.LOCAL
    assert not case.events.filter(kind=EventKind.FILES_FORWARDED).exists()


@pytest.mark.parametrize(
    ("channel", "receiving", "handling", "others", "mode"),
    [
        ("online", "430902", "430903", set(), TaskMode.ONLINE),
        ("hall_window", "430903", "430903", set(), TaskMode.LOCAL),
        ("hall_window", "430903001", "430903", set(), TaskMode.LOCAL),
        ("hall_window", "430902", "430903", set(), TaskMode.PROXY),
        ("hall_window", "430903", "4309", {"430903"}, TaskMode.LOCAL),  # nested: one place
        ("hall_window", "430903", "430903", {"430902"}, TaskMode.MULTI_SITE),
    ],
)
def test_mode_table(channel, receiving, handling, others, mode):
    assert (
        task_mode(
            channel=channel,
            receiving_code=receiving,
            handling_code=handling,
            case_handling_codes=others,
        )
        == mode
    )


# ------------------------------------------------------ the receiving window's duties


def test_proxy_acceptance_needs_the_receiving_checks_first(x):
    case = x.submit(at="资阳")
    with pytest.raises(ValidationFailed) as err:
        services.case_accept(case_id=case.pk, clerk=x.clerks["资阳"])
    assert err.value.field == "receiving_check"
    assert not case.tasks.exists()
    x.check(case, at="资阳")
    services.case_accept(case_id=case.pk, clerk=x.clerks["资阳"])
    event = case.events.get(kind=EventKind.RECEIVING_CHECKED)
    assert event.payload["form_checked"] and event.payload["identity_checked"]
    assert event.payload["identity_method"] == "id_card_reader"
    assert event.actor_id == x.clerks["资阳"].user_id


def test_checks_must_both_be_done_and_by_the_receiving_window(x):
    case = x.submit(at="资阳")
    with pytest.raises(ValidationFailed) as err:
        services.case_receiving_check(
            case_id=case.pk,
            clerk=x.clerks["资阳"],
            form_checked=True,
            identity_checked=False,
            identity_method="id_card_reader",
        )
    assert err.value.field == "identity_checked"
    with pytest.raises(ValidationFailed) as err:
        services.case_receiving_check(
            case_id=case.pk,
            clerk=x.clerks["资阳"],
            form_checked=True,
            identity_checked=True,
            identity_method="telepathy",
        )
    assert err.value.field == "identity_method"
    with pytest.raises(PermissionDenied):
        x.check(case, at="赫山")  # another county's window
    with pytest.raises(PermissionDenied):
        services.case_receiving_check(
            case_id=case.pk,
            clerk=x.officers["赫山人社"],
            form_checked=True,
            identity_checked=True,
            identity_method="id_card_reader",
        )
    assert CaseAction.RECEIVING_CHECK in case_actions(case, x.clerks["资阳"])
    assert CaseAction.RECEIVING_CHECK not in case_actions(case, x.clerks["赫山"])


# --------------------------------------------------------------------------- scopes


def test_received_in_赫山_handled_in_资阳_shows_in_the_right_places_only(x):
    _rule(x, RoutingRule.APPLICANT_RESIDENCE)
    case = x.accepted(at="赫山")
    task = _task(case)
    assert task.department == x.departments["资阳人社"]

    def sees(staff) -> bool:
        return selectors.case_scope_for(staff).filter(pk=case.pk).exists()

    # the receiving window: the case's progress (and later the hand-out)
    assert sees(x.clerks["赫山"])
    assert not sees(x.clerks["资阳"]) and not sees(x.clerks["桃江"])
    # the handling department: the task in its inbox
    inbox = list(selectors.inbox_for(x.officers["资阳人社"]))
    assert [t.pk for t in inbox] == [task.pk]
    assert sees(x.officers["资阳人社"])
    for other in ("赫山人社", "市人社", "长春人社", "资阳民政"):
        assert not list(selectors.inbox_for(x.officers[other])), other
        assert not sees(x.officers[other]), other
    # supervisors of both counties, not of a third
    for name, expected in (("赫山", True), ("资阳", True), ("桃江", False)):
        supervisor = StaffFactory(supervisor=True, region=x.regions[name])
        assert sees(supervisor) is expected, name
    # the applicant sees their own case
    assert selectors.case_scope_for(x.applicant).filter(pk=case.pk).exists()
    # neither side may act for the other
    assert not case_actions(case, x.officers["资阳人社"]) & {CaseAction.HAND_OUT}
    officer = x.officers["资阳人社"]
    services.task_claim(task_id=task.pk, officer=officer)
    services.task_approve(task_id=task.pk, officer=officer, opinion="同意")
    case.refresh_from_db()
    assert case.pk in {c.pk for c in selectors.handout_queue(x.clerks["赫山"])}
    assert case.pk not in {c.pk for c in selectors.handout_queue(x.clerks["资阳"])}
    with pytest.raises(PermissionDenied):
        services.case_hand_out(case_id=case.pk, clerk=x.clerks["资阳"])
    services.case_hand_out(case_id=case.pk, clerk=x.clerks["赫山"])


def test_an_online_application_is_not_bound_by_the_scope(x):
    """全程网办: filed online anywhere, handled remotely by the handling region."""
    x.pension.cross_domain_scope = CrossDomainScope.NONE
    x.pension.save(update_fields=["cross_domain_scope"])
    case = x.submit(at="资阳", channel=Channel.ONLINE)
    assert case.dispatch_items[0]["department"] == x.departments["赫山人社"].pk
