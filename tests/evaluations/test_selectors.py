from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.evaluations import selectors, services
from onestop.evaluations.models import Rating
from onestop.evaluations.states import RatingLevel, RatingStatus
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def _rate(setup, level, codes=()):
    case = setup.case_in("delivered")
    return services.rating_submit(
        case_id=case.pk, user=setup.applicant.user, level=level, indicator_codes=codes
    )


def test_rates_count_good_and_bad_per_region_department_staff_and_item(setup):
    _rate(setup, RatingLevel.VERY_SATISFIED)
    _rate(setup, RatingLevel.SATISFIED)
    _rate(setup, RatingLevel.BASIC)
    bad = _rate(setup, RatingLevel.DISSATISFIED, ["203"])
    setup.completed()  # completed, not rated
    start, end = clock.now() - dt.timedelta(days=1), clock.now() + dt.timedelta(days=1)
    rates = selectors.rates_for(start=start, end=end, region_code="4309")
    assert (rates.ratings, rates.good, rates.bad) == (4, 2, 1)
    assert rates.good_rate == 0.5 and rates.bad_rate == 0.25
    assert rates.participation == 4 / 5
    seal = selectors.rates_for(start=start, end=end, department_id=setup.departments["seal"].pk)
    assert seal.ratings == 4
    by_clerk = selectors.rates_for(start=start, end=end, staff_id=setup.clerk.pk)
    assert by_clerk.ratings == 4 and by_clerk.participation is None
    item = setup.versions["invoice"].item
    assert selectors.rates_for(start=start, end=end, item_id=item.pk).bad == 1
    Rating.objects.filter(pk=bad.pk).update(status=RatingStatus.INVALID)
    assert selectors.rates_for(start=start, end=end, region_code="43").bad == 0
    assert selectors.rates_for(start=start, end=end, region_code="11").ratings == 0


def test_the_rater_is_masked_and_only_the_handling_officer_sees_who_rated(setup):
    rating = _rate(setup, RatingLevel.VERY_DISSATISFIED, ["201"])
    shown = selectors.rater_masked(rating.applicant)
    assert shown["name"].startswith(setup.applicant.name[0]) and "*" in shown["name"]
    assert setup.applicant.id_number not in shown["identifier"]
    assert shown["identifier"][-4:] == setup.applicant.id_number[-4:]
    rect = rating.rectification
    assert selectors.rater_visible_to(setup.officers["licence"], rect)
    assert not selectors.rater_visible_to(setup.officers["seal"], rect)
    assert not selectors.rater_visible_to(setup.clerk, rect)
    assert not selectors.rater_visible_to(StaffFactory(supervisor=True), rect)
    assert list(selectors.rectification_inbox_for(setup.officers["licence"])) == [rect]
