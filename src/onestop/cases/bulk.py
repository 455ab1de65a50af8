"""Cases in bulk: many cases written at once, row for row what the services write.

History for the demo (months of it) and the scale benchmark (a million cases) need cases
by the ten thousand, faster than the services' one transaction per transition allow
(about 30 lifecycles a second). This module writes them in bulk **without a second
implementation of the rules**: every kind of application (a ``Shape``) is played once
through the real services (``shape_play``), inside a savepoint that is then rolled back,
with the clock frozen at one marked moment per step; the rows that play wrote — the case,
its materials, tasks and their prerequisite links, verification tasks and events — are
kept after each step as that step's snapshot (the **template**). A case to write (a
``CaseOrder``) names a shape, how many of its steps were taken and when, the applicant,
where it was received and its idempotency key; its rows are the snapshot's with exactly
these substituted:

* primary keys (fresh ones from each table's sequence) and every reference to a row of the
  same case (the tasks in events' payloads, prerequisite links, verifications);
* the case number, from the (region, day) counter as ``case_number_next`` hands it out,
  the counters moved past the numbers used;
* the applicant (and their login where it acted), the 收件地 (region, code, hall) and the
  idempotency key;
* every moment: a value the template holds at step *k*'s marked moment becomes the order's
  *k*-th moment; ``created_at`` / ``updated_at`` are the moment of writing, as for any row
  the services write; the stored due dates are recomputed from the new moments with the
  engine's own ``deadlines.due_from`` (and the template's own due dates are checked against
  that rule when it is made, so a change of the rule fails loudly instead of writing wrong
  dates);
* material file paths (they carry the case number); with ``files=True`` the template's
  file is stored again under each path;
* each event's ``prev_hash`` and ``hash``: the chain is rebuilt with ``events.event_hash``.

Everything else — new columns included — is copied as the services wrote it, and a value
the loader does not know how to move (a moment that is no step's and no due date, a row of
another model) stops the template with an error. ``tests/cases/test_bulk.py`` compares
bulk cases column by column with cases the services made with the same orders.

What the bulk path does not do: the after-commit effects (hooks and the notifications
outbox). History sends no messages; the apps that react to events catch up with their
sweeps (``stats`` ``case_figures_sweep``, ``supervision`` ``signals_sweep``), as they do
after a failed handler.

Rows go in as ``COPY … FROM STDIN`` on PostgreSQL and as one prepared ``INSERT`` run over
many rows on SQLite, a batch of cases per transaction. Besides ``cases.sql``, this is the
only module of the app that writes SQL by hand: the copy, the id blocks and the counter
upsert, with table and column names from the models' metadata.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Model

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import DEPARTMENT_ROLES
from onestop.cases import services, sql
from onestop.cases.deadlines import due_from
from onestop.cases.events import event_hash
from onestop.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberCounter,
    ItemTask,
    VerificationTask,
)
from onestop.cases.numbering import case_number_format
from onestop.cases.states import REMOTE_CHANNELS, CaseState, Channel, EventKind, TaskState
from onestop.core import clock
from onestop.regions.models import Hall, Region

# How a shape's play ends.
APPROVE = "approve"  # every task approved, the result handed out
DENY = "deny"  # the first task denied (its dependants not applicable), the others approved
REJECT = "reject"  # 不予受理 at the window

REJECT_REASON = "申请事项不属于本机关职权范围，请向有权机关申请。"
APPROVE_OPINION = "符合条件，准予办理。"
DENY_OPINION = "不符合办理条件。"
TEMPLATE_KEY = "bulk-template"

# The rows a case's play may write, in the order they are written (references first).
_THROUGH = ItemTask.depends_on.through
CASE_ROWS: tuple[type[Model], ...] = (
    Case,
    CaseMaterial,
    ItemTask,
    _THROUGH,
    VerificationTask,
    CaseEvent,
)
# Keys of an event's payload that hold ids of the case's own rows.
_PAYLOAD_TASK_KEYS = frozenset({"task", "tasks", "depends_on", "with", "because"})
_PAYLOAD_REFS: dict[str, type[Model]] = {
    **dict.fromkeys(_PAYLOAD_TASK_KEYS, ItemTask),
    "verification": VerificationTask,
    "applicant": Applicant,
}
# ... except where a key of that name holds something else (the completed event's count).
_PAYLOAD_NOT_REFS = frozenset({(EventKind.COMPLETED, "tasks")})
# An applicant's particulars a form may repeat (moved to the copy's applicant).
_IDENTITY = (
    "name",
    "id_number",
    "uscc",
    "legal_representative",
    "legal_representative_id_number",
    "phone",
    "address",
)
# Stored due dates and the moment their clock started.
_DUE_START = {Case: "accepted_at", ItemTask: "ready_at"}


class TemplateError(RuntimeError):
    """A shape's rows hold something the loader cannot move to another case."""


# ---------------------------------------------------------------------------------- shapes


@dataclass(frozen=True, eq=False)
class Shape:
    """One kind of application and how its play goes, e.g. 开办企业 at a county window.

    ``application(applicant)`` gives fresh keyword arguments for ``case_submit`` each time
    (the target version, answers, form and materials; files are read once); the form may
    hold the applicant's own particulars (name, ID number, phone…), which a copy for another
    applicant carries as theirs. Window channels are entered
    by ``clerk`` (``case_intake``), remote ones by the applicant's login; ``clerk`` also
    pre-reviews, accepts and hands out. Tasks are claimed and decided by their assignee (or
    the department's first officer).
    """

    name: str
    application: Callable[[Applicant], dict[str, Any]]
    channel: Channel
    applicant: Applicant
    clerk: Staff
    accepting_region: Region
    hall: Hall | None = None
    ending: str = APPROVE


def _officer(task: ItemTask) -> Staff:
    if task.assignee_id is not None:
        return Staff.objects.select_related("region").get(pk=task.assignee_id)
    officer = (
        Staff.objects.select_related("region")
        .filter(department_id=task.department_id, is_active=True, role__in=DEPARTMENT_ROLES)
        .order_by("pk")
        .first()
    )
    if officer is None:
        raise TemplateError(f"no officer in department {task.department_id} to decide {task}")
    return officer


def shape_play(
    shape: Shape,
    moments: Iterable[dt.datetime],
    *,
    applicant: Applicant | None = None,
    accepting_region: Region | None = None,
    hall: Hall | None | str = "shape",
    idempotency_key: str | None = None,
    steps: int | None = None,
    after_step: Callable[[str, Case], None] | None = None,
) -> Case:
    """Play the shape through the services, one step per moment (the clock frozen there).

    ``steps`` stops after that many steps; ``after_step(label, case)`` is told of each.
    The steps: ``submitted``, ``pre_reviewed`` (remote channels), then ``rejected``, or
    ``accepted``, ``claimed`` / ``decided`` per task as tasks become ready, ``handed_out``.
    """
    applicant = applicant or shape.applicant
    region = accepting_region or shape.accepting_region
    hall_used = shape.hall if hall == "shape" else hall
    clerk = shape.clerk
    times: Iterator[dt.datetime] = iter(moments)
    taken = 0

    def step(label: str, action: Callable[[], Any]) -> bool:
        nonlocal taken
        if steps is not None and taken >= steps:
            return False
        with clock.frozen(next(times)):
            action()
        taken += 1
        if after_step is not None:
            after_step(label, case)
        return True

    def submit() -> None:
        nonlocal case
        application = shape.application(applicant)
        if shape.channel in REMOTE_CHANNELS:
            case = services.case_submit(
                applicant=applicant,
                channel=shape.channel,
                accepting_region=region,
                hall=hall_used,
                created_by=applicant.user,
                idempotency_key=idempotency_key,
                **application,
            )
        else:
            case = services.case_intake(
                staff=clerk,
                applicant=applicant,
                channel=shape.channel,
                accepting_region=region,
                hall=hall_used,
                idempotency_key=idempotency_key,
                **application,
            )

    case = Case()
    step("submitted", submit)
    if shape.channel in REMOTE_CHANNELS and not step(
        "pre_reviewed", lambda: services.case_pre_review_pass(case_id=case.pk, clerk=clerk)
    ):
        return case
    if shape.ending == REJECT:
        step(
            "rejected",
            lambda: services.case_reject(case_id=case.pk, clerk=clerk, reason=REJECT_REASON),
        )
        return case
    if not step("accepted", lambda: services.case_accept(case_id=case.pk, clerk=clerk)):
        return case
    denied = shape.ending != DENY
    while True:
        task = case.tasks.filter(state=TaskState.READY).order_by("pk").first()
        if task is None:
            break
        officer = _officer(task)
        if not step(
            "claimed", lambda t=task, o=officer: services.task_claim(task_id=t.pk, officer=o)
        ):
            return case
        if not denied:
            denied = True
            decide = lambda t=task, o=officer: services.task_deny(  # noqa: E731
                task_id=t.pk, officer=o, opinion=DENY_OPINION
            )
        else:
            decide = lambda t=task, o=officer: services.task_approve(  # noqa: E731
                task_id=t.pk, officer=o, opinion=APPROVE_OPINION
            )
        if not step("decided", decide):
            return case
    case.refresh_from_db(fields=["state"])
    if case.state == CaseState.COMPLETED:
        step("handed_out", lambda: services.case_hand_out(case_id=case.pk, clerk=clerk))
    return case


# ------------------------------------------------------------------------------- templates

# What to put in a column of a clone: (column index, operation, argument).
_Op = tuple[int, str, Any]


@dataclass
class _RowPlan:
    model: type[Model]
    base: list[Any]  # the template's values, prepared for the database
    ops: list[_Op]
    raw: dict[str, Any]  # the template's values as Python (attname → value)


@dataclass
class _Snapshot:
    label: str
    rows: list[_RowPlan]
    case_number: str
    files: dict[str, bytes]  # template path → content


@dataclass
class _Template:
    shape: Shape
    labels: tuple[str, ...]
    snapshots: list[_Snapshot]
    applicant_id: int
    applicant_user_id: int | None
    identity: dict[str, str]


def _fields(model: type[Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def _case_rows(case_id: int) -> dict[type[Model], list[Model]]:
    """Every row of the case's own tables, in id order."""
    task_ids = list(ItemTask.objects.filter(case_id=case_id).values_list("pk", flat=True))
    return {
        Case: list(Case.objects.filter(pk=case_id)),
        CaseMaterial: list(CaseMaterial.objects.filter(case_id=case_id).order_by("pk")),
        ItemTask: list(ItemTask.objects.filter(case_id=case_id).order_by("pk")),
        _THROUGH: list(_THROUGH.objects.filter(from_itemtask_id__in=task_ids).order_by("pk")),
        VerificationTask: list(VerificationTask.objects.filter(case_id=case_id).order_by("pk")),
        CaseEvent: list(CaseEvent.objects.filter(case_id=case_id).order_by("seq")),
    }


def _other_rows_check(case_id: int) -> None:
    """Refuse a play that wrote rows of the case's models the loader does not copy."""
    copied = set(CASE_ROWS)
    for relation in Case._meta.related_objects:
        model = relation.related_model
        if model in copied or model._meta.app_label != "cases":
            continue
        if model._default_manager.filter(**{relation.field.name: case_id}).exists():
            raise TemplateError(f"the play wrote {model.__name__} rows, which bulk does not copy")


class _Discard(Exception):  # noqa: N818 - not an error: it rolls the template back
    pass


def _file_bytes(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _marked_moments(count: int) -> list[dt.datetime]:
    """The template's moments: distinct, one a minute, on a working Monday of 2026."""
    start = dt.datetime(2026, 3, 2, 9, 0, 0, 123457, tzinfo=clock.SHANGHAI)
    return [start + dt.timedelta(minutes=7 * k, microseconds=k) for k in range(count)]


def template_make(shape: Shape) -> _Template:
    """Play the shape once (rolled back) and plan how each step's rows are copied."""
    moments = _marked_moments(64)
    raw_snapshots: list[tuple[str, dict[type[Model], list[Model]], dict[str, bytes]]] = []
    made_files: set[str] = set()
    case_box: list[Case] = []

    def after(label: str, case: Case) -> None:
        rows = _case_rows(case.pk)
        _other_rows_check(case.pk)
        files = {}
        for material in rows[CaseMaterial]:
            name = material.file.name if material.file else ""
            if name:
                made_files.add(name)
                files[name] = _file_bytes(name)
        raw_snapshots.append((label, rows, files))
        if not case_box:
            case_box.append(case)

    try:
        with transaction.atomic():
            shape_play(shape, moments, idempotency_key=TEMPLATE_KEY, after_step=after)
            raise _Discard
    except _Discard:
        pass
    finally:
        for name in made_files:  # the rolled-back play's uploads
            default_storage.delete(name)
    labels = tuple(label for label, _rows, _files in raw_snapshots)
    applicant = shape.applicant
    snapshots = []
    for index, (label, rows, files) in enumerate(raw_snapshots):
        marks = {moment: k for k, moment in enumerate(moments[: index + 1])}
        case = rows[Case][0]
        plans = [
            _plan_row(obj, marks=marks, number=case.number or "", applicant=applicant)
            for model in CASE_ROWS
            for obj in rows[model]
        ]
        snapshots.append(_Snapshot(label, plans, case.number or "", files))
    return _Template(
        shape, labels, snapshots, applicant.pk, applicant.user_id, _identity(applicant)
    )


def _due_start_mark(obj: Model, marks: Mapping[dt.datetime, int]) -> int:
    """The step whose moment started the row's clock; the template's stored due date must be
    ``due_from`` that start, the rule the copy uses."""
    start = getattr(obj, _DUE_START[type(obj)])
    if start not in marks:
        raise TemplateError(f"{type(obj).__name__} has a due date but no marked clock start")
    due = due_from(start, obj.promised_days, obj.promised_unit)  # type: ignore[attr-defined]
    stored = (obj.due_at, obj.due_is_provisional)  # type: ignore[attr-defined]
    if stored != (due.at, due.is_provisional):
        raise TemplateError(
            f"{type(obj).__name__}.due_at {stored} is not due_from({start}): the rule changed"
        )
    return marks[start]


def _json_moments(value: Any, isos: Mapping[str, int], where: str) -> None:
    """Refuse JSON holding a step's moment in a place the loader does not move."""
    if isinstance(value, str) and value in isos:
        raise TemplateError(f"{where} holds a step's moment; bulk does not move it")
    if isinstance(value, dict):
        for item in value.values():
            _json_moments(item, isos, where)
    elif isinstance(value, list):
        for item in value:
            _json_moments(item, isos, where)


def _plan_row(
    obj: Model, *, marks: dict[dt.datetime, int], number: str, applicant: Applicant
) -> _RowPlan:
    model = type(obj)
    base: list[Any] = []
    ops: list[_Op] = []
    raw: dict[str, Any] = {}
    isos = {moment.isoformat(): k for moment, k in marks.items()}
    for index, f in enumerate(_fields(model)):
        value = getattr(obj, f.attname)
        raw[f.attname] = value
        base.append(f.get_db_prep_save(value, connection))
        name = f"{model.__name__}.{f.name}"
        if f.primary_key:
            ops.append((index, "pk", None))
        elif model is Case and f.name == "number":
            ops.append((index, "number", None))
        elif model is Case and f.name == "idempotency_key":
            ops.append((index, "key", None))
        elif model is Case and f.name == "accepting_region":
            ops.append((index, "region", None))
        elif model is Case and f.name == "region_code":
            ops.append((index, "region_code", None))
        elif model is Case and f.name == "hall":
            ops.append((index, "hall", None))
        elif model is CaseEvent and f.name in ("hash", "prev_hash"):
            ops.append((index, f.name, None))
        elif f.is_relation and f.related_model in CASE_ROWS:
            ops.append((index, "ref", f.related_model))
        elif f.is_relation and f.related_model is Applicant:
            ops.append((index, "applicant", None))
        elif f.is_relation and f.related_model is User:
            if value is not None and value == applicant.user_id:
                ops.append((index, "user", None))
        elif isinstance(f, models.DateTimeField):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                ops.append((index, "now", None))
            elif value is None:
                pass
            elif value in marks:
                ops.append((index, "moment", marks[value]))
            elif model in _DUE_START and f.name == "due_at":
                ops.append((index, "due", _due_start_mark(obj, marks)))
            else:
                raise TemplateError(f"{name} = {value}: a moment bulk does not know how to move")
        elif isinstance(f, models.DateField):
            if value is not None:
                raise TemplateError(f"{name} = {value}: a date bulk does not know how to move")
        elif model in _DUE_START and f.name == "due_is_provisional":
            if getattr(obj, "due_at", None) is not None:
                ops.append((index, "provisional", _due_start_mark(obj, marks)))
        elif isinstance(f, models.FileField):
            if value:
                if number not in str(value):
                    raise TemplateError(f"{name} = {value}: a path without the case number")
                ops.append((index, "file", None))
        elif model is CaseEvent and f.name == "payload":
            if _payload_moves(obj.kind, value):
                ops.append((index, "payload", None))
            _json_moments(value, isos, name)
        elif isinstance(f, models.JSONField):
            _json_moments(value, isos, name)
            if _json_has(value, set(_identity(applicant).values())):
                ops.append((index, "identity", None))
        elif isinstance(value, str) and number and number in value:
            raise TemplateError(f"{name} holds the case number; bulk does not move it")
    return _RowPlan(model, base, ops, raw)


def _identity(applicant: Applicant) -> dict[str, str]:
    return {a: getattr(applicant, a) for a in _IDENTITY if getattr(applicant, a)}


def _json_has(value: Any, strings: set[str]) -> bool:
    if isinstance(value, str):
        return value in strings
    if isinstance(value, dict):
        return any(_json_has(v, strings) for v in value.values())
    if isinstance(value, list):
        return any(_json_has(v, strings) for v in value)
    return False


def _json_replace(value: Any, strings: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return strings.get(value, value)
    if isinstance(value, dict):
        return {k: _json_replace(v, strings) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_replace(v, strings) for v in value]
    return value


def _payload_moves(kind: str, payload: Any) -> bool:
    return isinstance(payload, dict) and any(
        k in _PAYLOAD_REFS and (kind, k) not in _PAYLOAD_NOT_REFS for k in payload
    )


def _payload_map(
    kind: str, payload: dict[str, Any], ids: dict[type[Model], dict[Any, Any]]
) -> dict[str, Any]:
    out = dict(payload)
    for key, model in _PAYLOAD_REFS.items():
        if key not in out or out[key] is None or (kind, key) in _PAYLOAD_NOT_REFS:
            continue
        mapping = ids[model]
        value = out[key]
        if isinstance(value, list):
            out[key] = [mapping.get(v, v) for v in value]
        else:
            out[key] = mapping.get(value, value)
    return out


# ----------------------------------------------------------------------------------- orders


@dataclass(frozen=True)
class CaseOrder:
    """One case to write: its shape played ``len(moments)`` steps, at these moments.

    ``accepting_region`` / ``hall``: the 收件地 (default: the shape's); the applicant must be
    of the template applicant's kind and, for remote channels, have a login.
    """

    shape: Shape
    moments: Sequence[dt.datetime]
    applicant: Applicant
    accepting_region: Region | None = None
    hall: Hall | None | str = "shape"
    idempotency_key: str | None = None


@dataclass
class BulkResult:
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    case_ids: list[int] = field(default_factory=list)


class CaseLoader:
    """Writes ``CaseOrder`` s in bulk; makes each shape's template the first time it is used.

    ``files``: store the template's material files again under each new case's path (the
    demo); without, the rows name paths that hold no file (the benchmark).
    """

    def __init__(self, *, files: bool = False) -> None:
        self.files = files
        self._templates: dict[int, _Template] = {}

    def template(self, shape: Shape) -> _Template:
        template = self._templates.get(id(shape))
        if template is None:
            template = self._templates[id(shape)] = template_make(shape)
        return template

    def steps(self, shape: Shape) -> tuple[str, ...]:
        """The labels of the shape's steps (``shape_play``), in order."""
        return self.template(shape).labels

    def write(self, orders: Iterable[CaseOrder], *, batch: int = 2000) -> BulkResult:
        """Write the orders, ``batch`` cases per transaction."""
        result = BulkResult()
        chunk: list[CaseOrder] = []
        for order in orders:
            chunk.append(order)
            if len(chunk) >= batch:
                self._write_batch(chunk, result)
                chunk = []
        if chunk:
            self._write_batch(chunk, result)
        return result

    # -------------------------------------------------------------------------- a batch

    def _write_batch(self, orders: Sequence[CaseOrder], result: BulkResult) -> None:
        with transaction.atomic():
            prepared = [(order, self._snapshot(order)) for order in orders]
            counts: dict[type[Model], int] = {}
            for _order, snap in prepared:
                for row in snap.rows:
                    counts[row.model] = counts.get(row.model, 0) + 1
            if CaseEvent in counts:
                sql.event_writer_enter()  # before the event ids are drawn (the feed's horizon)
            ids = {model: iter(sql.ids_reserve(model, n)) for model, n in counts.items()}
            numbers = _numbers_take(prepared)
            now = clock.now()
            out: dict[type[Model], list[list[Any]]] = {model: [] for model in CASE_ROWS}
            files: list[tuple[str, bytes]] = []
            for (order, snap), number in zip(prepared, numbers, strict=True):
                case_id = self._clone(order, snap, number, ids, now, out, files)
                result.case_ids.append(case_id)
            for model in CASE_ROWS:
                if out[model]:
                    sql.rows_copy(model, [f.column for f in _fields(model)], out[model])
                    name = model._meta.db_table
                    result.rows[name] = result.rows.get(name, 0) + len(out[model])
            for path, content in files:
                default_storage.save(path, ContentFile(content))
            result.cases += len(orders)

    def _snapshot(self, order: CaseOrder) -> _Snapshot:
        template = self.template(order.shape)
        steps = len(order.moments)
        if not 1 <= steps <= len(template.snapshots):
            raise ValueError(f"{order.shape.name} has {len(template.snapshots)} steps, not {steps}")
        if order.applicant.kind != order.shape.applicant.kind:
            raise ValueError(
                f"{order.shape.name} is for applicants of kind {order.shape.applicant.kind}"
            )
        return template.snapshots[steps - 1]

    def _clone(
        self,
        order: CaseOrder,
        snap: _Snapshot,
        number: str,
        ids: dict[type[Model], Iterator[int]],
        now: dt.datetime,
        out: dict[type[Model], list[list[Any]]],
        files: list[tuple[str, bytes]],
    ) -> int:
        template = self.template(order.shape)
        shape = order.shape
        region = order.accepting_region or shape.accepting_region
        hall = shape.hall if order.hall == "shape" else order.hall
        applicant = order.applicant
        if applicant.user_id is None and any(
            op == "user" for row in snap.rows for _i, op, _a in row.ops
        ):
            raise ValueError(f"{shape.name} needs an applicant with a login")
        moments = list(order.moments)
        # New ids of the case's own rows, by model (template id → new id).
        mapping: dict[type[Model], dict[Any, Any]] = {model: {} for model in CASE_ROWS}
        for row in snap.rows:
            mapping[row.model][row.raw["id"]] = next(ids[row.model])
        mapping[Applicant] = {template.applicant_id: applicant.pk}
        case_id = mapping[Case][snap.rows[0].raw["id"]]
        prev_hash = ""
        db = connection
        for row in snap.rows:
            values = list(row.base)
            fields = _fields(row.model)
            raw = row.raw
            event_at: dt.datetime | None = None
            due = None
            payload: Any = raw.get("payload")
            for index, op, arg in row.ops:
                f = fields[index]
                if op == "pk":
                    value: Any = mapping[row.model][raw["id"]]
                elif op == "ref":
                    value = mapping[arg].get(raw[f.attname])
                    if value is None and raw[f.attname] is not None:
                        raise TemplateError(f"{f} refers to a row outside the case")
                elif op == "moment":
                    value = moments[arg]
                    if row.model is CaseEvent and f.name == "at":
                        event_at = value
                elif op == "now":
                    value = now
                elif op == "number":
                    value = number
                elif op == "key":
                    value = order.idempotency_key
                elif op == "region":
                    value = region.pk
                elif op == "region_code":
                    value = region.code
                elif op == "hall":
                    value = hall.pk if hall is not None else None
                elif op == "applicant":
                    value = applicant.pk
                elif op == "user":
                    value = applicant.user_id
                elif op == "file":
                    value = str(raw[f.attname]).replace(snap.case_number, number)
                    if self.files:
                        files.append((value, snap.files[str(raw[f.attname])]))
                elif op in ("due", "provisional"):
                    if due is None:
                        due = due_from(moments[arg], raw["promised_days"], raw["promised_unit"])
                    value = due.at if op == "due" else due.is_provisional
                elif op == "identity":
                    theirs = _identity(applicant)
                    value = _json_replace(
                        raw[f.attname],
                        {v: theirs.get(a, "") for a, v in template.identity.items()},
                    )
                elif op == "payload":
                    payload = _payload_map(raw["kind"], raw["payload"], mapping)
                    value = payload
                elif op in ("hash", "prev_hash"):
                    continue  # below, once the row's other values are known
                else:  # pragma: no cover - every op is handled above
                    raise TemplateError(op)
                values[index] = f.get_db_prep_save(value, db)
            if row.model is CaseEvent:
                actor_id = raw["actor_id"]
                if actor_id is not None and actor_id == template.applicant_user_id:
                    actor_id = applicant.user_id
                digest = event_hash(
                    case_number=number,
                    seq=raw["seq"],
                    kind=raw["kind"],
                    actor_id=actor_id,
                    actor_role=raw["actor_role"],
                    at=event_at if event_at is not None else raw["at"],
                    from_state=raw["from_state"],
                    to_state=raw["to_state"],
                    reason=raw["reason"],
                    payload=payload,
                    prev_hash=prev_hash,
                )
                for index, op, _arg in row.ops:
                    if op == "prev_hash":
                        values[index] = prev_hash
                    elif op == "hash":
                        values[index] = digest
                prev_hash = digest
            out[row.model].append(values)
        return case_id


# ------------------------------------------------------------------------------------- SQL


def _numbers_take(prepared: Sequence[tuple[CaseOrder, _Snapshot]]) -> list[str]:
    """The case numbers of the orders, in order, from the (region, day) counters, which are
    moved past them (rows locked as ``case_number_next`` locks them)."""
    wanted: list[tuple[Region, dt.date]] = []
    for order, _snap in prepared:
        region = order.accepting_region or order.shape.accepting_region
        wanted.append((region, clock.local(order.moments[0]).date()))
    keys = {(r.pk, day) for r, day in wanted}
    region_ids = {k[0] for k in keys}
    days = {k[1] for k in keys}
    last: dict[tuple[int, dt.date], int] = dict.fromkeys(keys, 0)
    for row in CaseNumberCounter.objects.select_for_update().filter(
        region_id__in=region_ids, day__in=days
    ):
        if (row.region_id, row.day) in last:
            last[(row.region_id, row.day)] = row.last
    numbers = []
    for region, day in wanted:
        last[(region.pk, day)] += 1
        numbers.append(case_number_format(region=region, day=day, seq=last[(region.pk, day)]))
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(region_id=r, day=d, last=n) for (r, d), n in last.items()],
        update_conflicts=True,
        unique_fields=["region", "day"],
        update_fields=["last"],
    )
    return numbers
