"""The demo's 跨域通办 cases: received across 赫山, 资阳 and 桃江 in every mode."""

from __future__ import annotations

from collections import Counter

from onestop.cases.models import Case, ItemTask
from onestop.cases.states import CaseState, EventKind, TaskMode
from onestop.core import clock
from onestop.delivery.models import Shipment
from onestop.delivery.states import ShipmentKind, ShipmentState
from onestop.demo.crossdomain import KEY_PREFIX, PLAYS
from onestop.demo.loader import demo_load
from onestop.stats.selectors import proxy_counters
from onestop.supervision.models import Signal
from tests.demo.conftest import LOADED_AT

COUNTIES = {"430903", "430902", "430922"}


def _cases():
    return Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)


def test_dozens_of_cases_in_every_mode_across_the_three_counties(demo):
    cases = _cases()
    assert cases.count() == len(PLAYS) >= 24
    assert {c.region_code for c in cases} == COUNTIES
    modes = Counter(ItemTask.objects.filter(case__in=cases).values_list("mode", flat=True))
    assert set(modes) == set(TaskMode.values)
    assert modes[TaskMode.PROXY] >= 12
    handled = set(ItemTask.objects.filter(case__in=cases).values_list("region_code", flat=True))
    assert handled == COUNTIES
    # every proxy case was checked at the receiving window before acceptance, by its clerk
    for case in cases.filter(tasks__mode=TaskMode.PROXY).distinct():
        check = case.events.get(kind=EventKind.RECEIVING_CHECKED)
        accepted = case.events.get(kind=EventKind.ACCEPTED)
        assert check.seq < accepted.seq
        assert check.actor_id == accepted.actor_id
    states = Counter(cases.values_list("state", flat=True))
    assert states[CaseState.DELIVERED] == 6 and states[CaseState.SUBMITTED] == 6


def test_originals_are_tracked_and_late_ones_are_signalled(demo):
    parcels = Shipment.objects.filter(
        case__idempotency_key__startswith=KEY_PREFIX, kind=ShipmentKind.MATERIALS_TO_HANDLING
    )
    states = Counter(parcels.values_list("state", flat=True))
    assert states[ShipmentState.DELIVERED] >= 6 and states[ShipmentState.IN_TRANSIT] == 6
    late = Signal.objects.filter(rule__code="JC-JC-08", state="open")
    assert late.count() == 6
    assert {s.region_code for s in late} == COUNTIES  # each receiving hall's duty


def test_counters_show_each_county_receiving_for_the_others(demo):
    with clock.frozen(LOADED_AT):
        for code in COUNTIES:
            year = {c.span: c for c in proxy_counters(region_code=code)}["year"]
            assert year.for_others >= 6 and year.by_others >= 6, code


def test_a_second_load_adds_nothing(demo):
    before = _cases().count()
    with clock.frozen(LOADED_AT):
        demo_load()
    assert _cases().count() == before
