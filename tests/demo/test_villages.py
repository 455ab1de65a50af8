"""The demo's 办事不出村: pilot stations with clerks, seals delegated to them by document,
and village cases of the six packages completed within (mostly) 30 minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.accounts.roles import Role
from onestop.cases.models import Case
from onestop.cases.states import CaseState
from onestop.certificates.models import Certificate, SealPlaceAuthorisation
from onestop.demo.villages import KEY_PREFIX
from onestop.regions.models import Hall, HallKind
from onestop.stats import selectors
from onestop.workdays.units import TimeUnit

pytestmark = pytest.mark.django_db


def test_every_pilot_station_has_a_clerk_and_delegated_seals(demo):
    stations = Hall.objects.filter(kind=HallKind.VILLAGE_STATION, region__is_pilot=True)
    assert stations.count() == 8
    for station in stations:
        assert station.staff.filter(role=Role.WINDOW_CLERK).exists(), station.name
        grants = SealPlaceAuthorisation.objects.filter(hall=station, revoked_at=None)
        assert grants.exists(), station.name
        assert all("审授〔2026〕" in g.document_number for g in grants)
        assert all(g.seal.department.region.contains(station.region) for g in grants)


def test_village_cases_are_sealed_at_the_station_and_mostly_within_30_minutes(demo):
    cases = list(Case.objects.filter(idempotency_key__startswith=KEY_PREFIX))
    assert len(cases) == 32
    within = 0
    for case in cases:
        assert case.state == CaseState.DELIVERED
        assert (case.promised_days, case.promised_unit) == (30, TimeUnit.MINUTE)
        assert case.hall.kind == HallKind.VILLAGE_STATION
        certificates = list(Certificate.objects.filter(case=case))
        assert certificates and len(certificates) == case.tasks.count()
        for certificate in certificates:
            assert SealPlaceAuthorisation.objects.filter(
                seal=certificate.seal, hall=case.hall, item_code=certificate.item_code
            ).exists()
        within += case.completed_at - case.accepted_at <= dt.timedelta(minutes=30)
    assert len(cases) * 0.7 <= within < len(cases)  # most within, a few over


def test_the_minutes_figure_counts_the_pilot_villages(demo):
    period = selectors.Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    figures = selectors.figures_summary(region_code="4309", period=period)
    assert 0 < figures.minutes_met < figures.minutes_completed
    rows = selectors.village_minutes_rows(region_code="4309", period=period)
    assert {r.region_code[:6] for r in rows} == {"430902", "430903", "430922"}
