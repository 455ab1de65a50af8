"""The demo's 帮代办: agents in the pilot villages of 赫山, 资阳 and 桃江, authorisations of
each kind (some expired, one revoked) for elderly applicants, and the agents' cases."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from onestop.accounts.models import Staff
from onestop.accounts.roles import Role
from onestop.cases.actions import AuthorisationStatus, authorisation_status
from onestop.cases.events import ON_BEHALF_OF
from onestop.cases.models import AgentAuthorisation, AuthorisationMethod, Case, CaseEvent
from onestop.cases.selectors import case_list_for
from onestop.cases.states import CaseState, EventKind
from onestop.core import clock
from onestop.demo.agents import KEY_PREFIX
from onestop.demo.loader import demo_load
from tests.demo.conftest import LOADED_AT

pytestmark = pytest.mark.django_db


def test_agents_in_the_three_pilot_counties_hold_authorisations_of_every_kind(demo):
    agents = Staff.objects.filter(role=Role.AGENT)
    assert {a.region.code[:6] for a in agents} >= {"430903", "430902", "430922"}
    with clock.frozen(LOADED_AT):
        rows = list(AgentAuthorisation.objects.filter(agent__in=agents))
        status = Counter(authorisation_status(a) for a in rows)
    assert {a.method for a in rows} == set(AuthorisationMethod.values)
    assert status[AuthorisationStatus.EXPIRED] >= 2
    assert status[AuthorisationStatus.REVOKED] == 1
    assert status[AuthorisationStatus.VALID] >= 6
    assert any(a.document for a in rows)  # one signed letter's scan


def test_the_agents_entered_and_acted_on_cases_for_the_elderly(demo):
    cases = Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)
    assert cases.count() == 6 and not cases.filter(authorisation=None).exists()
    assert {c.region_code[:6] for c in cases} == {"430903", "430902", "430922"}
    states = set(cases.values_list("state", flat=True))
    assert {CaseState.DELIVERED, CaseState.WITHDRAWN, CaseState.SUBMITTED} <= states
    withdrawn = CaseEvent.objects.get(case__in=cases, kind=EventKind.WITHDRAWN)
    assert withdrawn.actor_role == Role.AGENT
    assert withdrawn.payload[ON_BEHALF_OF]["agent_name"] == "龚建军"
    # every event an agent recorded is marked as on the applicant's behalf
    by_agents = CaseEvent.objects.filter(case__in=cases, actor_role=Role.AGENT)
    assert by_agents.count() >= 7
    assert all(ON_BEHALF_OF in e.payload for e in by_agents)


def test_each_agent_sees_only_their_own_authorised_cases(demo):
    gong = Staff.objects.get(user__username="agent")
    with clock.frozen(LOADED_AT):
        names = set(case_list_for(gong).values_list("applicant__name", flat=True))
    assert {"刘秋生", "谢德明"} <= names
    assert not names & {"彭满秀", "曹玉英", "张桂英"}


def test_a_second_load_the_next_day_adds_no_authorisation_or_case(demo):
    counts = (AgentAuthorisation.objects.count(), Case.objects.count())
    with clock.frozen(LOADED_AT + dt.timedelta(days=1)):
        again = demo_load()
    assert again.created["agent_cases"] == 0
    assert again.present["agent_cases"] == demo.present["agent_cases"] == 6
    assert (AgentAuthorisation.objects.count(), Case.objects.count()) == counts
