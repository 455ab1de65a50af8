"""The scale benchmark's clones are their templates' rows (``bench/scale.py``).

Three template cases are written by the bulk loader (a delivered one, an open one in a
department, a denied one); ``clone_cases`` multiplies each four times with set-based SQL.
Every clone's rows are then compared with its template's column by column, normalised as
``test_bulk`` normalises them (own ids by position, the case number out of strings), except
the fields a clone must change: the case number and the idempotency key, and the moments,
which must all have moved back by one whole number of weeks. The event hashes are the
template's (the benchmark does not rebuild the chain). PostgreSQL only, as the benchmark.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from onestop.cases import bulk
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CASE_FINAL_STATES, Channel
from onestop.core import clock
from tests.cases.test_bulk import _moments, _rows, _shape, world

SCALE = Path(__file__).resolve().parents[2] / "bench" / "scale.py"
ROUNDS = 4

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bench/scale.py clones on PostgreSQL only"
)


def _scale() -> Any:
    spec = importlib.util.spec_from_file_location("bench_scale", SCALE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shifted(rows: dict[str, list[dict[str, Any]]], shift: dt.timedelta) -> None:
    for table in rows.values():
        for row in table:
            for column, value in row.items():
                if isinstance(value, dt.datetime):
                    row[column] = value + shift


def test_clones_are_their_templates_rows_but_ids_numbers_keys_and_moments(world):
    setup, township, hall, other = world
    shapes = [
        (_shape(setup, Channel.HALL_WINDOW), None),  # delivered
        (_shape(setup, Channel.ONLINE), 5),  # accepted, a task claimed: open
        (_shape(setup, Channel.HALL_WINDOW, bulk.DENY), None),  # a task denied, delivered
    ]
    loader = bulk.CaseLoader()
    start = dt.datetime(2026, 6, 5, 9, 30, tzinfo=clock.SHANGHAI)
    orders = []
    for n, (shape, steps) in enumerate(shapes):
        count = steps or len(loader.steps(shape))
        orders.append(
            bulk.CaseOrder(
                shape=shape,
                moments=_moments(start + dt.timedelta(days=n), count),
                applicant=other,
                accepting_region=township,
                hall=hall if shape.channel == Channel.HALL_WINDOW else None,
                idempotency_key=f"scale-template-{n}",
            )
        )
    templates = loader.write(orders).case_ids
    states = dict(Case.objects.filter(pk__in=templates).values_list("pk", "state"))
    assert sum(state in CASE_FINAL_STATES for state in states.values()) == 2
    before = {pk: _rows(Case.objects.get(pk=pk)) for pk in templates}

    written = _scale().clone_cases(templates, rounds=ROUNDS, open_rounds=ROUNDS)

    clones = Case.objects.exclude(pk__in=templates).order_by("pk")
    assert clones.count() == written[Case._meta.db_table] == ROUNDS * len(templates)
    numbers = set(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(templates) * (ROUNDS + 1)
    shifts = set()
    for clone in clones:
        key, _c, round_ = clone.idempotency_key.rpartition("-c")
        assert 1 <= int(round_) <= ROUNDS
        template = Case.objects.get(idempotency_key=key)
        shift = template.submitted_at - clone.submitted_at
        assert shift >= dt.timedelta(0) and shift % dt.timedelta(weeks=1) == dt.timedelta(0)
        shifts.add(shift)
        day = clock.local(clone.submitted_at).date()
        assert clone.number == f"{template.number[:-14]}{day:%Y%m%d}-{clone.pk:08d}"
        want, got = copy.deepcopy(before[template.pk]), _rows(clone)
        _shifted(got, shift)
        for rows in (want, got):
            rows["Case"][0].pop("idempotency_key")
            rows["Case"][0].pop("number")
        for model, rows in want.items():
            assert len(got[model]) == len(rows), model
            for mine, theirs in zip(rows, got[model], strict=True):
                for column, value in mine.items():
                    assert theirs[column] == value, (model, column)
        # Their own rows only: the clone's tasks are new rows, its events point at them.
        tasks = set(ItemTask.objects.filter(case=clone).values_list("pk", flat=True))
        assert tasks and not tasks & set(
            ItemTask.objects.filter(case=template).values_list("pk", flat=True)
        )
        for event in CaseEvent.objects.filter(case=clone, kind="task_ready"):
            assert event.payload["task"] in tasks
    assert len(shifts) > 1
    # The templates are untouched.
    assert {pk: _rows(Case.objects.get(pk=pk)) for pk in templates} == before


__all__ = ["world"]
