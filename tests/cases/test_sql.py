"""Every hand-written statement of ``cases/sql.py`` stores and returns what the ORM would.

Each helper is run beside its ORM equivalent on the same rows and the rows are compared
column by column as the database holds them (read back through the ORM), so a converter or
a default that the SQL skipped would show here on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Count, Model, Q

from onestop.accounts.models import Staff
from onestop.accounts.roles import DEPARTMENT_ROLES
from onestop.cases import sql
from onestop.cases.models import Case, CaseEvent, CaseMaterial, CaseNumberCounter, ItemTask
from onestop.cases.states import TASK_INBOX_STATES, MaterialStatus
from onestop.core import clock

pytestmark = pytest.mark.django_db

_VOLATILE = {"id", "created_at", "updated_at"}


def _stored(obj: Model, *, skip: set[str] = _VOLATILE) -> dict:
    """The row as the database holds it, read back through the ORM."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {
        f.attname: getattr(fresh, f.attname)
        for f in fresh._meta.concrete_fields
        if f.attname not in skip
    }


def _values(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _material(case: Case, key: str) -> CaseMaterial:
    return CaseMaterial(
        case=case,
        key=key,
        name="身份证",
        necessity="required",
        item_names=["营业执照", "刻章"],
        status=MaterialStatus.SUBMITTED,
        sha256="ab" * 32,
        file_size=1234,
        supplement_due_on=dt.date(2026, 12, 31),
        supplied_at=dt.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=dt.UTC),
    )


def test_rows_insert_stores_what_save_stores(setup):
    case = setup.submit()
    by_orm, by_sql = _material(case, "orm-one"), _material(case, "sql-one")
    by_orm.save(force_insert=True)
    with transaction.atomic():
        sql.rows_insert([by_sql])
    assert by_sql.pk is not None and not by_sql._state.adding
    assert {**_stored(by_sql), "key": "orm-one"} == _stored(by_orm)


def test_rows_insert_of_several_rows_stores_each_and_sets_the_keys(setup):
    case = setup.submit()
    rows = [_material(case, f"many-{i}") for i in range(3)]
    with transaction.atomic():
        sql.rows_insert(rows)
    assert [r.key for r in CaseMaterial.objects.filter(pk__in=[r.pk for r in rows])] == [
        "many-0",
        "many-1",
        "many-2",
    ]
    reference = _material(case, "ref")
    reference.save(force_insert=True)
    for row in rows:
        assert {**_stored(row), "key": "ref"} == _stored(reference)


def test_row_update_and_rows_update_store_what_save_update_fields_stores(setup):
    case = setup.accepted()
    tasks = list(case.tasks.order_by("pk"))
    orm, one, *many = tasks
    due = clock.now() + dt.timedelta(days=3)
    for task in tasks:
        task.due_at, task.due_is_provisional, task.opinion = due, True, "意见 ✓"
    orm.save(update_fields=["due_at", "due_is_provisional", "opinion", "updated_at"])
    with transaction.atomic():
        sql.row_update(one, ["due_at", "due_is_provisional", "opinion", "updated_at"])
        sql.rows_update(many, ["due_at", "due_is_provisional", "opinion", "updated_at"])
    changed = {"due_at", "due_is_provisional", "opinion"}
    expected = {k: v for k, v in _stored(orm).items() if k in changed}
    for task in (one, *many):
        assert {k: v for k, v in _stored(task).items() if k in changed} == expected


def test_the_locks_and_reads_return_what_the_orm_returns(setup):
    case = setup.accepted()
    task = case.tasks.order_by("pk").first()
    with transaction.atomic():
        locked = sql.case_row_lock(case.pk)
        pair = sql.case_task_lock(task.pk)
        materials = sql.case_materials(case.pk)
    assert _values(locked) == _values(Case.objects.get(pk=case.pk))
    assert pair is not None
    locked_case, locked_task = pair
    assert _values(locked_task) == _values(ItemTask.objects.get(pk=task.pk))
    orm_case = Case.objects.defer(*sql.CASE_DEFERRED_FOR_TASKS).get(pk=case.pk)
    loaded = [
        f.attname for f in Case._meta.concrete_fields if f.name not in sql.CASE_DEFERRED_FOR_TASKS
    ]
    assert {a: getattr(locked_case, a) for a in loaded} == {a: getattr(orm_case, a) for a in loaded}
    assert [_values(m) for m in materials] == [
        _values(m) for m in CaseMaterial.objects.filter(case=case).order_by("pk")
    ]
    assert sql.case_row_lock(10**9) is None and sql.case_task_lock(10**9) is None


def test_task_rows_and_material_names_match_the_orm(setup):
    case = setup.tolerated()
    rows = sql.case_task_rows(case.pk)
    expected = []
    for t in ItemTask.objects.filter(case=case).prefetch_related("depends_on"):
        before = [d.pk for d in t.depends_on.all()] or [None]
        expected += [
            (t.pk, t.state, t.title, t.department_id, t.promised_days, t.promised_unit, b)
            for b in before
        ]
    assert sorted(rows, key=str) == sorted(expected, key=str)
    names = sql.material_names(case.pk, MaterialStatus.TOLERATED_MISSING)
    assert names == list(
        case.materials.filter(status=MaterialStatus.TOLERATED_MISSING)
        .order_by("pk")
        .values_list("name", flat=True)
    )
    assert names


def test_routes_and_loads_match_an_orm_aggregate(setup):
    setup.accepted()
    departments = sorted({t.department_id for t in ItemTask.objects.all()})
    officers = (
        Staff.objects.filter(
            department_id__in=departments,
            is_active=True,
            is_designated=True,
            role__in=list(DEPARTMENT_ROLES),
        )
        .annotate(load=Count("tasks", filter=Q(tasks__state__in=list(TASK_INBOX_STATES))))
        .values_list("department_id", "load", "pk")
    )
    loads = sql.designated_loads(
        departments, roles=list(DEPARTMENT_ROLES), inbox_states=list(TASK_INBOX_STATES)
    )
    assert sorted(loads) == sorted(officers)
    routes = sql.department_routes(
        departments, roles=list(DEPARTMENT_ROLES), inbox_states=list(TASK_INBOX_STATES)
    )
    from onestop.regions.models import Department

    regions = {
        d.pk: (d.region_id, d.region.code) for d in Department.objects.filter(pk__in=departments)
    }
    assert sorted(routes) == sorted((dept, *regions[dept], pk, load) for dept, load, pk in officers)


def test_chain_head_and_counter_match_the_orm(setup):
    case = setup.completed()
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert sql.chain_head(case.pk) == (last.seq, last.hash)
    assert sql.chain_head(10**9) == (0, "")
    day = dt.date(2030, 1, 2)
    with transaction.atomic():
        first, second = (
            sql.counter_next(setup.county.pk, day),
            sql.counter_next(setup.county.pk, day),
        )
    assert (first, second) == (1, 2)
    assert CaseNumberCounter.objects.get(region=setup.county, day=day).last == 2


def test_no_sql_is_written_by_hand_outside_the_engine_sql_module():
    """Hand-written SQL lives in each app's own ``sql.py`` (cases/sql.py for the engine,
    stats/sql.py for the aggregates), the SQLite backend's flush and the backup (which
    exports its snapshot to pg_dump); elsewhere the ORM."""
    import re
    from pathlib import Path

    import onestop

    root = Path(onestop.__file__).parent
    allowed = {
        root / "cases" / "sql.py",
        root / "core" / "db" / "sqlite3" / "base.py",
        root / "core" / "backup.py",
    }
    pattern = re.compile(r"\.cursor\(|\.raw\(|RawSQL\(|\.extra\(")
    allowed |= {path for path in root.glob("*/sql.py")}
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if path not in allowed and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []


def test_rows_insert_can_leave_out_rows_a_unique_constraint_holds(setup):
    case = setup.submit()
    first = _material(case, "once")
    with transaction.atomic():
        sql.rows_insert([first])
        sql.rows_insert([_material(case, "once"), _material(case, "new")], ignore_conflicts=True)
    assert sorted(
        CaseMaterial.objects.filter(case=case, key__in=["once", "new"]).values_list("key", "pk")
    ) == [("new", CaseMaterial.objects.get(case=case, key="new").pk), ("once", first.pk)]


def test_rows_copy_stores_what_the_orm_would_under_reserved_ids(setup):
    case = setup.submit()
    with transaction.atomic():
        orm = _material(case, "by-orm")
        orm.save()
        copied = _material(case, "by-copy")
        fields = CaseMaterial._meta.concrete_fields
        ids = sql.ids_reserve(CaseMaterial, 2)
        assert len(set(ids)) == 2 and min(ids) > orm.pk
        copied.pk = ids[0]
        for f in fields:
            if f.attname in {"created_at", "updated_at"}:
                setattr(copied, f.attname, getattr(orm, f.attname))
        sql.rows_copy(
            CaseMaterial,
            [f.column for f in fields],
            [[f.get_db_prep_save(f.pre_save(copied, True), connection) for f in fields]],
        )
    skip = _VOLATILE | {"key"}
    assert _stored(copied, skip=skip) == _stored(orm, skip=skip)
    assert CaseMaterial.objects.get(pk=ids[0]).key == "by-copy"
    later = CaseMaterial.objects.create(**{**_values(_material(case, "after")), "id": None})
    assert later.pk > ids[0]  # the next row the ORM writes does not collide
