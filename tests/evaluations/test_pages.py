"""The pages: public token page, applicant's page, window evaluator JSON, clerk entry, the
department's 差评 desk, and who may open which."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.cases import services as case_services
from onestop.evaluations import services
from onestop.evaluations.models import Rating
from onestop.evaluations.states import RatingChannel, RatingLevel, RectificationState
from onestop.notifications.models import Message, MessageKind
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_token_page_shows_no_personal_data_and_works_once(client, setup):
    case = setup.case_in("delivered")
    token = services.rating_token_issue(case_id=case.pk)
    url = reverse("evaluations:token", args=[token.token])
    page = client.get(url).content.decode()
    assert "我要开办企业" in page
    for secret in (setup.applicant.name, setup.applicant.id_number, case.number):
        assert secret not in page
    refused = client.post(url, {"level": "5"})
    assert refused.status_code == 422
    assert "差评须至少选择一项评价内容" in refused.content.decode()
    done = client.post(url, {"level": "5", "indicators": ["203"], "text": "太慢"})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    assert Rating.objects.get(case=case).channel == RatingChannel.QR
    again = client.post(url, {"level": "1"})
    assert "已使用" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1
    assert client.get(reverse("evaluations:token", args=["unknown"])).status_code == 404


def test_the_public_page_limit_is_a_message_not_an_error(client, setup, settings):
    settings.ONESTOP_RATING_PUBLIC_PER_HOUR = 1
    a, b = setup.case_in("delivered"), setup.case_in("delivered")
    ta, tb = (services.rating_token_issue(case_id=c.pk) for c in (a, b))
    client.post(reverse("evaluations:token", args=[ta.token]), {"level": "1"})
    response = client.post(reverse("evaluations:token", args=[tb.token]), {"level": "1"})
    assert response.status_code == 422 and "一小时内最多" in response.content.decode()


def test_the_applicant_rates_from_their_case_and_sees_it(client, setup):
    case = setup.case_in("delivered")
    client.force_login(setup.applicant.user)
    url = reverse("evaluations:case_rate", args=[case.number])
    assert client.get(url).status_code == 200
    response = client.post(url, {"level": "2", "text": "很好"})
    assert response.status_code == 302
    mine = client.get(reverse("evaluations:mine")).content.decode()
    assert "满意" in mine and "很好" in mine
    other = setup.case_in("delivered")
    client.force_login(StaffFactory().user)
    assert client.get(reverse("evaluations:case_rate", args=[other.number])).status_code == 404


def test_the_window_evaluator_json_lights_up_and_takes_a_tap(client, setup):
    pairing = services.evaluator_pair(window_id=setup.extra["window"].pk, clerk=setup.clerk)
    state_url = reverse("evaluations:window_state", args=[pairing.token])
    assert client.get(state_url).json()["lit"] is False
    case = setup.case_in("completed")
    case_services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    services.evaluator_light(case_id=case.pk, clerk_id=setup.clerk.pk)
    state = client.get(state_url).json()
    assert state["lit"] is True and state["case"]["title"] == case.title
    assert setup.applicant.name not in str(state)
    rate_url = reverse("evaluations:window_rate", args=[pairing.token])
    refused = client.post(rate_url, {"level": "4"})
    assert refused.status_code == 422 and refused.json()["field"] == "indicators"
    ok = client.post(rate_url, {"level": "4", "indicators": ["201"]})
    assert ok.status_code == 200 and ok.json()["ok"]
    assert client.get(state_url).json()["lit"] is False
    assert client.post(rate_url, {"level": "1"}).status_code == 409
    assert client.get(reverse("evaluations:window", args=["nope"])).status_code == 404


def test_a_clerk_records_a_phone_rating_and_others_may_not(client, setup):
    case = setup.case_in("delivered")
    url = reverse("evaluations:record")
    client.force_login(setup.officers["seal"].user)
    assert client.get(url).status_code == 403
    other = StaffFactory(region=setup.county)
    client.force_login(other.user)
    missing = client.post(url, {"case_number": "nope", "channel": "phone", "level": "1"})
    assert "未找到该办件" in missing.content.decode()
    response = client.post(
        url, {"case_number": case.number, "channel": "phone", "level": "2", "text": "来电表扬"}
    )
    assert response.status_code == 302
    assert Rating.objects.get(case=case).recorded_by == other


def test_the_department_handles_the_bad_rating_on_its_desk_and_the_applicant_rates_it(
    client, setup
):
    case = setup.case_in("delivered")
    rating = services.rating_submit(
        case_id=case.pk, user=setup.applicant.user, level=5, indicator_codes=["203"]
    )
    rect = rating.rectification
    officer = setup.officers["licence"]
    client.force_login(officer.user)
    desk = client.get(reverse("evaluations:rectifications")).content.decode()
    assert case.number in desk
    url = reverse("evaluations:rectification", args=[rect.pk])
    page = client.get(url).content.decode()
    assert setup.applicant.name in page  # the assigned officer sees who rated
    bad = client.post(url, {"step": "verify", "finding": "", "triage": "immediate"})
    assert bad.status_code == 200 and "error" in bad.content.decode()
    client.post(url, {"step": "verify", "finding": "属实", "triage": "immediate"})
    client.post(url, {"step": "feedback", "reform_content": "已当场纠正"})
    rect.refresh_from_db()
    assert rect.state == RectificationState.FED_BACK
    assert Message.objects.filter(kind=MessageKind.RECTIFICATION_FEEDBACK).exists()
    client.force_login(setup.officers["seal"].user)
    assert client.get(url).status_code == 404
    client.force_login(setup.applicant.user)
    mine = client.get(reverse("evaluations:mine")).content.decode()
    assert "已当场纠正" in mine
    client.post(reverse("evaluations:opinion", args=[rect.pk]), {"opinion": "satisfied"})
    rect.refresh_from_db()
    assert rect.state == RectificationState.RATED


def test_a_supervisor_sees_the_rater_masked_unless_reviewing(client, setup):
    case = setup.case_in("delivered")
    rating = services.rating_record(
        case_id=case.pk,
        clerk=StaffFactory(region=setup.county),
        level=RatingLevel.DISSATISFIED,
        channel=RatingChannel.PAPER,
        indicator_codes=["202"],
    )
    client.force_login(setup.chief.user)  # same department, not the assigned officer
    page = client.get(reverse("evaluations:rectification", args=[rating.rectification.pk]))
    text = page.content.decode()
    assert setup.applicant.name not in text and setup.applicant.id_number not in text
