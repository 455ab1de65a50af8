"""Promised time limits read naturally in both languages: 即办 for none, plural-aware units."""

from __future__ import annotations

from django.utils import translation

from onestop.workdays.units import TimeUnit, time_limit_text, time_limit_within_text


def test_chinese_time_limits():
    with translation.override("zh-hans"):
        assert time_limit_text(2, TimeUnit.WORKDAY) == "2 个工作日"
        assert time_limit_text(5, TimeUnit.NATURAL_DAY) == "5 个自然日"
        assert time_limit_text(0, TimeUnit.WORKDAY) == "即办"
        assert time_limit_within_text(2, TimeUnit.WORKDAY) == "2 个工作日内办结"
        assert time_limit_within_text(0, TimeUnit.WORKDAY) == "即办，当场办结"


def test_english_time_limits_are_singular_for_one():
    with translation.override("en"):
        assert time_limit_text(1, TimeUnit.WORKDAY) == "1 working day"
        assert time_limit_text(2, TimeUnit.WORKDAY) == "2 working days"
        assert time_limit_text(1, TimeUnit.NATURAL_DAY) == "1 calendar day"
        assert time_limit_text(0, TimeUnit.WORKDAY) == "On the spot"
        assert time_limit_within_text(1, TimeUnit.WORKDAY) == "done within 1 working day"


def test_item_page_in_english_says_one_working_day(client, demo):
    from onestop.catalog.models import ServiceItemVersion, VersionStatus

    version = (
        ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED, promised_days=1)
        .select_related("item")
        .first()
    )
    assert version is not None, "the demo catalogue has an item promised in 1 working day"
    html = client.get(
        f"/items/{version.item.basic_code}/", headers={"Accept-Language": "en"}
    ).content.decode()
    assert "1 working day<" in html
    assert "1 working days" not in html
