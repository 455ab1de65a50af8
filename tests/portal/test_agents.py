"""The applicant's side of 帮代办: 我的代办授权 (see, grant online, revoke) and every agent
action on the case page and its timeline as "帮代办员 X 代为…"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.cases import services
from onestop.cases.models import AgentAuthorisation, AuthorisationMethod
from onestop.cases.states import Channel
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.cases import start_business


@pytest.fixture
def setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return start_business()


@pytest.fixture
def agent(setup):
    return StaffFactory(
        agent=True,
        region=setup.county,
        name="刘帮办",
        phone="13907370002",
        user=UserFactory(username="bdb-0002"),
    )


@pytest.fixture
def owner(client, setup):
    client.force_login(setup.applicant.user)
    return client


def test_the_applicant_grants_an_agent_online_and_revokes(setup, agent, owner):
    url = reverse("portal:my_agents")
    page = owner.get(url).content.decode()
    assert "您还没有授权任何帮代办员" in page
    unknown = owner.post(url, {"agent_code": "13900000000", "all_items": "on"}).content.decode()
    assert "找不到该帮代办员" in unknown
    no_scope = owner.post(url, {"agent_code": "bdb-0002"}).content.decode()
    assert "请选择授权的范围" in no_scope
    response = owner.post(
        url,
        {
            "agent_code": "13907370002",
            "packages": [setup.package.package.code],
            "valid_until": "2027-06-30",
        },
    )
    assert response.status_code == 302
    auth = AgentAuthorisation.objects.get()
    assert (auth.agent, auth.method) == (agent, AuthorisationMethod.ONLINE)
    assert auth.valid_until.date().isoformat() in ("2027-06-30", "2027-06-29")
    listed = owner.get(url).content.decode()
    assert "刘帮办" in listed and "网上授权" in listed and "有效" in listed
    assert "撤销授权</button>" in listed

    owner.post(reverse("portal:agent_revoke", args=[auth.pk]))
    auth.refresh_from_db()
    assert auth.revoked_at is not None and auth.revoked_by == setup.applicant.user
    after = owner.get(url).content.decode()
    assert "已撤销" in after and "撤销授权</button>" not in after


def test_someone_elses_authorisation_cannot_be_revoked(setup, agent, client):
    auth = services.authorisation_grant_online(
        applicant=setup.applicant, agent_code="bdb-0002", all_items=True
    )
    from tests.factories.accounts import ApplicantFactory

    client.force_login(ApplicantFactory(user=UserFactory()).user)
    response = client.post(reverse("portal:agent_revoke", args=[auth.pk]))
    assert response.status_code == 404
    auth.refresh_from_db()
    assert auth.revoked_at is None


def test_the_case_page_shows_every_agent_action_as_done_for_the_applicant(setup, agent, owner):
    case = services.case_intake(
        staff=agent,
        applicant=setup.applicant,
        channel=Channel.VILLAGE_CENTRE,
        package_version=setup.package,
        answers=setup.answers(),
        form_data=setup.form(),
        materials=setup.full_materials(),
        agent_in_person=True,
    )
    services.case_withdraw(case_id=case.pk, by=agent, reason="申请人口头委托撤回")
    page = owner.get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert "本件由帮代办员 刘帮办 代为办理（授权方式：当面确认）" in page
    assert "帮代办员 刘帮办 代为提交申请" in page
    assert "帮代办员 刘帮办 代为撤回申请" in page
    assert "申请人口头委托撤回" in page
    agents_page = owner.get(reverse("portal:my_agents")).content.decode()
    assert case.number in agents_page and "当面确认" in agents_page
