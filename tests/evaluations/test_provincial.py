"""The mapping to the GB/T 39046 表9 data set and the provincial interface: every code, the
reversed orders, and a property test over any rating."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from onestop.catalog.models import CaseType
from onestop.core import clock
from onestop.evaluations import provincial, services
from onestop.evaluations.provincial import RatingFacts
from onestop.evaluations.states import RatingChannel, RatingKind, RatingLevel
from tests.evaluations.checker import problems

# hypothesis wants naive bounds with a timezones strategy
NAIVE_MIN = dt.datetime(2020, 1, 1)  # noqa: DTZ001
NAIVE_MAX = dt.datetime(2030, 1, 1)  # noqa: DTZ001
GBT_NAME = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
IFACE_NAME = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}


@pytest.mark.parametrize("level", list(RatingLevel))
def test_satisfaction_is_the_reversed_order_and_names_the_same_level(level):
    code = provincial.satisfaction(level)
    assert IFACE_NAME[code] == GBT_NAME[int(level)] == str(level.label)


def test_promise_time_is_the_reverse_of_the_case_type_code():
    assert CaseType.IMMEDIATE.value == "1" and provincial.promise_time(CaseType.IMMEDIATE) == 2
    assert CaseType.PROMISED.value == "2" and provincial.promise_time(CaseType.PROMISED) == 1


def test_every_channel_has_a_pf_code_and_a_standard_name():
    assert provincial.PF[RatingChannel.PC] == 1
    assert provincial.PF[RatingChannel.QR] == 3
    assert provincial.PF[RatingChannel.WINDOW_TABLET] == 4
    assert provincial.PF[RatingChannel.SMS] == 6
    assert provincial.PF[RatingChannel.SYSTEM_DEFAULT] == 7
    assert set(provincial.PF) == set(RatingChannel) == set(provincial.STANDARD_CHANNEL)


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=500)
facts_strategy = st.builds(
    RatingFacts,
    rating_id=st.integers(1, 10**9),
    case_number=st.from_regex(r"\A\d{12}-\d{8}-\d{5}\Z"),
    case_state=st.sampled_from(["in_progress", "completed", "delivered", "rejected"]),
    level=st.sampled_from([int(v) for v in RatingLevel]),
    channel=st.sampled_from(list(RatingChannel)),
    kind=st.sampled_from(list(RatingKind)),
    rated_at=st.datetimes(
        min_value=NAIVE_MIN,
        max_value=NAIVE_MAX,
        timezones=st.just(dt.UTC),
    ),
    text=_text,
    indicator_codes=st.lists(
        st.sampled_from(["101", "102", "103", "104", "201", "202", "203"]), unique=True
    ).map(tuple),
    region_code=st.from_regex(r"\A43\d{4}(\d{3}){0,2}\Z"),
    area_code=st.from_regex(r"\A43(\d{2}){0,2}\Z"),
    area_name=st.just("赫山区"),
    dept_code=st.from_regex(r"\A[0-9A-Z]{18}\Z"),
    dept_name=st.text(min_size=1, max_size=128),
    task_code=st.from_regex(r"\A\d{12}\Z"),
    task_handle_item=st.from_regex(r"\A\d{0,20}\Z"),
    task_name=st.text(min_size=1, max_size=200),
    case_type=st.sampled_from(list(CaseType)),
    manager=st.text(max_size=64),
    rater_name=st.text(min_size=1, max_size=64),
    rater_identifier=st.from_regex(r"\A\d{17}[\dX]\Z"),
    rater_is_person=st.booleans(),
    accepted_at=st.none()
    | st.datetimes(
        min_value=NAIVE_MIN,
        max_value=NAIVE_MAX,
        timezones=st.just(dt.UTC),
    ),
    reform_content=st.text(max_size=2000),
    reform_on=st.none() | st.dates(),
)


@hsettings(max_examples=300, deadline=None)
@given(facts=facts_strategy, full=st.booleans())
def test_no_rating_gives_an_out_of_range_or_wrongly_ordered_code(facts, full):
    record = provincial.interface_record(facts, full_identity=full)
    assert list(record) == list(provincial.INTERFACE_FIELDS)
    assert problems(record) == []
    assert record["satisfaction"] + facts.level == 6  # 5 = 非常满意 ⇔ A.8 code 1
    assert IFACE_NAME[record["satisfaction"]] == GBT_NAME[facts.level]
    assert record["promiseTime"] == (2 if facts.case_type == CaseType.IMMEDIATE else 1)
    assert record["assessNumber"] == (2 if facts.kind == RatingKind.FOLLOW_UP else 1)
    standard = provincial.standard_record(facts)
    assert standard["满意度代码"] == facts.level and standard["满意度"] == GBT_NAME[facts.level]
    assert len(standard["行政区划"]) <= 9 and standard["行政区划"].isdigit()
    assert len(standard["评价人"]) <= 30 and len(standard["办件编号"]) <= 50
    assert len(standard["评价时间"]) == 15 and standard["评价时间"][8] == "T"
    if facts.rater_is_person and not full:
        assert record["certKeyGOV"] != facts.rater_identifier


@pytest.mark.django_db
def test_a_real_bad_rating_maps_with_its_indicators_and_rectification(setup):
    case = setup.case_in("delivered")
    rating = services.rating_submit(
        case_id=case.pk,
        user=setup.applicant.user,
        level=RatingLevel.VERY_DISSATISFIED,
        indicator_codes=["203", "201"],
        text="等了很久",
    )
    rect = rating.rectification
    rect.reform_content = "已对窗口人员开展服务规范培训"
    rect.save(update_fields=["reform_content"])
    record = provincial.interface_record(provincial.facts_of(rating))
    assert problems(record) == []
    assert record["satisfaction"] == 1 and record["evalDetail"] == "201,203"
    assert record["projectNo"] == case.number and record["pf"] == 1
    assert record["deptCode"] == setup.departments["licence"].uscc
    assert record["areaCode"] == "430903000000"
    assert record["taskCode"] == "000101001000" and record["promiseTime"] == 1
    assert record["certKeyGOV"] == setup.applicant.id_number
    assert record["proManager"] == setup.clerk.name and record["proStatus"] == 3
    assert record["reformContent"] == "已对窗口人员开展服务规范培训"
    assert record["reformDate"] == clock.local(rect.due_at).date().isoformat()


@pytest.mark.django_db
def test_export_writes_jsonl_and_csv_for_a_date_range_with_the_rater_masked(setup, tmp_path):
    case = setup.case_in("delivered")
    services.rating_submit(case_id=case.pk, user=setup.applicant.user, level=2)
    today = clock.today().isoformat()
    out = tmp_path / "r.jsonl"
    call_command(
        "evaluations",
        "export",
        "--from",
        today,
        "--to",
        today,
        "--format",
        "jsonl",
        "--output",
        str(out),
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert problems(record) == [] and record["satisfaction"] == 4
    assert record["certKeyGOV"] != setup.applicant.id_number
    assert record["certKeyGOV"][-4:] == setup.applicant.id_number[-4:]
    csv_out = tmp_path / "r.csv"
    call_command(
        "evaluations",
        "export",
        "--from",
        today,
        "--to",
        today,
        "--format",
        "csv",
        "--output",
        str(csv_out),
    )
    rows = csv_out.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("areaCode,areaName,deptCode") and len(rows) == 2
    empty = tmp_path / "e.jsonl"
    call_command(
        "evaluations",
        "export",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--output",
        str(empty),
    )
    assert empty.read_text() == ""
