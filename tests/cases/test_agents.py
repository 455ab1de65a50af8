"""帮代办: the three ways an applicant authorises an agent, the engine's check of it at intake
and on every later action, the agent's scope, and the event log's attribution."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.cases import services
from onestop.cases.actions import CaseAction, case_actions
from onestop.cases.events import ON_BEHALF_OF, chain_verify
from onestop.cases.models import AgentAuthorisation, AuthorisationMethod, Case
from onestop.cases.selectors import agent_cases, case_get_for, case_list_for
from onestop.cases.states import CaseState, Channel, EventKind
from onestop.core import clock
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.cases import PDF
from tests.factories.regions import CountyFactory

T0 = dt.datetime(2026, 11, 2, 9, tzinfo=clock.SHANGHAI)


@pytest.fixture
def agent(setup):
    return StaffFactory(
        agent=True,
        region=setup.county,
        name="刘帮办",
        phone="13907370001",
        user=UserFactory(username="bdb-0001"),
    )


def _intake(setup, agent, **kwargs):
    return services.case_intake(
        staff=agent,
        applicant=kwargs.pop("applicant", setup.applicant),
        channel=Channel.VILLAGE_CENTRE,
        package_version=setup.package,
        answers=setup.answers(),
        form_data=setup.form(),
        materials=setup.full_materials(),
        **kwargs,
    )


def _in_person(setup, agent, *, by=None, days=30, **scope):
    scope = scope or {"packages": [setup.package.package]}
    return services.authorisation_grant_in_person(
        applicant=setup.applicant,
        agent=agent,
        recorded_by=by or setup.clerk,
        valid_until=clock.now() + dt.timedelta(days=days),
        **scope,
    )


# ------------------------------------------------------------------- the three ways


def test_a_signed_letter_is_recorded_with_its_number_and_scan(setup, agent):
    scan = SimpleUploadedFile("委托书.pdf", PDF, content_type="application/pdf")
    auth = services.authorisation_grant_document(
        applicant=setup.applicant,
        agent=agent,
        recorded_by=setup.clerk,
        document_number="赫山委托〔2026〕31号",
        document=scan,
        all_items=True,
    )
    assert auth.method == AuthorisationMethod.DOCUMENT
    assert auth.document.name.startswith("cases/authorisations/")
    with auth.document.open("rb") as stored:
        assert stored.read() == PDF
    assert auth.recorded_by == setup.clerk.user
    with pytest.raises(ValidationFailed) as missing:
        services.authorisation_grant_document(
            applicant=setup.applicant, agent=agent, recorded_by=setup.clerk, all_items=True
        )
    assert missing.value.field == "document_number"


def test_an_in_person_confirmation_is_recorded_by_a_clerk_or_the_agent(setup, agent):
    by_clerk = _in_person(setup, agent)
    by_agent = _in_person(setup, agent, by=agent)
    assert {by_clerk.method, by_agent.method} == {AuthorisationMethod.IN_PERSON}
    assert list(by_clerk.packages.all()) == [setup.package.package]
    elsewhere = StaffFactory(region=CountyFactory())  # a clerk of another county
    with pytest.raises(PermissionDenied):
        _in_person(setup, agent, by=elsewhere)
    with pytest.raises(ValidationFailed) as no_scope:
        services.authorisation_grant_in_person(
            applicant=setup.applicant, agent=agent, recorded_by=setup.clerk
        )
    assert no_scope.value.field == "packages"


def test_online_consent_finds_the_agent_by_number_or_phone(setup, agent):
    by_number = services.authorisation_grant_online(
        applicant=setup.applicant, agent_code="bdb-0001", all_items=True
    )
    by_phone = services.authorisation_grant_online(
        applicant=setup.applicant,
        agent_code=" 13907370001 ",
        items=[setup.versions["licence"].item],
    )
    assert by_number.agent == by_phone.agent == agent
    assert by_number.method == AuthorisationMethod.ONLINE
    assert by_number.recorded_by == setup.applicant.user
    with pytest.raises(ValidationFailed) as unknown:
        services.authorisation_grant_online(
            applicant=setup.applicant, agent_code=setup.clerk.user.username, all_items=True
        )
    assert unknown.value.field == "agent"


# ------------------------------------------------------------ the engine checks it


def test_intake_goes_in_under_the_authorisation_on_record(setup, agent):
    auth = _in_person(setup, agent)
    case = _intake(setup, agent)
    assert case.authorisation == auth and case.agent == agent
    assert AgentAuthorisation.objects.count() == 1  # none recorded on the spot


def test_intake_without_an_authorisation_is_refused_and_writes_nothing(setup, agent):
    with pytest.raises(ValidationFailed, match="没有申请人对您的代办授权") as refused:
        _intake(setup, agent)
    assert refused.value.field == "agent_authorisation"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("expired", "到期"),
        ("revoked", "撤销"),
        ("other_item", "不包括本事项"),
        ("other_applicant", "没有申请人对您的代办授权"),
    ],
)
def test_intake_is_refused_outside_the_authorisation(setup, agent, change, why):
    with clock.frozen(T0):
        if change == "other_item":
            _in_person(setup, agent, items=[setup.versions["licence"].item])
        elif change == "other_applicant":
            services.authorisation_grant_in_person(
                applicant=ApplicantFactory(),
                agent=agent,
                recorded_by=setup.clerk,
                all_items=True,
            )
        else:
            auth = _in_person(setup, agent, days=10)
    at = T0 + dt.timedelta(days=11 if change == "expired" else 1)
    with clock.frozen(at):
        if change == "revoked":
            services.authorisation_revoke(authorisation_id=auth.pk, by=setup.applicant)
        with pytest.raises(ValidationFailed, match=why):
            _intake(setup, agent)
    assert not Case.objects.exists()


def test_a_typed_letter_number_records_a_letter_for_this_package(setup, agent):
    case = _intake(setup, agent, agent_authorisation="芙蓉村委托书 FR-2026-007")
    auth = case.authorisation
    assert auth.method == AuthorisationMethod.DOCUMENT
    assert auth.document_number == "芙蓉村委托书 FR-2026-007"
    assert list(auth.packages.all()) == [setup.package.package] and not auth.all_items
    assert case.agent_authorisation == "芙蓉村委托书 FR-2026-007"


def test_an_in_person_confirmation_at_intake_is_recorded_by_the_agent(setup, agent):
    case = _intake(setup, agent, agent_in_person=True)
    assert case.authorisation.method == AuthorisationMethod.IN_PERSON
    assert case.authorisation.recorded_by == agent.user
    assert case.agent_authorisation == "当面确认"


def test_the_agent_acts_only_while_the_authorisation_is_valid(setup, agent):
    with clock.frozen(T0):
        auth = _in_person(setup, agent, days=10)
        case = _intake(setup, agent)
        assert CaseAction.WITHDRAW in case_actions(case_get_for(agent, case.pk), agent)
    with clock.frozen(T0 + dt.timedelta(days=11)):
        expired = case_get_for(agent, case.pk)  # the agent's own work stays visible
        assert CaseAction.WITHDRAW not in case_actions(expired, agent)
        with pytest.raises(PermissionDenied, match="到期"):
            services.case_withdraw(case_id=case.pk, by=agent, reason="申请人委托撤回")
        # the applicant still may
        assert CaseAction.WITHDRAW in case_actions(expired, setup.applicant)
    assert auth.cases.get() == case


def test_a_revoked_authorisation_hides_its_cases_from_the_agent(setup, agent):
    auth = _in_person(setup, agent)
    case = _intake(setup, agent)
    services.authorisation_revoke(authorisation_id=auth.pk, by=setup.applicant, reason="已自行办理")
    with pytest.raises(NotFound):
        case_get_for(agent, case.pk)
    assert not case_list_for(agent).exists()
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case_id=case.pk, by=agent)
    assert case_get_for(setup.applicant, case.pk) == case


def test_the_agent_sees_only_the_cases_they_entered_under_an_authorisation(setup, agent):
    _in_person(setup, agent, all_items=True)
    mine = _intake(setup, agent)
    own = setup.submit()  # the applicant's own application
    other_agent = StaffFactory(agent=True, region=setup.county)
    theirs = _intake(setup, other_agent, agent_in_person=True)
    assert list(agent_cases(agent)) == [mine]
    for hidden in (own, theirs):
        with pytest.raises(NotFound):
            case_get_for(agent, hidden.pk)


def test_who_may_revoke(setup, agent):
    auth = _in_person(setup, agent)
    for stranger in (ApplicantFactory(), StaffFactory(agent=True, region=setup.county)):
        with pytest.raises(PermissionDenied):
            services.authorisation_revoke(authorisation_id=auth.pk, by=stranger)
    done = services.authorisation_revoke(authorisation_id=auth.pk, by=agent, reason="调离")
    again = services.authorisation_revoke(authorisation_id=auth.pk, by=setup.clerk)
    assert again.revoked_at == done.revoked_at and again.revoked_by == agent.user


# ------------------------------------------------------------------ the event log


def test_every_agent_event_is_the_agents_on_behalf_of_the_applicant(setup, agent):
    auth = _in_person(setup, agent)
    case = _intake(setup, agent)
    services.case_withdraw(case_id=case.pk, by=agent, reason="申请人委托撤回")
    submitted, withdrawn = case.events.order_by("seq")
    expected = {
        "applicant": setup.applicant.pk,
        "agent": agent.pk,
        "agent_name": "刘帮办",
        "authorisation": auth.pk,
    }
    assert submitted.kind == EventKind.SUBMITTED and withdrawn.kind == EventKind.WITHDRAWN
    for event in (submitted, withdrawn):
        assert event.actor_id == agent.user_id and event.actor_role == "agent"
        assert event.payload[ON_BEHALF_OF] == expected
    assert submitted.payload["authorised_by"] == AuthorisationMethod.IN_PERSON
    assert chain_verify(Case.objects.get(pk=case.pk)) == (2, [])


def test_the_windows_events_on_an_agents_case_are_not_on_behalf(setup, agent):
    _in_person(setup, agent)
    case = _intake(setup, agent)
    services.case_accept(case_id=case.pk, clerk=setup.clerk)
    accepted = case.events.get(kind=EventKind.ACCEPTED)
    assert ON_BEHALF_OF not in accepted.payload
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_PROGRESS


# ------------------------------------------------------------------------ the admin


def test_the_admin_shows_authorisations_and_revokes_through_the_service(setup, agent, client):
    auth = _in_person(setup, agent)
    setup.clerk.user.is_staff = setup.clerk.user.is_superuser = True
    setup.clerk.user.save()
    client.force_login(setup.clerk.user)
    listing = client.get("/admin/cases/agentauthorisation/")
    assert listing.status_code == 200 and "刘帮办" in listing.content.decode()
    assert client.get(f"/admin/cases/agentauthorisation/{auth.pk}/change/").status_code == 200
    assert client.get("/admin/cases/agentauthorisation/add/").status_code == 403
    response = client.post(
        "/admin/cases/agentauthorisation/",
        {"action": "revoke", "_selected_action": [auth.pk]},
    )
    assert response.status_code == 302
    auth.refresh_from_db()
    assert auth.revoked_at is not None and auth.revoked_by == setup.clerk.user
