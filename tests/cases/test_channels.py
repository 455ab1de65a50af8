"""The channel an application comes through must be one its items offer (online depth, 办理形式)."""

from __future__ import annotations

import pytest

from onestop.cases.models import Case
from onestop.cases.states import Channel
from onestop.catalog.models import OnlineDepth, ServiceItemVersion
from onestop.core.errors import ValidationFailed


def _set(setup, key: str, **fields) -> ServiceItemVersion:
    # Published versions are frozen (and their plans cached): each test changes the row
    # once, before its first application.
    ServiceItemVersion.objects.filter(pk=setup.versions[key].pk).update(**fields)
    return ServiceItemVersion.objects.get(pk=setup.versions[key].pk)


@pytest.mark.parametrize("depth", [OnlineDepth.LEVEL_1, OnlineDepth.LEVEL_2])
@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.MOBILE, Channel.KIOSK])
def test_an_item_below_depth_three_takes_no_online_application(setup, depth, channel):
    version = _set(setup, "licence", online_depth=depth)
    with pytest.raises(ValidationFailed) as refused:
        setup.submit(channel=channel)
    assert refused.value.field == "channel"
    assert version.name in str(refused.value)
    assert "不受理网上申请" in str(refused.value)
    assert Case.objects.count() == 0


def test_the_same_item_is_still_taken_at_the_window(setup):
    _set(setup, "licence", online_depth=OnlineDepth.LEVEL_2)
    assert setup.submit(channel=Channel.HALL_WINDOW).pk


def test_a_channel_whose_handling_form_the_item_does_not_list_is_refused(setup):
    _set(setup, "licence", handling_forms=["1", "2"])  # no 移动端网上申请
    with pytest.raises(ValidationFailed) as refused:
        setup.submit(channel=Channel.MOBILE)
    assert "移动端网上申请" in str(refused.value)
    assert setup.submit(channel=Channel.ONLINE).pk  # the PC form is listed


def test_an_online_only_item_is_not_taken_at_the_window(setup):
    _set(setup, "licence", handling_forms=["2", "3"])
    with pytest.raises(ValidationFailed) as refused:
        setup.submit(channel=Channel.HALL_WINDOW)
    assert "窗口办理" in str(refused.value)


def test_an_item_that_lists_no_handling_form_is_not_restricted(setup):
    _set(setup, "licence", handling_forms=[])
    assert setup.submit(channel=Channel.MOBILE).pk
