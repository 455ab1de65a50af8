"""The 监察规则 of DOMAIN §6.4 are data, seeded by a migration."""

from __future__ import annotations

import pytest

from onestop.supervision.models import SupervisionRule
from onestop.supervision.states import Colour, Trigger

pytestmark = pytest.mark.django_db


def test_every_trigger_has_a_seeded_rule_with_a_code():
    rules = {rule.trigger: rule for rule in SupervisionRule.objects.all()}
    assert set(rules) == set(Trigger.values)
    assert all(rule.code.startswith("JC-") for rule in rules.values())


def test_overdue_is_red_and_near_limit_yellow():
    assert SupervisionRule.objects.get(trigger=Trigger.CASE_OVERDUE).colour == Colour.RED
    assert SupervisionRule.objects.get(trigger=Trigger.CASE_NEAR_LIMIT).colour == Colour.YELLOW


def test_the_fee_rule_is_off_and_says_why():
    rule = SupervisionRule.objects.get(trigger=Trigger.FEE_OVER_STANDARD)
    assert not rule.is_active
    assert "未记录实际收取的费用" in rule.note
