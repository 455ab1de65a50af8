"""Demo history (demo/history.py): months of cases in bulk, row for row what the services
write — spread over channels, counties and states, with intact hash chains, a second load
adding nothing and a larger setting adding only the missing ones."""

from __future__ import annotations

from collections import Counter

import pytest

from onestop.cases.events import chain_verify
from onestop.cases.models import Case
from onestop.cases.states import CaseState
from onestop.core import clock
from onestop.demo.history import KEY_PREFIX, load_history
from onestop.demo.loader import demo_load
from onestop.demo.summary import DemoSummary
from tests.demo.conftest import LOADED_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(fast_passwords, settings):
    with clock.frozen(LOADED_AT):
        demo_load(until="cases")
    settings.ONESTOP_DEMO_HISTORY_CASES = 120
    with clock.frozen(LOADED_AT):
        load_history(DemoSummary())
    return Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)


def test_history_cases_look_like_months_of_work(sample):
    cases = list(sample.select_related("accepting_region"))
    assert len(cases) >= 110  # a kind the services refuse through a channel is left out
    states = Counter(c.state for c in cases)
    assert states[CaseState.DELIVERED] > len(cases) / 2  # most old cases are done
    assert set(states) - {CaseState.DELIVERED}  # and recent ones are still under way
    assert len({c.channel for c in cases}) >= 4
    assert len({c.accepting_region.code[:6] for c in cases}) >= 3  # several counties
    first, last = min(c.submitted_at for c in cases), max(c.submitted_at for c in cases)
    assert (last - first).days > 90 and last <= LOADED_AT
    for case in cases[:40]:
        checked, breaks = chain_verify(case)
        assert checked and breaks == []
    assert len({c.number for c in cases}) == len(cases)


def test_a_second_load_adds_nothing_and_a_larger_one_only_the_rest(sample, settings):
    before = set(sample.values_list("idempotency_key", flat=True))
    summary = DemoSummary()
    with clock.frozen(LOADED_AT):
        load_history(summary)
    assert summary.created["history cases"] == 0
    settings.ONESTOP_DEMO_HISTORY_CASES = 160
    with clock.frozen(LOADED_AT):
        load_history(summary)
    after = set(sample.values_list("idempotency_key", flat=True))
    assert before < after and len(after - before) == summary.created["history cases"]
