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


def test_missing_rules_are_put_back_and_edited_ones_left_alone():
    from onestop.supervision.services import rules_ensure

    SupervisionRule.objects.filter(trigger=Trigger.CASE_OVERDUE).delete()
    SupervisionRule.objects.filter(trigger=Trigger.PRE_REVIEW_OVERDUE).update(
        parameters={"limit_days": 2, "unit": "workday"}
    )
    assert rules_ensure() == 1
    assert rules_ensure() == 0
    assert SupervisionRule.objects.filter(trigger=Trigger.CASE_OVERDUE).exists()
    edited = SupervisionRule.objects.get(trigger=Trigger.PRE_REVIEW_OVERDUE)
    assert edited.parameters["limit_days"] == 2


def test_the_migration_and_the_seed_list_agree():
    from onestop.supervision.seed import RULES

    stored = set(
        SupervisionRule.objects.values_list("code", "name", "kind", "trigger", "is_active")
    )
    assert stored == {(c, n, k, t, a) for c, n, k, t, _p, a, _note in RULES}


def test_a_supervisor_changes_a_rule_within_its_parameters(setup):
    from onestop.core.errors import PermissionDenied, ValidationFailed
    from onestop.supervision.services import rule_update
    from tests.factories.accounts import StaffFactory

    supervisor = StaffFactory(supervisor=True, region=setup.city)
    rule = SupervisionRule.objects.get(trigger=Trigger.PRE_REVIEW_OVERDUE)
    rule_update(
        rule_id=rule.pk, by=supervisor, is_active=True, parameters={"limit_days": 2}, note="两日"
    )
    rule.refresh_from_db()
    assert rule.parameters == {"limit_days": 2}
    with pytest.raises(ValidationFailed):
        rule_update(
            rule_id=rule.pk, by=supervisor, is_active=True, parameters={"limit_days": -1}, note=""
        )
    fee = SupervisionRule.objects.get(trigger=Trigger.FEE_OVER_STANDARD)
    with pytest.raises(ValidationFailed) as caught:
        rule_update(rule_id=fee.pk, by=supervisor, is_active=True, parameters={}, note="")
    assert caught.value.field == "is_active"
    with pytest.raises(PermissionDenied):
        rule_update(rule_id=rule.pk, by=setup.clerk, is_active=False, parameters={}, note="")
