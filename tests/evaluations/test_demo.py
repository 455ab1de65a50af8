"""The demo section: rated cases on every channel, 差评 in several stages, idempotent, its
ratings export without error, and the monthly ranking flags the slow window (a shortened
span that still covers the two whole months before today, so the test stays small)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from onestop.core import clock
from onestop.demo import evaluations as demo_evaluations
from onestop.demo import loader
from onestop.demo.summary import DemoSummary
from onestop.evaluations import selectors
from onestop.evaluations.models import Rating
from tests.evaluations.checker import problems

pytestmark = pytest.mark.django_db


def test_the_demo_rates_cases_on_many_channels_once_and_they_export(
    monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(demo_evaluations, "SPAN_WORKDAYS", demo_evaluations.SLOW_WORKDAYS)
    summary = DemoSummary()
    for name, section in loader.SECTIONS:
        if name in ("regions", "organisations", "people", "catalog"):
            section(summary)
    demo_evaluations.load_evaluations(summary)
    ratings = Rating.objects.all()
    assert ratings.count() >= 15
    assert ratings.values("channel").distinct().count() >= 6
    ranking = selectors.ranking_for(
        region_code="4309", month=selectors.ranking_month(clock.today())
    )
    assert len(ranking.windows) >= 2
    assert [r.name for r in ranking.flagged_windows] == ["3号 综合受理"]
    assert ranking.windows[-1].name == "3号 综合受理" and ranking.windows[-1].rates.bad_rate == 1
    assert ranking.departments
    again = DemoSummary()
    demo_evaluations.load_evaluations(again)
    assert again.created_total == 0 and Rating.objects.count() == ratings.count()
    out = tmp_path / "export.jsonl"
    first = clock.local(ratings.order_by("rated_at").first().rated_at).date().isoformat()
    call_command(
        "evaluations", "export", "--from", first, "--to", clock.today().isoformat(),
        "--output", str(out),
    )  # fmt: skip
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == ratings.count()
    assert [p for r in records if (p := problems(r))] == []
