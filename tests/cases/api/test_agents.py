"""The 帮代办 authorisation API: grant each way, list per caller, revoke, and what the
agent's intake and actions then meet."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from tests.cases.api.conftest import application, assert_problem

URL = "/api/agent-authorisations"


@pytest.fixture
def agent_code(people):
    people.agent.phone = "13907379999"
    people.agent.save()
    return "13907379999"


def test_the_applicant_consents_online_and_the_agent_then_enters_the_case(
    setup, people, agent_code
):
    owner = people.api("owner")
    granted = owner.post(
        URL,
        {
            "method": "online",
            "agent_code": agent_code,
            "package_codes": [setup.package.package.code],
        },
    )
    assert granted.status_code == 201, granted.content
    body = granted.json()
    assert (body["method"], body["status"], body["may_revoke"]) == ("online", "valid", True)
    assert body["package_codes"] == [setup.package.package.code]
    assert [a["id"] for a in people.api("agent").get(URL).json()] == [body["id"]]
    assert people.api("other_applicant").get(URL).json() == []

    intake = application(setup, applicant_identifier=setup.applicant.id_number)
    case = people.api("agent").post("/api/cases/intake", intake)
    assert case.status_code == 201, case.content
    assert "withdraw" in case.json()["actions"]


def test_a_clerk_records_a_letter_and_an_in_person_confirmation(setup, people, agent_code):
    clerk = people.api("clerk")
    common = {
        "agent_code": agent_code,
        "applicant_identifier": setup.applicant.id_number,
        "all_items": True,
    }
    letter = clerk.post(
        URL, {"method": "document", "document_number": "赫山委托〔2026〕40号", **common}
    )
    present = clerk.post(URL, {"method": "in_person", **common})
    assert (letter.status_code, present.status_code) == (201, 201)
    assert letter.json()["document_number"] == "赫山委托〔2026〕40号"
    assert len(clerk.get(URL).json()) == 2
    assert_problem(clerk.post(URL, {"method": "document", **common}), 422, "document_number")
    assert_problem(clerk.post(URL, {"method": "online", **common}), 422, "method")
    assert_problem(people.api("clerk_out").post(URL, {"method": "in_person", **common}), 403)
    assert_problem(people.api("officer").get(URL), 403)
    assert_problem(people.api("anonymous").get(URL), 401)


def test_bad_grants_are_422_naming_the_field(setup, people, agent_code):
    owner = people.api("owner")
    assert_problem(owner.post(URL, {"method": "online", "agent_code": "000"}), 422, "agent")
    assert_problem(owner.post(URL, {"method": "online", "agent_code": agent_code}), 422, "packages")
    assert_problem(
        owner.post(URL, {"method": "online", "agent_code": agent_code, "package_codes": ["NOPE"]}),
        422,
        "package_codes",
    )
    assert_problem(
        owner.post(URL, {"method": "in_person", "agent_code": agent_code}), 422, "method"
    )


def test_revoking_stops_the_agent_and_is_404_to_strangers(setup, people, agent_code):
    owner = people.api("owner")
    auth = owner.post(URL, {"method": "online", "agent_code": agent_code, "all_items": True}).json()
    intake = application(setup, applicant_identifier=setup.applicant.id_number)
    case = people.api("agent").post("/api/cases/intake", intake).json()
    assert_problem(people.api("other_applicant").post(f"{URL}/{auth['id']}/revoke", {}), 404)

    revoked = owner.post(f"{URL}/{auth['id']}/revoke", {"reason": "已自行办理"})
    assert revoked.status_code == 200
    assert (revoked.json()["status"], revoked.json()["may_revoke"]) == ("revoked", False)
    agent = people.api("agent")
    assert_problem(agent.get(f"/api/cases/{case['id']}"), 404)
    refused = assert_problem(agent.post("/api/cases/intake", intake), 422, "agent_authorisation")
    assert "撤销" in refused["detail"]
    # the applicant still sees the case, with the agent's submission on it
    assert owner.get(f"/api/cases/{case['id']}").json()["has_agent"] is True


def test_an_expired_authorisation_leaves_the_case_visible_but_not_actionable(
    setup, people, agent_code
):
    until = (clock.now() + dt.timedelta(days=2)).isoformat()
    people.api("owner").post(
        URL, {"method": "online", "agent_code": agent_code, "all_items": True, "valid_until": until}
    )
    agent = people.api("agent")
    intake = application(setup, applicant_identifier=setup.applicant.id_number)
    case = agent.post("/api/cases/intake", intake).json()
    with clock.frozen(clock.now() + dt.timedelta(days=3)):
        seen = agent.get(f"/api/cases/{case['id']}")
        assert seen.status_code == 200 and seen.json()["actions"] == []
        assert_problem(agent.post(f"/api/cases/{case['id']}/withdraw", {"reason": "x"}), 403)
        assert agent.get(URL).json()[0]["status"] == "expired"
