"""The process-mining export (``onestop audit export``): OCEL 2.0 JSON and XES.

Cases are run through the case services; the files are checked for their structure here
(always) and loaded in pm4py where it is installed (the ``mining`` extra).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.cases import services
from onestop.cases.models import CaseEvent
from onestop.cases.process_mining import (
    EVENT_ATTRIBUTES,
    OBJECT_TYPES,
    ExportScope,
    activity,
    applicant_pseudonym,
    ocel_write,
)
from onestop.cases.states import Channel, EventKind
from onestop.core import clock
from onestop.demo.loader import SECTIONS, DemoSummary
from tests.demo.conftest import FAST_HASHERS, LOADED_AT
from tests.factories.accounts import ApplicantFactory, UserFactory

HAS_PM4PY = importlib.util.find_spec("pm4py") is not None
needs_pm4py = pytest.mark.skipif(
    not HAS_PM4PY, reason="pm4py is not installed: pip install -e '.[mining]' to run"
)
XES = "{http://www.xes-standard.org/}"
OCEL_TYPES = {"string", "time", "integer", "float", "boolean"}
K = EventKind

# The main path of a window case that is approved and handed out, as the log records it.
WINDOW_PATH = [
    K.SUBMITTED,
    K.ACCEPTED,
    K.TASK_CREATED,
    K.PROCESSING_STARTED,
    K.TASK_CLAIMED,
    K.TASK_APPROVED,
    K.COMPLETED,
    K.HANDED_OUT,
]


def delivered(setup, **kwargs):
    case = setup.completed(**kwargs)
    return services.case_hand_out(case_id=case.pk, clerk=setup.clerk)


@pytest.fixture
def log(setup):
    """Three cases: handed out at the window, applied online and handed out, rejected."""
    window = delivered(setup)
    online = setup.submit(channel=Channel.ONLINE)
    online = services.case_pre_review_pass(case_id=online.pk, clerk=setup.clerk)
    services.case_accept(case_id=online.pk, clerk=setup.clerk)
    for key in ("licence", "seal", "invoice"):
        setup.decide(online, key)
    online = services.case_hand_out(case_id=online.pk, clerk=setup.clerk)
    other = ApplicantFactory(user=UserFactory())
    rejected = setup.submit(applicant=other, created_by=other.user)
    rejected = services.case_reject(case_id=rejected.pk, clerk=setup.clerk, reason="不属于本地管辖")
    return {"window": window, "online": online, "rejected": rejected, "other": other}


def export(tmp_path: Path, fmt: str, *args: str, name: str = "") -> tuple[Path, str]:
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    path = folder / (name or f"log.{fmt}")
    out = io.StringIO()
    call_command("audit", "export", "--format", fmt, "--output", str(path), *args, stdout=out)
    return path, out.getvalue()


def ocel(tmp_path: Path, *args: str, name: str = "") -> dict:
    path, _ = export(tmp_path, "ocel", *args, name=name)
    return json.loads(path.read_text(encoding="utf-8"))


def case_events(data: dict, number: str) -> list[dict]:
    return [
        e
        for e in data["events"]
        if {"objectId": f"case:{number}", "qualifier": "case"} in e["relationships"]
    ]


def attr(event: dict, name: str):
    return next(a["value"] for a in event["attributes"] if a["name"] == name)


# ------------------------------------------------------------------ OCEL 2.0, no pm4py


def test_ocel_file_is_a_complete_ocel2_log_whose_relationships_all_resolve(log, tmp_path):
    data = ocel(tmp_path)
    assert set(data) == {"objectTypes", "eventTypes", "objects", "events"}
    object_types = {
        t["name"]: {a["name"]: a["type"] for a in t["attributes"]} for t in data["objectTypes"]
    }
    assert set(object_types) == {"case", "task", "applicant", "department", "officer"}
    event_types = {
        t["name"]: {a["name"]: a["type"] for a in t["attributes"]} for t in data["eventTypes"]
    }
    assert set(event_types) == {activity(kind) for kind in EventKind.values}
    assert len(event_types) == len(data["eventTypes"]) == len(EventKind.values)  # names unique
    for declared in [*object_types.values(), *event_types.values()]:
        assert set(declared.values()) <= OCEL_TYPES

    ids = [o["id"] for o in data["objects"]]
    assert len(ids) == len(set(ids))
    objects = {o["id"]: o for o in data["objects"]}
    for obj in data["objects"]:
        assert obj["type"] in object_types
        for a in obj["attributes"]:
            assert a["name"] in object_types[obj["type"]]
            dt.datetime.fromisoformat(a["time"])
        for rel in obj["relationships"]:
            assert rel["objectId"] in objects, rel

    assert len(data["events"]) == CaseEvent.objects.count()
    assert len({e["id"] for e in data["events"]}) == len(data["events"])
    for event in data["events"]:
        assert event["type"] in event_types
        assert dt.datetime.fromisoformat(event["time"]).tzinfo is not None
        assert {a["name"] for a in event["attributes"]} == set(event_types[event["type"]])
        for rel in event["relationships"]:
            assert rel["objectId"] in objects, rel
            assert rel["qualifier"] in {"case", "task", "department", "applicant", "by"}

    counts = {name: sum(o["type"] == name for o in data["objects"]) for name in object_types}
    # 3 cases; 3 tasks for each handed-out case, none for the rejected one; 2 applicants;
    # 3 departments; 3 officers and the window clerk.
    assert counts == {"case": 3, "task": 6, "applicant": 2, "department": 3, "officer": 4}


def test_ocel_events_follow_each_case_in_order_with_who_acted(log, setup, tmp_path):
    data = ocel(tmp_path)
    window = log["window"]
    events = case_events(data, window.number)
    assert [attr(e, "seq") for e in events] == list(range(1, len(events) + 1))
    kinds = [attr(e, "kind") for e in events]
    assert [k for k in kinds if k in WINDOW_PATH] == [
        k for k in window.events.order_by("seq").values_list("kind", flat=True) if k in WINDOW_PATH
    ]
    assert events[0]["type"] == "提交申请" and events[-1]["type"] == "统一出件"
    accepted = next(e for e in events if attr(e, "kind") == K.ACCEPTED)
    assert {"objectId": f"officer:{setup.clerk.pk}", "qualifier": "by"} in accepted["relationships"]
    approved = [e for e in events if attr(e, "kind") == K.TASK_APPROVED]
    licence = setup.task(window, "licence")
    first = next(
        e
        for e in approved
        if {"objectId": f"task:{licence.pk}", "qualifier": "task"} in e["relationships"]
    )
    rels = first["relationships"]
    assert {"objectId": f"officer:{setup.officers['licence'].pk}", "qualifier": "by"} in rels
    assert {"objectId": f"department:{licence.department_id}", "qualifier": "department"} in rels
    submitted = events[0]["relationships"]
    pseudonym = applicant_pseudonym(setup.applicant.pk)
    assert {"objectId": pseudonym, "qualifier": "by"} in submitted
    assert {"objectId": pseudonym, "qualifier": "applicant"} in submitted
    rejected = case_events(data, log["rejected"].number)[-1]
    assert attr(rejected, "kind") == K.REJECTED and attr(rejected, "has_reason") is True
    # The hash ties the exported event to the chain `onestop audit verify` checks.
    last = window.events.order_by("-seq").first()
    assert attr(events[-1], "hash") == last.hash


def test_applicants_appear_only_as_stable_pseudonyms(log, setup, tmp_path):
    first = export(tmp_path, "ocel", name="first.json")[0].read_text("utf-8")
    xes = export(tmp_path, "xes")[0].read_text("utf-8")
    again = export(tmp_path, "ocel", name="again.json")[0].read_text("utf-8")
    assert first == again
    for applicant in (setup.applicant, log["other"]):
        applicant.refresh_from_db()
        secrets = [applicant.name, applicant.id_number, applicant.phone, applicant.uscc]
        secrets += [str(v) for v in log["window"].form_data.values()]
        for text in (first, xes):
            for secret in filter(None, secrets):
                assert secret not in text
    reason = log["rejected"].rejection_reason
    assert reason and reason not in first and reason not in xes
    data = json.loads(first)
    applicants = [o for o in data["objects"] if o["type"] == "applicant"]
    assert {o["id"] for o in applicants} == {
        applicant_pseudonym(setup.applicant.pk),
        applicant_pseudonym(log["other"].pk),
    }
    assert applicant_pseudonym(setup.applicant.pk) != applicant_pseudonym(log["other"].pk)
    assert all({a["name"] for a in o["attributes"]} == {"kind"} for o in applicants)


def test_export_scope_by_submission_date_and_region(log, setup, tmp_path):
    today = clock.today()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    data = ocel(tmp_path, "--from", today.isoformat(), "--to", today.isoformat(), name="day")
    assert sum(o["type"] == "case" for o in data["objects"]) == 3
    data = ocel(tmp_path, "--from", tomorrow, name="later")
    assert data["objects"] == [] and data["events"] == []
    data = ocel(tmp_path, "--region", setup.county.code, name="county")
    assert sum(o["type"] == "case" for o in data["objects"]) == 3
    data = ocel(tmp_path, "--region", "4401", name="elsewhere")
    assert data["events"] == []


def test_a_case_submitted_yesterday_is_left_out_of_today(setup, tmp_path):
    with clock.frozen(clock.now() - dt.timedelta(days=1)):
        old = setup.submit()
    new = setup.submit()
    today = clock.today().isoformat()
    data = ocel(tmp_path, "--from", today)
    cases = {o["id"] for o in data["objects"] if o["type"] == "case"}
    assert cases == {f"case:{new.number}"}
    assert not case_events(data, old.number)


def test_the_command_reports_what_it_wrote_and_refuses_bad_input(log, tmp_path):
    _path, message = export(tmp_path, "ocel")
    events = CaseEvent.objects.count()
    assert message.startswith(f"OK: 3 cases, {events} events, 18 objects")
    with pytest.raises(CommandError, match="--from"):
        export(tmp_path, "xes", "--from", "2026-02-01", "--to", "2026-01-01")
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command(
            "audit", "export", "--format", "xes", "--output", str(tmp_path / "no" / "x.xes")
        )
    with pytest.raises(CommandError, match="区划代码"):
        export(tmp_path, "xes", "--region", "湖南")
    with pytest.raises(CommandError):
        export(tmp_path, "xes", "--from", "1 May")
    # Refused exports leave nothing behind, not even a partial file.
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["log.ocel"]


@pytest.mark.django_db(transaction=True)
def test_an_export_outside_a_transaction_reads_one_snapshot(setup, tmp_path):
    """The command as an operator runs it: no transaction around it, so it opens its own
    (REPEATABLE READ, READ ONLY on PostgreSQL) and every relationship still resolves."""
    case = delivered(setup)
    path, message = export(tmp_path, "ocel")
    data = json.loads(path.read_text("utf-8"))
    assert len(case_events(data, case.number)) == case.events.count()
    ids = {o["id"] for o in data["objects"]}
    assert all(r["objectId"] in ids for e in data["events"] for r in e["relationships"])
    xes_path, message = export(tmp_path, "xes")
    assert message.startswith(f"OK: 1 cases, {case.events.count()} events written as xes")
    assert connection.in_atomic_block is False


def test_the_export_can_go_to_standard_output(log):
    out = io.StringIO()
    call_command("audit", "export", "--format", "ocel", "--output", "-", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["events"]) == CaseEvent.objects.count()


def test_the_number_of_queries_does_not_grow_with_the_log(setup):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ocel_write(io.StringIO(), scope=ExportScope())
        return len(ctx.captured_queries)

    delivered(setup)
    one = queries()
    delivered(setup)
    delivered(setup)
    assert queries() == one


def test_every_declared_attribute_type_is_an_ocel_type():
    for attributes in [*OBJECT_TYPES.values(), EVENT_ATTRIBUTES]:
        assert {kind for _name, kind in attributes} <= OCEL_TYPES


# ----------------------------------------------------------------------------- XES


def test_xes_has_one_trace_per_case_with_named_timed_events(log, setup, tmp_path):
    path, _ = export(tmp_path, "xes")
    root = ET.parse(path).getroot()  # noqa: S314 - the file this test just wrote
    assert root.tag == f"{XES}log"
    prefixes = {e.get("prefix") for e in root.findall(f"{XES}extension")}
    assert prefixes == {"concept", "time", "org", "lifecycle"}
    traces = root.findall(f"{XES}trace")
    names = {t.find(f"{XES}string[@key='concept:name']").get("value"): t for t in traces}
    assert set(names) == {log[k].number for k in ("window", "online", "rejected")}
    trace = names[log["window"].number]
    events = trace.findall(f"{XES}event")
    assert len(events) == log["window"].events.count()
    first, last = events[0], events[-1]

    def value(event, tag, key):
        return event.find(f"{XES}{tag}[@key='{key}']").get("value")

    assert value(first, "string", "concept:name") == "提交申请"
    assert value(last, "string", "concept:name") == "统一出件"
    assert value(first, "string", "org:resource") == applicant_pseudonym(setup.applicant.pk)
    assert value(last, "string", "org:resource") == f"officer:{setup.clerk.pk}"
    assert value(last, "string", "lifecycle:transition") == "complete"
    stamps = [dt.datetime.fromisoformat(value(e, "date", "time:timestamp")) for e in events]
    assert stamps == sorted(stamps)
    assert value(trace, "string", "channel") == Channel.HALL_WINDOW


# --------------------------------------------------------------------------- pm4py


@pytest.fixture
def pm4py(monkeypatch):
    if not HAS_PM4PY:
        pytest.skip("pm4py is not installed: pip install -e '.[mining]' to run")
    import pm4py
    from pm4py.util import constants

    # pm4py warns that a faster optional XES parser is missing; warnings are errors here.
    monkeypatch.setattr(constants, "SHOW_INTERNAL_WARNINGS", False)
    return pm4py


def path_edges(kinds) -> set[tuple[str, str]]:
    labels = [activity(k) for k in kinds]
    return set(zip(labels, labels[1:], strict=False))


def reaches(dfg, start: str, end: str) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        for a, b in dfg:
            if a == node and b not in seen:
                seen.add(b)
                frontier.append(b)
    return end in seen


@needs_pm4py
def test_pm4py_loads_the_ocel_and_the_case_dfg_runs_from_submission_to_hand_out(
    log, tmp_path, pm4py
):
    path, _ = export(tmp_path, "ocel")
    loaded = pm4py.read_ocel2_json(str(path))
    assert len(loaded.events) == CaseEvent.objects.count()
    assert set(loaded.objects["ocel:type"]) == {
        "case",
        "task",
        "applicant",
        "department",
        "officer",
    }
    flat = pm4py.ocel_flattening(loaded, "case")
    dfg, starts, ends = pm4py.discover_dfg(flat)
    assert set(starts) == {activity(K.SUBMITTED)}
    assert ends.keys() == {activity(K.HANDED_OUT), activity(K.REJECTED)}
    assert {
        (activity(K.SUBMITTED), activity(K.ACCEPTED)),
        (activity(K.SUBMITTED), activity(K.PRE_REVIEW_PASSED)),
        (activity(K.PRE_REVIEW_PASSED), activity(K.ACCEPTED)),
        (activity(K.SUBMITTED), activity(K.REJECTED)),
        (activity(K.COMPLETED), activity(K.HANDED_OUT)),
    } <= set(dfg)
    assert reaches(dfg, activity(K.ACCEPTED), activity(K.COMPLETED))
    # Per task: created, (ready,) claimed, approved.
    tasks = pm4py.discover_dfg(pm4py.ocel_flattening(loaded, "task"))[0]
    assert (activity(K.TASK_CLAIMED), activity(K.TASK_APPROVED)) in tasks


@needs_pm4py
def test_pm4py_loads_the_xes_and_its_dfg_shows_the_window_path(log, tmp_path, pm4py):
    path, _ = export(tmp_path, "xes")
    frame = pm4py.read_xes(str(path))
    assert frame["case:concept:name"].nunique() == 3
    assert len(frame) == CaseEvent.objects.count()
    dfg, starts, ends = pm4py.discover_dfg(frame)
    assert set(starts) == {activity(K.SUBMITTED)}
    assert {activity(K.HANDED_OUT), activity(K.REJECTED)} == set(ends)
    window = list(log["window"].events.order_by("seq").values_list("kind", flat=True))
    assert path_edges(window) <= set(dfg)
    assert reaches(dfg, activity(K.SUBMITTED), activity(K.HANDED_OUT))
    assert (frame["lifecycle:transition"] == "complete").all()


# ---------------------------------------------------------------------------- demo


def test_the_demo_logs_directly_follows_graph_shows_the_expected_path(db, settings, tmp_path):
    """On the demo's sample cases: computed from the OCEL file by hand, and by pm4py from
    both files where it is installed."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    summary = DemoSummary()
    # The demo up to its sample cases (run through the services); later sections may add
    # bulk history, which would only make this test slower.
    names = [name for name, _section in SECTIONS]
    with clock.frozen(LOADED_AT):
        for _name, section in SECTIONS[: names.index("cases") + 1]:
            section(summary)
    assert CaseEvent.objects.exists()
    path, _ = export(tmp_path, "ocel")
    data = json.loads(path.read_text("utf-8"))
    traces: dict[str, list[str]] = {}
    for event in data["events"]:
        case = next(r["objectId"] for r in event["relationships"] if r["qualifier"] == "case")
        traces.setdefault(case, []).append(event["type"])
    dfg: set[tuple[str, str]] = set()
    for trace in traces.values():
        dfg |= set(zip(trace, trace[1:], strict=False))
    expected = path_edges(WINDOW_PATH)
    assert expected <= dfg
    if not HAS_PM4PY:
        return
    import pm4py
    from pm4py.util import constants

    shown, constants.SHOW_INTERNAL_WARNINGS = constants.SHOW_INTERNAL_WARNINGS, False
    try:
        flat = pm4py.ocel_flattening(pm4py.read_ocel2_json(str(path)), "case")
        assert expected <= set(pm4py.discover_dfg(flat)[0])
        xes_path, _ = export(tmp_path, "xes")
        frame = pm4py.read_xes(str(xes_path))
        assert expected <= set(pm4py.discover_dfg(frame)[0])
        assert frame["case:concept:name"].nunique() == len(traces)
    finally:
        constants.SHOW_INTERNAL_WARNINGS = shown


def test_pseudonyms_are_keyed_by_the_secret_key(settings):
    before = applicant_pseudonym(7)
    assert before == applicant_pseudonym(7) != applicant_pseudonym(8)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert applicant_pseudonym(7) != before
