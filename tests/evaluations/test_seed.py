"""The seeded indicator set comes back after a flush (tests, a demo reload)."""

from __future__ import annotations

import pytest

from onestop.evaluations import services
from onestop.evaluations.models import Indicator, IndicatorSet

pytestmark = pytest.mark.django_db


def test_indicators_ensure_puts_the_seeded_set_back_once():
    assert services.indicators_ensure() is False  # the migration seeded it
    before = sorted(Indicator.objects.values_list("code", "name", "scope"))
    Indicator.objects.all().delete()
    IndicatorSet.objects.all().delete()
    assert services.indicators_ensure() is True
    assert sorted(Indicator.objects.values_list("code", "name", "scope")) == before
    assert IndicatorSet.objects.get().is_current
    assert services.indicators_ensure() is False
