"""Process-mining export of the case event log: OCEL 2.0 JSON and XES (IEEE 1849).

``ocel_write`` and ``xes_write`` stream the hash-chained ``CaseEvent`` log of the cases in a
scope (submitted in a period, accepted in a region subtree) to a text stream. Every query runs
with ``.iterator()`` and each row is written as soon as it is read, so memory stays flat
however long the log is; the only state kept is the task → department map of the case being
written (events and tasks are read in the same case order and merged).

Objects (OCEL): ``case``, ``task``, ``applicant``, ``department``, ``officer`` (every member
of staff who acted or was assigned, window clerks included, with their role). Events carry
qualified relationships: ``case``, ``task`` and ``department`` (task events), ``applicant``
(the case's own state changes) and ``by`` (who acted). Applicants appear only as a stable
pseudonym (an HMAC of their row id under the project's secret key): no name, ID number,
phone or address, and no event reason or payload text, which can quote them, leaves the
system. Staff are named by id and role only.

A scope's reads share one snapshot (a read-only REPEATABLE READ transaction on PostgreSQL,
one read transaction on SQLite), so every relationship names an object of the same file.
See docs/process_mining.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from onestop.accounts.models import Applicant, Staff
from onestop.cases import sql
from onestop.cases.events import CASE_STATE_EVENTS
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CaseState, EventKind
from onestop.core import clock
from onestop.regions.models import Department

CHUNK = 2000
# OCEL 2.0: an attribute value without a time of its own holds from the beginning.
EPOCH = "1970-01-01T00:00:00Z"
_PSEUDONYM_SALT = "onestop.cases.process_mining.applicant"


class TextSink(Protocol):
    """Where an export is written: an open text file, a StringIO, a command's stdout."""

    def write(self, text: str, /) -> object: ...


class ObjectType:
    CASE = "case"
    TASK = "task"
    APPLICANT = "applicant"
    DEPARTMENT = "department"
    OFFICER = "officer"


@dataclass(frozen=True)
class ExportScope:
    """Which cases to export: submitted between two dates (Asia/Shanghai, inclusive) and
    accepted in a region subtree (a code prefix); every event of each such case is exported,
    so each trace is whole."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    region_code: str = ""


@dataclass
class ExportCounts:
    cases: int = 0
    events: int = 0
    objects: dict[str, int] = field(default_factory=dict)

    @property
    def object_total(self) -> int:
        return sum(self.objects.values())


# ------------------------------------------------------------------------------ identities


def applicant_pseudonym(applicant_id: int) -> str:
    """A stable pseudonym for an applicant: the same in every export under one secret key,
    not reversible without it."""
    return _pseudonym(settings.SECRET_KEY, applicant_id)


# Bounded: each event of a case names its applicant; hash once, keep memory flat.
@lru_cache(maxsize=4096)
def _pseudonym(secret: str, applicant_id: int) -> str:
    digest = salted_hmac(_PSEUDONYM_SALT, str(applicant_id), secret=secret, algorithm="sha256")
    return f"applicant:{digest.hexdigest()[:20]}"


def case_oid(number: str | None, pk: int) -> str:
    return f"case:{number or pk}"


def task_oid(pk: int) -> str:
    return f"task:{pk}"


def department_oid(pk: int) -> str:
    return f"department:{pk}"


def officer_oid(pk: int) -> str:
    return f"officer:{pk}"


def activity(kind: str) -> str:
    """An event kind's activity name: its label in the active language (受理, 统一出件)."""
    return _activities(get_language()).get(kind, kind)


# Keyed by the active language, which the labels are rendered in.
@lru_cache(maxsize=16)
def _activities(language: str | None) -> dict[str, str]:
    return {kind: str(label) for kind, label in EventKind.choices}


def _time(moment: dt.datetime) -> str:
    """ISO 8601 in Asia/Shanghai with the offset, to the microsecond the log stores."""
    return clock.local(moment).isoformat(timespec="microseconds")


# ---------------------------------------------------------------------------------- reads


def scope_cases(scope: ExportScope) -> QuerySet[Case]:
    """The submitted (not draft) cases of the scope."""
    cases = Case.objects.exclude(state=CaseState.DRAFT).filter(submitted_at__isnull=False)
    if scope.date_from is not None:
        start = dt.datetime.combine(scope.date_from, dt.time.min, tzinfo=clock.SHANGHAI)
        cases = cases.filter(submitted_at__gte=start)
    if scope.date_to is not None:
        end = dt.datetime.combine(
            scope.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI
        )
        cases = cases.filter(submitted_at__lt=end)
    if scope.region_code:
        cases = cases.filter(region_code__startswith=scope.region_code)
    return cases


def _events(cases: QuerySet[Case]) -> Iterator[tuple[Any, ...]]:
    return (
        CaseEvent.objects.filter(case__in=cases.values("pk"))
        .order_by("case_id", "seq")
        .values_list(
            "case_id",
            "case__number",
            "case__applicant_id",
            "case__title",
            "case__channel",
            "case__region_code",
            "case__state",
            "case__outcome",
            "seq",
            "kind",
            "at",
            "actor_role",
            "from_state",
            "to_state",
            "reason",
            "payload",
            "hash",
            "actor__staff__id",
            "actor__applicant__id",
        )
        .iterator(chunk_size=CHUNK)
    )


def _tasks(cases: QuerySet[Case]) -> Iterator[tuple[int, int, int]]:
    return (
        ItemTask.objects.filter(case__in=cases.values("pk"))
        .order_by("case_id", "pk")
        .values_list("case_id", "pk", "department_id")
        .iterator(chunk_size=CHUNK)
    )


@dataclass
class _Event:
    case_id: int
    case_oid: str
    applicant_oid: str
    case_title: str
    case_channel: str
    case_region_code: str
    case_state: str
    case_outcome: str
    seq: int
    kind: str
    at: dt.datetime
    actor_role: str
    from_state: str
    to_state: str
    has_reason: bool
    hash: str
    task_id: int | None
    department_id: int | None
    by: str


class _TaskMerge:
    """The departments of the tasks of the case being written, read alongside the events."""

    def __init__(self, rows: Iterator[tuple[int, int, int]]) -> None:
        self._rows = rows
        self._next: tuple[int, int, int] | None = next(rows, None)
        self._case_id: int | None = None
        self._departments: dict[int, int] = {}

    def department(self, case_id: int, task_id: int) -> int | None:
        if case_id != self._case_id:
            self._case_id, self._departments = case_id, {}
            # Both streams are ordered by case id: skip tasks of cases without events.
            while self._next is not None and self._next[0] < case_id:
                self._next = next(self._rows, None)
            while self._next is not None and self._next[0] == case_id:
                self._departments[self._next[1]] = self._next[2]
                self._next = next(self._rows, None)
        return self._departments.get(task_id)


def _scope_events(cases: QuerySet[Case]) -> Iterator[_Event]:
    tasks = _TaskMerge(_tasks(cases))
    for (
        case_id,
        number,
        applicant_id,
        title,
        channel,
        region_code,
        state,
        outcome,
        seq,
        kind,
        at,
        actor_role,
        from_state,
        to_state,
        reason,
        payload,
        digest,
        staff_id,
        actor_applicant_id,
    ) in _events(cases):
        raw_task = payload.get("task") if isinstance(payload, dict) else None
        task_id = raw_task if isinstance(raw_task, int) else None
        if staff_id is not None:
            by = officer_oid(staff_id)
        elif actor_applicant_id is not None:
            by = applicant_pseudonym(actor_applicant_id)
        else:
            by = ""
        yield _Event(
            case_id=case_id,
            case_oid=case_oid(number, case_id),
            applicant_oid=applicant_pseudonym(applicant_id),
            case_title=title,
            case_channel=channel,
            case_region_code=region_code,
            case_state=state,
            case_outcome=outcome,
            seq=seq,
            kind=kind,
            at=at,
            actor_role=actor_role,
            from_state=from_state,
            to_state=to_state,
            has_reason=bool(reason),
            hash=digest,
            task_id=task_id,
            department_id=None if task_id is None else tasks.department(case_id, task_id),
            by=by,
        )


def _officers(cases: QuerySet[Case]) -> QuerySet[Staff]:
    actors = CaseEvent.objects.filter(case__in=cases.values("pk"), actor__isnull=False)
    assignees = ItemTask.objects.filter(case__in=cases.values("pk"), assignee__isnull=False)
    return Staff.objects.filter(
        Q(user_id__in=actors.values("actor_id")) | Q(pk__in=assignees.values("assignee_id"))
    )


def _applicants(cases: QuerySet[Case]) -> QuerySet[Applicant]:
    actors = CaseEvent.objects.filter(case__in=cases.values("pk"), actor__isnull=False)
    return Applicant.objects.filter(
        Q(pk__in=cases.values("applicant_id")) | Q(user_id__in=actors.values("actor_id"))
    )


def _departments(cases: QuerySet[Case]) -> QuerySet[Department]:
    tasks = ItemTask.objects.filter(case__in=cases.values("pk"))
    return Department.objects.filter(
        Q(pk__in=tasks.values("department_id"))
        | Q(pk__in=_officers(cases).filter(department__isnull=False).values("department_id"))
    )


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the log for all of an export's queries."""
    if connection.in_atomic_block:  # the caller's transaction already is one
        yield
        return
    with transaction.atomic():
        sql.read_snapshot_begin()
        yield


# ----------------------------------------------------------------------------------- OCEL

# (name, OCEL type) of each object type's attributes; values hold from EPOCH on.
OBJECT_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    ObjectType.CASE: (
        ("number", "string"),
        ("title", "string"),
        ("channel", "string"),
        ("region_code", "string"),
        ("state", "string"),
        ("outcome", "string"),
        ("promised_days", "integer"),
        ("submitted_at", "time"),
    ),
    ObjectType.TASK: (
        ("item_code", "string"),
        ("title", "string"),
        ("region_code", "string"),
        ("state", "string"),
        ("promised_days", "integer"),
        ("round", "integer"),
    ),
    ObjectType.APPLICANT: (("kind", "string"),),
    ObjectType.DEPARTMENT: (("name", "string"), ("kind", "string"), ("region_code", "string")),
    ObjectType.OFFICER: (("role", "string"), ("region_code", "string")),
}
# Every event type carries the same attributes.
EVENT_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("kind", "string"),
    ("seq", "integer"),
    ("from_state", "string"),
    ("to_state", "string"),
    ("actor_role", "string"),
    ("has_reason", "boolean"),
    ("hash", "string"),
)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _object(
    oid: str, kind: str, values: tuple[Any, ...], relationships: list[tuple[str, str]]
) -> dict[str, Any]:
    names = OBJECT_TYPES[kind]
    return {
        "id": oid,
        "type": kind,
        "attributes": [
            {"name": name, "time": EPOCH, "value": value}
            for (name, _type), value in zip(names, values, strict=True)
            if value is not None
        ],
        "relationships": [{"objectId": o, "qualifier": q} for o, q in relationships],
    }


def _ocel_objects(cases: QuerySet[Case], counts: ExportCounts) -> Iterator[dict[str, Any]]:
    for pk, number, title, channel, region, state, outcome, days, at, applicant_id in (
        cases.order_by("pk")
        .values_list(
            "pk",
            "number",
            "title",
            "channel",
            "region_code",
            "state",
            "outcome",
            "promised_days",
            "submitted_at",
            "applicant_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        counts.cases += 1
        yield _object(
            case_oid(number, pk),
            ObjectType.CASE,
            (number, title, channel, region, state, outcome, days, at and _time(at)),
            [(applicant_pseudonym(applicant_id), "applicant")],
        )
    for pk, case_id, number, code, title, region, state, days, round_, dept, assignee in (
        ItemTask.objects.filter(case__in=cases.values("pk"))
        .order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "case__number",
            "item_code",
            "title",
            "region_code",
            "state",
            "promised_days",
            "round",
            "department_id",
            "assignee_id",
        )
        .iterator(chunk_size=CHUNK)
    ):
        relationships = [(case_oid(number, case_id), "case"), (department_oid(dept), "department")]
        if assignee is not None:
            relationships.append((officer_oid(assignee), "assignee"))
        yield _object(
            task_oid(pk), ObjectType.TASK, (code, title, region, state, days, round_), relationships
        )
    for pk, kind in _applicants(cases).order_by("pk").values_list("pk", "kind").iterator(CHUNK):
        yield _object(applicant_pseudonym(pk), ObjectType.APPLICANT, (kind,), [])
    for pk, name, kind, region in (
        _departments(cases)
        .order_by("pk")
        .values_list("pk", "name", "kind", "region__code")
        .iterator(chunk_size=CHUNK)
    ):
        yield _object(department_oid(pk), ObjectType.DEPARTMENT, (name, kind, region), [])
    for pk, role, region, dept in (
        _officers(cases)
        .order_by("pk")
        .values_list("pk", "role", "region__code", "department_id")
        .iterator(chunk_size=CHUNK)
    ):
        relationships = [] if dept is None else [(department_oid(dept), "department")]
        yield _object(officer_oid(pk), ObjectType.OFFICER, (role, region), relationships)


def _ocel_event(event: _Event) -> dict[str, Any]:
    relationships = [{"objectId": event.case_oid, "qualifier": "case"}]
    if event.task_id is not None:
        relationships.append({"objectId": task_oid(event.task_id), "qualifier": "task"})
        if event.department_id is not None:
            relationships.append(
                {"objectId": department_oid(event.department_id), "qualifier": "department"}
            )
    if event.kind in CASE_STATE_EVENTS:
        relationships.append({"objectId": event.applicant_oid, "qualifier": "applicant"})
    if event.by:
        relationships.append({"objectId": event.by, "qualifier": "by"})
    values = (
        event.kind,
        event.seq,
        event.from_state,
        event.to_state,
        event.actor_role,
        event.has_reason,
        event.hash,
    )
    return {
        "id": f"event:{event.case_oid.removeprefix('case:')}#{event.seq}",
        "type": activity(event.kind),
        "time": _time(event.at),
        "attributes": [
            {"name": name, "value": value}
            for (name, _type), value in zip(EVENT_ATTRIBUTES, values, strict=True)
        ],
        "relationships": relationships,
    }


def ocel_write(out: TextSink, *, scope: ExportScope | None = None) -> ExportCounts:
    """Write the scope's event log to ``out`` as OCEL 2.0 JSON, streaming; return the counts."""
    counts = ExportCounts()
    cases = scope_cases(scope or ExportScope())
    types = {
        "objectTypes": [
            {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}
            for name, attributes in OBJECT_TYPES.items()
        ],
        "eventTypes": [
            {
                "name": activity(kind),
                "attributes": [{"name": a, "type": t} for a, t in EVENT_ATTRIBUTES],
            }
            for kind in EventKind.values
        ],
    }
    with _snapshot():
        out.write(_dump(types)[:-1])  # the two type lists, the object left open
        out.write(',"objects":[\n')
        for index, obj in enumerate(_ocel_objects(cases, counts)):
            if index:
                out.write(",\n")
            out.write(_dump(obj))
            counts.objects[obj["type"]] = counts.objects.get(obj["type"], 0) + 1
        out.write('\n],"events":[\n')
        for index, event in enumerate(_scope_events(cases)):
            if index:
                out.write(",\n")
            out.write(_dump(_ocel_event(event)))
            counts.events += 1
        out.write("\n]}\n")
    return counts


# ------------------------------------------------------------------------------------ XES

_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and lifecycle" keys="concept:name lifecycle:transition"/>
  <string key="concept:name" value="onestop case event log"/>
"""


def _attr(tag: str, key: str, value: str | int | bool) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag} key={quoteattr(key)} value={quoteattr(str(value))}/>"


def _xes_event(event: _Event) -> str:
    parts = [
        _attr("string", "concept:name", activity(event.kind)),
        _attr("date", "time:timestamp", _time(event.at)),
        _attr("string", "org:resource", event.by or "system"),
        _attr("string", "org:role", event.actor_role),
        _attr("string", "lifecycle:transition", "complete"),
        _attr("string", "kind", event.kind),
        _attr("int", "seq", event.seq),
        _attr("boolean", "has_reason", event.has_reason),
        _attr("string", "hash", event.hash),
    ]
    if event.task_id is not None:
        parts.append(_attr("string", "task", task_oid(event.task_id)))
        if event.department_id is not None:
            parts.append(_attr("string", "department", department_oid(event.department_id)))
    return "    <event>\n      " + "\n      ".join(parts) + "\n    </event>\n"


def _xes_trace_head(event: _Event) -> str:
    parts = [
        _attr("string", "concept:name", event.case_oid.removeprefix("case:")),
        _attr("string", "title", event.case_title),
        _attr("string", "channel", event.case_channel),
        _attr("string", "region_code", event.case_region_code),
        _attr("string", "state", event.case_state),
        _attr("string", "outcome", event.case_outcome),
        _attr("string", "applicant", event.applicant_oid),
    ]
    return "  <trace>\n    " + "\n    ".join(parts) + "\n"


def xes_write(out: TextSink, *, scope: ExportScope | None = None) -> ExportCounts:
    """Write the scope's event log to ``out`` as XES, one trace per case, streaming."""
    counts = ExportCounts()
    cases = scope_cases(scope or ExportScope())
    out.write(_XES_HEAD)
    current: int | None = None
    with _snapshot():
        for event in _scope_events(cases):
            if event.case_id != current:
                if current is not None:
                    out.write("  </trace>\n")
                out.write(_xes_trace_head(event))
                current = event.case_id
                counts.cases += 1
            out.write(_xes_event(event))
            counts.events += 1
    if current is not None:
        out.write("  </trace>\n")
    out.write("</log>\n")
    return counts
