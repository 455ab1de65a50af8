"""Every rule of rating_submit: occasion, follow-up, late, default, 差评 content, handlers,
tokens, the public page's limit, the window evaluator."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import services as case_services
from onestop.core import clock
from onestop.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onestop.evaluations import services
from onestop.evaluations.models import Rating, Rectification
from onestop.evaluations.services import TooManyRatings
from onestop.evaluations.states import RatingChannel, RatingKind, RatingLevel
from onestop.workdays import calendar as workdays
from tests.factories.accounts import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db

BAD = RatingLevel.VERY_DISSATISFIED


def _portal(setup, case, level=RatingLevel.VERY_SATISFIED, **kw):
    return services.rating_submit(case_id=case.pk, user=setup.applicant.user, level=level, **kw)


def test_the_first_rating_rates_the_case_its_items_department_hall_and_clerk(setup):
    case = setup.case_in("delivered")
    rating = _portal(setup, case, text="窗口人员很耐心")
    assert rating.kind == RatingKind.FIRST
    assert rating.channel == RatingChannel.PC
    assert rating.department == setup.departments["licence"]
    assert rating.staff == setup.clerk
    assert rating.region_code == "430903"
    items = {i.item_name: i for i in rating.items.all()}
    assert set(items) == {"企业设立登记", "公章刻制备案", "发票申领"}
    assert items["公章刻制备案"].officer == setup.officers["seal"]
    assert not rating.is_bad and not Rectification.objects.exists()


def test_a_case_not_yet_accepted_cannot_be_rated(setup):
    case = setup.case_in("submitted")
    with pytest.raises(Conflict):
        _portal(setup, case)


def test_only_the_cases_own_applicant_may_rate_it_from_the_portal(setup):
    case = setup.case_in("completed")
    other = ApplicantFactory(user=StaffFactory().user)
    with pytest.raises(NotFound):
        services.rating_submit(case_id=case.pk, user=other.user, level=1)


def test_one_follow_up_after_the_first_and_nothing_after_it(setup):
    case = setup.case_in("delivered")
    _portal(setup, case, level=RatingLevel.BASIC)
    second = _portal(setup, case, level=RatingLevel.SATISFIED)
    assert second.kind == RatingKind.FOLLOW_UP
    with pytest.raises(Conflict, match="两次"):
        _portal(setup, case)
    assert Rating.objects.filter(case=case).count() == 2


def test_the_follow_up_is_refused_once_its_period_has_passed(setup, settings):
    settings.ONESTOP_RATING_FOLLOW_UP_WORKDAYS = 3
    case = setup.case_in("delivered")
    first = _portal(setup, case)
    end = workdays.deadline(first.rated_at, 3).at
    with clock.frozen(end - dt.timedelta(minutes=1)):
        assert _portal(setup, case).kind == RatingKind.FOLLOW_UP
    case2 = setup.case_in("delivered")
    first2 = _portal(setup, case2)
    with (
        clock.frozen(workdays.deadline(first2.rated_at, 3).at + dt.timedelta(seconds=1)),
        pytest.raises(Conflict, match="二次评价"),
    ):
        _portal(setup, case2)


def test_a_rating_after_the_completion_day_is_late_and_refused_after_the_late_period(
    setup, settings
):
    settings.ONESTOP_RATING_LATE_WORKDAYS = 5
    case = setup.case_in("completed")
    completed = case.completed_at
    with clock.frozen(workdays.deadline(completed, 1).at):
        assert _portal(setup, case).kind == RatingKind.LATE
    case2 = setup.case_in("completed")
    with (
        clock.frozen(workdays.deadline(case2.completed_at, 5).at + dt.timedelta(seconds=1)),
        pytest.raises(Conflict, match="评价期已过"),
    ):
        _portal(setup, case2)


def test_a_bad_rating_must_name_an_indicator_of_the_cases_kind_of_service(setup):
    case = setup.case_in("delivered")
    with pytest.raises(ValidationFailed) as err:
        _portal(setup, case, level=BAD)
    assert err.value.field == "indicators"
    with pytest.raises(ValidationFailed, match="101"):  # online indicator, on-site case
        _portal(setup, case, level=BAD, indicator_codes=["101"])
    rating = _portal(setup, case, level=BAD, indicator_codes=["203"], text="态度差")
    assert rating.is_bad
    assert [i.name for i in rating.indicators.all()] == ["服务态度"]


def test_a_bad_rating_opens_a_rectification_for_the_departments_designated_officer(setup):
    case = setup.case_in("delivered")
    rating = _portal(setup, case, level=RatingLevel.DISSATISFIED, indicator_codes=["201"])
    rect = rating.rectification
    assert rect.department == setup.departments["licence"]
    assert rect.officer == setup.officers["licence"]
    assert rect.due_at == workdays.deadline(rating.rated_at, 5).at


def test_staff_cannot_rate_a_case_they_handled(setup):
    officer = setup.officers["seal"]
    own = ApplicantFactory(user=officer.user)
    case = setup.completed(applicant=own, created_by=officer.user)
    with pytest.raises(PermissionDenied):
        services.rating_submit(case_id=case.pk, user=officer.user, level=1)
    token = services.rating_token_issue(case_id=case.pk)
    with pytest.raises(PermissionDenied):
        services.rating_submit_by_token(token=token.token, level=1, user=officer.user)


def test_a_clerk_records_phone_and_paper_ratings_but_not_of_cases_they_handled(setup):
    case = setup.case_in("delivered")
    with pytest.raises(PermissionDenied):
        services.rating_record(
            case_id=case.pk, clerk=setup.clerk, level=1, channel=RatingChannel.PHONE
        )
    other = StaffFactory(region=setup.county)
    rating = services.rating_record(
        case_id=case.pk,
        clerk=other,
        level=RatingLevel.DISSATISFIED,
        channel=RatingChannel.PHONE,
        indicator_codes=["201"],
        text="来电称等候时间太长",
    )
    assert rating.recorded_by == other and rating.channel == RatingChannel.PHONE
    with pytest.raises(PermissionDenied):
        services.rating_record(
            case_id=case.pk, clerk=setup.officers["seal"], level=1, channel=RatingChannel.PAPER
        )
    with pytest.raises(ValidationFailed):
        services.rating_record(case_id=case.pk, clerk=other, level=1, channel=RatingChannel.QR)


def test_a_token_works_once(setup):
    case = setup.case_in("delivered")
    token = services.rating_token_issue(case_id=case.pk)
    assert len(token.token) >= 40
    rating = services.rating_submit_by_token(token=token.token, level=2)
    assert rating.channel == RatingChannel.QR and rating.applicant == setup.applicant
    with pytest.raises(Conflict, match="已使用"):
        services.rating_submit_by_token(token=token.token, level=2)
    with pytest.raises(NotFound):
        services.rating_submit_by_token(token="nope", level=2)


def test_a_token_expires(setup, settings):
    settings.ONESTOP_RATING_TOKEN_DAYS = 7
    case = setup.case_in("delivered")
    token = services.rating_token_issue(case_id=case.pk, channel=RatingChannel.SMS)
    with (
        clock.frozen(token.expires_at + dt.timedelta(seconds=1)),
        pytest.raises(Conflict, match="过期"),
    ):
        services.rating_submit_by_token(token=token.token, level=1)
    assert not Rating.objects.exists()


def test_a_failed_token_rating_leaves_the_token_usable(setup):
    case = setup.case_in("delivered")
    token = services.rating_token_issue(case_id=case.pk)
    with pytest.raises(ValidationFailed):
        services.rating_submit_by_token(token=token.token, level=BAD)
    token.refresh_from_db()
    assert token.used_at is None
    assert services.rating_submit_by_token(
        token=token.token, level=BAD, indicator_codes=["202"]
    ).is_bad


def test_one_address_or_device_rates_at_most_n_cases_an_hour_on_the_public_page(setup, settings):
    settings.ONESTOP_RATING_PUBLIC_PER_HOUR = 2
    cases = [setup.case_in("delivered") for _ in range(3)]
    tokens = [services.rating_token_issue(case_id=c.pk) for c in cases]
    for token in tokens[:2]:
        services.rating_submit_by_token(
            token=token.token, level=1, client_ip="10.0.0.9", device_id="x"
        )
    with pytest.raises(TooManyRatings) as err:
        services.rating_submit_by_token(token=tokens[2].token, level=1, client_ip="10.0.0.9")
    assert err.value.status == 429
    with pytest.raises(TooManyRatings):  # same device, another address
        services.rating_submit_by_token(
            token=tokens[2].token, level=1, client_ip="10.0.0.10", device_id="x"
        )
    later = clock.now() + dt.timedelta(hours=1, seconds=1)
    with clock.frozen(later):
        services.rating_submit_by_token(token=tokens[2].token, level=1, client_ip="10.0.0.9")
    stored = Rating.objects.first()
    assert "10.0.0.9" not in stored.client_hash  # only a hash is kept


def test_the_system_default_rating_is_off_unless_configured(setup, settings):
    settings.ONESTOP_RATING_LATE_WORKDAYS = 2
    case = setup.case_in("completed")
    later = workdays.deadline(case.completed_at, 2).at + dt.timedelta(seconds=1)
    with clock.frozen(later):
        assert services.ratings_default_sweep() == 0
        settings.ONESTOP_RATING_DEFAULT_ENABLED = True
        assert services.ratings_default_sweep() == 1
        assert services.ratings_default_sweep() == 0
    rating = Rating.objects.get(case=case)
    assert rating.kind == RatingKind.DEFAULT
    assert rating.channel == RatingChannel.SYSTEM_DEFAULT
    assert rating.level == 2


def test_the_default_sweep_waits_for_the_late_period(setup, settings):
    settings.ONESTOP_RATING_DEFAULT_ENABLED = True
    settings.ONESTOP_RATING_LATE_WORKDAYS = 2
    case = setup.case_in("completed")
    with clock.frozen(workdays.deadline(case.completed_at, 2).at):
        assert services.ratings_default_sweep() == 0


def test_the_window_evaluator_lights_up_for_the_case_handed_out_and_takes_one_tap(
    setup, django_capture_on_commit_callbacks
):
    window = setup.extra["window"]
    pairing = services.evaluator_pair(window_id=window.pk, clerk=setup.clerk)
    case = setup.case_in("completed")
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    pairing.refresh_from_db()
    assert pairing.current_case_id == case.pk
    rating = services.rating_submit_at_window(
        pairing_token=pairing.token, case_id=case.pk, level=RatingLevel.VERY_SATISFIED
    )
    assert rating.channel == RatingChannel.WINDOW_TABLET
    assert rating.window == window and rating.hall == setup.extra["hall"]
    pairing.refresh_from_db()
    assert pairing.current_case_id is None
    with pytest.raises(Conflict):
        services.rating_submit_at_window(
            pairing_token=pairing.token, case_id=case.pk, level=RatingLevel.VERY_SATISFIED
        )


def test_pairing_again_retires_the_old_tablet(setup):
    window = setup.extra["window"]
    old = services.evaluator_pair(window_id=window.pk, clerk=setup.clerk)
    services.evaluator_pair(window_id=window.pk, clerk=setup.clerk)
    old.refresh_from_db()
    assert not old.is_active
    with pytest.raises(PermissionDenied):
        services.evaluator_pair(window_id=window.pk, clerk=setup.officers["seal"])


def test_the_sweep_lights_the_evaluator_when_the_handler_did_not_run(setup):
    pairing = services.evaluator_pair(window_id=setup.extra["window"].pk, clerk=setup.clerk)
    case = setup.case_in("completed")
    case_services.case_hand_out(case_id=case.pk, clerk=setup.clerk)  # no on_commit here
    pairing.refresh_from_db()
    assert pairing.current_case_id is None
    assert services.evaluators_catch_up() == 1
    pairing.refresh_from_db()
    assert pairing.current_case_id == case.pk
    services.rating_submit_at_window(pairing_token=pairing.token, case_id=case.pk, level=1)
    assert services.evaluators_catch_up() == 0  # rated: not lit again
