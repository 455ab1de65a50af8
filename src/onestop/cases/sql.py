"""Hand-written SQL for the hottest statements of the case engine.

Every transition locks its case (and task), updates a row or two and appends events. Through
the ORM each of these statements costs more Python time (query compilation, model set-up)
than the database needs to answer it, so the services run these few through the cursor:

* ``case_task_lock``: the case and one of its tasks in one ``SELECT … FOR UPDATE OF c, t``
  (PostgreSQL locks in the order the ``OF`` list names them: the case first, as every other
  writer does, so writers never deadlock; a waiter gets the rows as the holder committed
  them). On SQLite the same select without the lock clause (a write transaction there is
  already exclusive). The case's application columns (answers, form, plan, correction
  notice), which no task transition reads, are left deferred.
* ``case_row_lock``: the case by primary key, locked.
* ``row_update``: ``UPDATE … SET <named fields>, updated_at WHERE id = %s`` — what
  ``save(update_fields=…)`` sends, without building it each time.
* ``rows_insert``: the events (materials, tasks) of a transition in one ``INSERT … RETURNING
  id``; on PostgreSQL several rows as one array per column.
* reads every acceptance or decision makes: a case's tasks with their prerequisites, its
  materials (or the names of those in one status), and the departments' regions with their
  designated officers' open-task counts (routing).
* ``chain_head``: the last event of a case's chain; ``counter_next``: the case-number
  counter of a region and day.
* the bulk loader's (``cases.bulk``): ``ids_reserve`` (fresh primary keys) and
  ``rows_copy`` (whole prepared rows: ``COPY`` on PostgreSQL).
* the change feed's commit order (PostgreSQL): ``event_writer_enter`` (a writer of events
  holds a shared advisory lock from before it draws an event id until it ends) and
  ``event_feed_horizon`` (the largest event id below which every writer has ended).

This is the only module of the project that writes SQL by hand; ``tests/cases/test_sql.py``
checks that each helper stores and returns exactly what the ORM would.

Rows become model instances through ``Model.from_db`` after the same value converters the
ORM applies, and values are written through each field's ``get_db_prep_save``, so the
instances and rows are exactly what the ORM would give and store. Values are always passed
as parameters; only table and column names (from the models' metadata, quoted by the
backend) are formatted into the SQL. Only the case engine (``cases.unit`` and the services)
calls these, inside its atomic block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError, connection, transaction
from django.db.models import Model

from onestop.accounts.models import Staff
from onestop.cases.models import Case, CaseEvent, CaseMaterial, CaseNumberCounter, ItemTask
from onestop.regions.models import Department, Region

M = TypeVar("M", bound=Model)

_Converter = Callable[[Any, Any, Any], Any]

_sql_cache: dict[tuple[Any, ...], str] = {}
_reader_cache: dict[tuple[Any, ...], tuple[list[str], list[tuple[int, list[Any], Any]]]] = {}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _loaded(model: type[Model], deferred: frozenset[str] = frozenset()) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.name not in deferred]


def _columns(model: type[Model], alias: str, deferred: frozenset[str] = frozenset()) -> str:
    return ", ".join(f"{alias}.{_q(f.column)}" for f in _loaded(model, deferred))


def _readers(
    model: type[Model], deferred: frozenset[str]
) -> tuple[list[str], list[tuple[int, list[Any], Any]]]:
    """The attnames read, and per column that needs it: (index, converters, column
    expression), the converters the ORM applies."""
    key = (connection.vendor, model, deferred)
    readers = _reader_cache.get(key)
    if readers is None:
        fields = _loaded(model, deferred)
        convert = []
        for index, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if converters:
                convert.append((index, converters, col))
        readers = ([f.attname for f in fields], convert)
        _reader_cache[key] = readers
    return readers


def _instance(model: type[M], values: Sequence[Any], deferred: frozenset[str] = frozenset()) -> M:
    names, convert = _readers(model, deferred)
    row = list(values)
    for index, converters, col in convert:
        value = row[index]
        for converter in converters:
            value = converter(value, col, connection)
        row[index] = value
    return model.from_db(connection.alias, names, row)


# Case columns a task transition never reads (the application itself): left deferred by
# ``case_task_lock``; reading one later costs a query, as with ``QuerySet.defer``.
CASE_DEFERRED_FOR_TASKS = frozenset({"answers", "form_data", "dispatch_items", "correction_notice"})


def _lock_clause(of: str) -> str:
    return f" FOR UPDATE OF {of}" if connection.features.has_select_for_update_of else ""


def case_task_lock(task_id: int) -> tuple[Case, ItemTask] | None:
    """The task and its case, both locked (the case first); None when there is no such task."""
    key = ("case_task_lock", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        sql = (
            f"SELECT {_columns(Case, 'c', CASE_DEFERRED_FOR_TASKS)},"  # noqa: S608
            f" {_columns(ItemTask, 't')}"
            f" FROM {_q(Case._meta.db_table)} c"
            f" INNER JOIN {_q(ItemTask._meta.db_table)} t"
            f" ON t.{_q(ItemTask._meta.get_field('case').column)} = c.{_q(Case._meta.pk.column)}"
            f" WHERE t.{_q(ItemTask._meta.pk.column)} = %s{_lock_clause('c, t')}"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [task_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_readers(Case, CASE_DEFERRED_FOR_TASKS)[0])
    case = _instance(Case, row[:split], CASE_DEFERRED_FOR_TASKS)
    task = _instance(ItemTask, row[split:])
    task.case = case
    return case, task


def case_row_lock(case_id: int) -> Case | None:
    """The case, locked until the transaction ends; None when there is no such case."""
    key = ("case_row_lock", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        sql = (
            f"SELECT {_columns(Case, 'c')} FROM {_q(Case._meta.db_table)} c"  # noqa: S608
            f" WHERE c.{_q(Case._meta.pk.column)} = %s{_lock_clause('c')}"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    return None if row is None else _instance(Case, row)


def row_update(
    obj: Model, fields: Iterable[str], *, as_set: bool = False, chain_head_of: int | None = None
) -> tuple[int, str] | None:
    """``obj.save(update_fields=fields)`` in one plain UPDATE (auto_now fields stamped).

    ``as_set``: write the values as they are on the instance, auto_now fields included
    (what ``bulk_update`` does). ``chain_head_of``: a case id whose event-chain head (last
    seq and hash, ``(0, "")`` for none) the same statement returns. The caller holds that
    case's row lock, and this statement's snapshot is taken after the lock was granted, so
    the head is the committed one (a round trip saved on every transition).
    """
    meta = obj._meta
    names = tuple(dict.fromkeys(fields))
    with_head = chain_head_of is not None
    key = ("row_update", connection.vendor, type(obj), names, with_head)
    sql = _sql_cache.get(key)
    targets = [meta.get_field(name) for name in names]
    if sql is None:
        assignments = ", ".join(f"{_q(f.column)} = %s" for f in targets)
        sql = (
            f"UPDATE {_q(meta.db_table)} SET {assignments}"  # noqa: S608
            f" WHERE {_q(meta.pk.column)} = %s"
        )
        if with_head:
            event = CaseEvent._meta
            last = (
                f" FROM {_q(event.db_table)} e WHERE e.{_q(event.get_field('case').column)} = %s"
                f" ORDER BY e.{_q(event.get_field('seq').column)} DESC LIMIT 1)"
            )
            sql += (
                f" RETURNING (SELECT e.{_q(event.get_field('seq').column)}{last},"
                f" (SELECT e.{_q(event.get_field('hash').column)}{last}"
            )
        _sql_cache[key] = sql
    params = [
        f.get_db_prep_save(
            getattr(obj, f.attname) if as_set else f.pre_save(obj, False), connection
        )
        for f in targets
    ]
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    if with_head:
        params += [chain_head_of, chain_head_of]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone() if with_head else None
        missing = row is None if with_head else cursor.rowcount == 0
    if missing and not as_set:  # as save(update_fields=…) does
        raise DatabaseError("Save with update_fields did not affect any rows.")
    return None if row is None else (row[0] or 0, row[1] or "")


def rows_insert(objs: Sequence[M], *, ignore_conflicts: bool = False) -> None:
    """Insert new instances of one model in one statement and set their primary keys.

    ``ignore_conflicts``: rows a unique constraint already holds are left out
    (``ON CONFLICT DO NOTHING``, as ``bulk_create(ignore_conflicts=True)``); the primary keys
    are then not set, since the database does not say which rows went in.

    On PostgreSQL several rows go in as one array per column (``INSERT … SELECT * FROM
    UNNEST(%s::type[], …)``, as Django's own ``bulk_create`` does there): the statement has
    one placeholder per column whatever the number of rows, so psycopg parses it once and
    caches it instead of re-splitting a long ``VALUES`` list with hundreds of placeholders
    on every call, and the server plans one short statement.
    """
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    unnest = len(objs) > 1 and connection.vendor == "postgresql"
    key = ("rows_insert", connection.vendor, model, 0 if unnest else len(objs), ignore_conflicts)
    sql = _sql_cache.get(key)
    if sql is None:
        columns = ", ".join(_q(f.column) for f in fields)
        if unnest:
            # The type without its modifiers (varchar, not varchar(200)): no truncation.
            arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
            source = f" SELECT * FROM UNNEST({arrays})"  # noqa: S608
        else:
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            source = f" VALUES {', '.join([row] * len(objs))}"
        sql = f"INSERT INTO {_q(meta.db_table)} ({columns}){source}"  # noqa: S608
        sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {_q(meta.pk.column)}"
        _sql_cache[key] = sql
    for obj in objs:  # as save() and bulk_create() do: related rows saved since assignment
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    params: list[Any] = (
        [list(column) for column in zip(*rows, strict=True)]
        if unnest
        else [value for row in rows for value in row]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if ignore_conflicts:
            return
        pks = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def case_task_rows(case_id: int) -> list[tuple[int, str, str, int, int, str, int | None]]:
    """Every task of the case with its prerequisites: (pk, state, title, department_id,
    promised_days, promised_unit, prerequisite pk or None), one row per prerequisite."""
    key = ("case_task_rows", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        meta = ItemTask._meta
        depends_on = meta.get_field("depends_on")
        through = depends_on.remote_field.through._meta.db_table
        columns = ", ".join(
            f"t.{_q(meta.get_field(name).column)}"
            for name in ("id", "state", "title", "department", "promised_days", "promised_unit")
        )
        sql = (
            f"SELECT {columns}, d.{_q(depends_on.m2m_reverse_name())}"  # noqa: S608
            f" FROM {_q(meta.db_table)} t LEFT OUTER JOIN {_q(through)} d"
            f" ON d.{_q(depends_on.m2m_column_name())} = t.{_q(meta.pk.column)}"
            f" WHERE t.{_q(meta.get_field('case').column)} = %s"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        return list(cursor.fetchall())


def _col(meta: Any, name: str) -> str:
    return _q(meta.get_field(name).column)


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _open_tasks_of(staff: str, states: int) -> str:
    """Join condition: the tasks of that officer in one of ``states`` (placeholders), so the
    (assignee, state) index finds only the open ones, not the officer's whole history."""
    task = ItemTask._meta
    return (
        f"t.{_col(task, 'assignee')} = {staff}.{_q(Staff._meta.pk.column)}"
        f" AND t.{_col(task, 'state')} IN ({_marks(states)})"
    )


def _designated(staff: str, roles: int) -> str:
    """Condition: an active designated officer (专人) with one of ``roles`` (placeholders)."""
    meta = Staff._meta
    return (
        f"{staff}.{_col(meta, 'is_active')} AND {staff}.{_col(meta, 'is_designated')}"
        f" AND {staff}.{_col(meta, 'role')} IN ({_marks(roles)})"
    )


def designated_loads(
    department_ids: Sequence[int], *, roles: Sequence[str], inbox_states: Sequence[str]
) -> list[tuple[int, int, int]]:
    """The active designated officers (of ``roles``) of the departments with their count of
    tasks in ``inbox_states``: (department_id, load, staff pk), in no particular order."""
    if not department_ids:
        return []
    key = (
        "designated_loads",
        connection.vendor,
        len(department_ids),
        len(roles),
        len(inbox_states),
    )
    sql = _sql_cache.get(key)
    if sql is None:
        staff, task = Staff._meta, ItemTask._meta
        sql = (
            f"SELECT s.{_col(staff, 'department')}, COUNT(t.{_q(task.pk.column)}),"  # noqa: S608
            f" s.{_q(staff.pk.column)}"
            f" FROM {_q(staff.db_table)} s LEFT OUTER JOIN {_q(task.db_table)} t"
            f" ON {_open_tasks_of('s', len(inbox_states))}"
            f" WHERE s.{_col(staff, 'department')} IN ({_marks(len(department_ids))})"
            f" AND {_designated('s', len(roles))}"
            f" GROUP BY s.{_q(staff.pk.column)}, s.{_col(staff, 'department')}"
        )
        _sql_cache[key] = sql
    params = [*map(str, inbox_states), *department_ids, *map(str, roles)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def department_routes(
    department_ids: Sequence[int], *, roles: Sequence[str], inbox_states: Sequence[str]
) -> list[tuple[int, int, str, int | None, int]]:
    """Where each department's tasks go, in one statement: (department_id, region_id,
    region code, designated officer's pk or None, that officer's count of tasks in
    ``inbox_states``), one row per active designated officer of ``roles`` (one row with None
    for a department that has none)."""
    if not department_ids:
        return []
    key = (
        "department_routes",
        connection.vendor,
        len(department_ids),
        len(roles),
        len(inbox_states),
    )
    sql = _sql_cache.get(key)
    if sql is None:
        department, region, staff, task = (
            Department._meta,
            Region._meta,
            Staff._meta,
            ItemTask._meta,
        )
        sql = (
            f"SELECT d.{_q(department.pk.column)}, d.{_col(department, 'region')},"  # noqa: S608
            f" r.{_col(region, 'code')}, s.{_q(staff.pk.column)}, COUNT(t.{_q(task.pk.column)})"
            f" FROM {_q(department.db_table)} d"
            f" INNER JOIN {_q(region.db_table)} r"
            f" ON r.{_q(region.pk.column)} = d.{_col(department, 'region')}"
            f" LEFT OUTER JOIN {_q(staff.db_table)} s"
            f" ON s.{_col(staff, 'department')} = d.{_q(department.pk.column)}"
            f" AND {_designated('s', len(roles))}"
            f" LEFT OUTER JOIN {_q(task.db_table)} t ON {_open_tasks_of('s', len(inbox_states))}"
            f" WHERE d.{_q(department.pk.column)} IN ({_marks(len(department_ids))})"
            f" GROUP BY d.{_q(department.pk.column)}, d.{_col(department, 'region')},"
            f" r.{_col(region, 'code')}, s.{_q(staff.pk.column)}"
        )
        _sql_cache[key] = sql
    params = [*map(str, roles), *map(str, inbox_states), *department_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def case_materials(case_id: int) -> list[CaseMaterial]:
    """The case's materials in the order they were listed (the caller holds the case lock,
    which every writer of a case's materials takes first)."""
    key = ("case_materials", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        meta = CaseMaterial._meta
        sql = (
            f"SELECT {_columns(CaseMaterial, 'm')} FROM {_q(meta.db_table)} m"  # noqa: S608
            f" WHERE m.{_col(meta, 'case')} = %s ORDER BY m.{_q(meta.pk.column)}"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        return [_instance(CaseMaterial, row) for row in cursor.fetchall()]


def material_names(case_id: int, status: str) -> list[str]:
    """The names of the case's materials in ``status``, in the order they were listed."""
    key = ("material_names", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        meta = CaseMaterial._meta
        sql = (
            f"SELECT m.{_col(meta, 'name')} FROM {_q(meta.db_table)} m"  # noqa: S608
            f" WHERE m.{_col(meta, 'case')} = %s AND m.{_col(meta, 'status')} = %s"
            f" ORDER BY m.{_q(meta.pk.column)}"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id, str(status)])
        return [row[0] for row in cursor.fetchall()]


def chain_head(case_id: int) -> tuple[int, str]:
    """The case's last event (seq, hash), ``(0, "")`` for none, on the (case, seq) unique
    index (the caller holds the case's row lock, so no event is appended meanwhile)."""
    key = ("chain_head", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        meta = CaseEvent._meta
        sql = (
            f"SELECT e.{_col(meta, 'seq')}, e.{_col(meta, 'hash')}"  # noqa: S608
            f" FROM {_q(meta.db_table)} e WHERE e.{_col(meta, 'case')} = %s"
            f" ORDER BY e.{_col(meta, 'seq')} DESC LIMIT 1"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id])
        row = cursor.fetchone()
    return (row[0], row[1]) if row is not None else (0, "")


def counter_next(region_id: int, day: Any) -> int:
    """The next number of the (region, day) counter: the row created at 1 or incremented, in
    one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35). On
    PostgreSQL concurrent submissions queue on that row's lock until the submitting
    transaction ends; on SQLite the IMMEDIATE transaction already serialises writers."""
    key = ("counter_next", connection.vendor)
    sql = _sql_cache.get(key)
    if sql is None:
        meta = CaseNumberCounter._meta
        table = _q(meta.db_table)
        region, on, last = _col(meta, "region"), _col(meta, "day"), _col(meta, "last")
        sql = (
            f"INSERT INTO {table} ({region}, {on}, {last}) VALUES (%s, %s, 1)"  # noqa: S608
            f" ON CONFLICT ({region}, {on}) DO UPDATE SET {last} = {table}.{last} + 1"
            f" RETURNING {last}"
        )
        _sql_cache[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [region_id, connection.ops.adapt_datefield_value(day)])
        (value,) = cursor.fetchone()
    return int(value)


def rows_update(objs: Sequence[Model], fields: Iterable[str]) -> None:
    """``save(update_fields=fields)`` for several rows of one model in one statement.

    ``UPDATE … SET f = v.f … FROM (rows) v WHERE id = v.id``: on PostgreSQL the rows come as
    one array per column (``UNNEST``), on SQLite (≥ 3.33) as a ``VALUES`` list. One row is
    ``row_update``. Every row must exist (the caller holds their case's lock).
    """
    if len(objs) == 1:
        row_update(objs[0], fields)
        return
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    names = tuple(dict.fromkeys(fields))
    targets = [meta.get_field(name) for name in names]
    vendor = connection.vendor
    key = ("rows_update", vendor, model, names, 0 if vendor == "postgresql" else len(objs))
    sql = _sql_cache.get(key)
    if sql is None:
        table = _q(meta.db_table)
        columns = [meta.pk, *targets]
        if vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in columns)
            aliases = ", ".join(f"c{i}" for i in range(len(columns)))
            source = f"(SELECT * FROM UNNEST({arrays})) AS v({aliases})"  # noqa: S608
            value = [f"v.c{i}" for i in range(len(columns))]
        else:
            row = "(" + ", ".join(["%s"] * len(columns)) + ")"
            source = f"(VALUES {', '.join([row] * len(objs))}) AS v"
            value = [f"v.column{i + 1}" for i in range(len(columns))]
        assignments = ", ".join(f"{_q(f.column)} = {value[i + 1]}" for i, f in enumerate(targets))
        sql = (
            f"UPDATE {table} SET {assignments} FROM {source}"  # noqa: S608
            f" WHERE {table}.{_q(meta.pk.column)} = {value[0]}"
        )
        _sql_cache[key] = sql
    rows = [
        [
            meta.pk.get_db_prep_value(obj.pk, connection),
            *(f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets),
        ]
        for obj in objs
    ]
    params: list[Any] = (
        [list(column) for column in zip(*rows, strict=True)]
        if vendor == "postgresql"
        else [value for row in rows for value in row]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != len(objs):
            raise DatabaseError("Save with update_fields did not affect every row.")


def read_snapshot_begin() -> None:
    """Make the open transaction one read-only snapshot (PostgreSQL REPEATABLE READ).

    Called first in a transaction whose several reads must agree (an export of the log).
    SQLite's transaction already reads one snapshot; nothing to do there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


# ----------------------------------------------------------------- the bulk loader's rows


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """``count`` fresh primary keys of the model's table, for rows written by ``rows_copy``.

    On PostgreSQL they come from the table's sequence (``nextval``), so concurrent inserts
    never take them; elsewhere they follow the largest id the table has ever had (SQLite's
    ``sqlite_sequence`` too), and the caller's transaction must hold the write lock.
    """
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({_q(pk)}) FROM {_q(table)}")  # noqa: S608
        (last,) = cursor.fetchone()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            last = max(last or 0, row[0] if row else 0)
    start = (last or 0) + 1
    return list(range(start, start + count))


def rows_copy(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write whole rows (values already prepared for the database, ids included) into the
    model's table: ``COPY … FROM STDIN`` on PostgreSQL, an ``executemany`` INSERT elsewhere.
    The bulk loader (``cases.bulk``) is the one caller; it builds the rows as the services
    would have stored them."""
    table = _q(model._meta.db_table)
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


# ------------------------------------------------------------ the change feed's horizon

# The key of the advisory lock the writers of events share (PostgreSQL advisory locks are
# per database, so other databases of the cluster never wait on it).
EVENT_WRITERS_LOCK = 0x6F6E_6573_7445_7631  # "onestEv1"


def event_writer_enter() -> None:
    """Hold the event writers' lock, shared, until this transaction ends (PostgreSQL).

    Called before an event id is drawn from the sequence, so while any transaction holds an
    event id it has not committed, ``event_feed_horizon`` waits for it. Writers do not wait
    for each other (the lock is shared); a second call in the transaction costs nothing.
    SQLite runs one writer at a time, so an id there is never visible before a smaller one.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [EVENT_WRITERS_LOCK])


def event_feed_horizon() -> int | None:
    """The largest event id such that every event up to it is committed or gone for good;
    None where ids are visible in commit order anyway (SQLite).

    Event ids are drawn when a row is inserted, not when it commits: a transaction holding
    id 10 may commit after one holding id 11, and a consumer that read 11 and moved its cursor
    past it would never see 10. Taking the writers' lock exclusively waits until every writer
    that holds an id has ended (new writers queue behind the request, so the wait is only for
    those in flight); the largest id committed at that moment is the horizon. The lock is
    the transaction's (``pg_advisory_xact_lock``), in a transaction of its own: released at
    its commit, so writers wait for no more than that, and safe behind PgBouncer in
    transaction mode (a session lock could stay on a server connection the next statement
    does not get). Called outside a transaction (the API's requests are), READ COMMITTED:
    the second statement's snapshot is taken after the wait.
    """
    if connection.vendor != "postgresql":
        return None
    table, pk = _q(CaseEvent._meta.db_table), _q(CaseEvent._meta.pk.column)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_WRITERS_LOCK])
        cursor.execute(f"SELECT MAX({pk}) FROM {table}")  # noqa: S608
        (horizon,) = cursor.fetchone()
    return horizon or 0
