"""The demo's supervision section: signals over the sample cases and orders in every state."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.demo.loader import demo_load
from onestop.supervision import log
from onestop.supervision.models import Signal, SupervisionOrder
from onestop.supervision.states import Colour, OrderState, OrderSubject, SignalState

LOADED_AT = dt.datetime(2026, 6, 17, 15, 30, tzinfo=clock.SHANGHAI)


@pytest.fixture
def loaded(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    with clock.frozen(LOADED_AT):
        return demo_load()


def test_the_demo_has_red_and_yellow_signals_and_orders_in_every_state(loaded):
    live = Signal.objects.filter(state=SignalState.OPEN)
    assert live.filter(colour=Colour.RED).exists()
    assert live.filter(colour=Colour.YELLOW).exists()
    assert live.filter(rule__trigger="step_overdue").exists()
    states = set(SupervisionOrder.objects.values_list("state", flat=True))
    assert states == set(OrderState.values)
    [on_rating] = SupervisionOrder.objects.filter(subject_kind=OrderSubject.RECTIFICATION)
    assert on_rating.rectification is not None
    assert on_rating.department_id == on_rating.rectification.department_id
    for order in SupervisionOrder.objects.all():
        assert log.chain_verify(order)[1] == []
    assert loaded.present["signals"] == Signal.objects.count()
    assert loaded.present["supervision orders"] == SupervisionOrder.objects.count()


def test_a_second_load_adds_no_signal_and_no_order(loaded):
    signals = sorted(Signal.objects.values_list("rule_id", "subject", "state"))
    orders = SupervisionOrder.objects.count()
    with clock.frozen(LOADED_AT + dt.timedelta(hours=1)):
        again = demo_load()
    assert again.created["signals"] == again.created["supervision orders"] == 0
    assert sorted(Signal.objects.values_list("rule_id", "subject", "state")) == signals
    assert SupervisionOrder.objects.count() == orders
