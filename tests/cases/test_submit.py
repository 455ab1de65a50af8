"""Applying: validation of answers, form and materials; channels; idempotency; numbers; 补正."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.cases import services
from onestop.cases.models import Case
from onestop.cases.services import MaterialInput
from onestop.cases.states import CaseState, Channel, MaterialStatus
from onestop.core import clock
from onestop.core.errors import PermissionDenied, ValidationFailed
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.cases import PDF, PNG, big_pdf, png_input, upload
from tests.factories.catalog import ServiceItemVersionFactory
from tests.factories.regions import CountyFactory


def test_window_intake_is_submitted_and_online_goes_to_pre_review(setup):
    assert setup.submit(channel=Channel.HALL_WINDOW).state == CaseState.SUBMITTED
    assert setup.submit(channel=Channel.VILLAGE_CENTRE).state == CaseState.SUBMITTED
    for channel in (Channel.ONLINE, Channel.MOBILE, Channel.KIOSK):
        assert setup.submit(channel=channel).state == CaseState.PRE_REVIEW


def test_case_numbers_are_per_region_and_day(setup):
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=clock.SHANGHAI)):
        first, second = setup.submit(), setup.submit()
    with clock.frozen(dt.datetime(2026, 3, 3, 9, tzinfo=clock.SHANGHAI)):
        third = setup.submit()
    assert first.number == "430903000000-20260302-00001"
    assert second.number == "430903000000-20260302-00002"
    assert third.number == "430903000000-20260303-00001"


def test_a_retried_submission_returns_the_same_case(setup):
    first = setup.submit(idempotency_key="abc-123")
    again = setup.submit(idempotency_key="abc-123")
    assert again.pk == first.pk
    assert Case.objects.count() == 1
    assert first.events.count() == 1
    other = setup.submit(idempotency_key="abc-124")
    assert other.pk != first.pk


def test_the_same_key_from_another_user_is_another_case(setup):
    first = setup.submit(idempotency_key="k")
    stranger = ApplicantFactory(user=StaffFactory().user)
    second = setup.submit(idempotency_key="k", applicant=stranger, created_by=stranger.user)
    assert first.pk != second.pk


def test_files_are_stored_with_size_type_and_sha256(setup):
    materials = [*setup.without("id_card"), png_input("id_card")]
    case = setup.submit(materials=materials)
    id_card = case.materials.get(key="id_card")
    assert id_card.status == MaterialStatus.SUBMITTED
    assert id_card.content_type == "image/png"
    assert id_card.file_size == len(PNG)
    assert id_card.sha256 == hashlib.sha256(PNG).hexdigest()
    assert id_card.file.name.startswith(f"cases/{case.number}/id_card-")
    with id_card.file.open("rb") as stored:
        assert stored.read() == PNG
    event = case.events.get()
    assert event.payload["materials"]["id_card"]["sha256"] == id_card.sha256


def _with(setup, material):
    return [*setup.without(material.key), material]


@pytest.mark.parametrize(
    ("material", "message"),
    [
        (MaterialInput(key="id_card", file=SimpleUploadedFile("a.exe", b"MZ\x90\x00")), "不被接受"),
        (MaterialInput(key="id_card", file=SimpleUploadedFile("a.pdf", PNG)), "内容与扩展名"),
        (MaterialInput(key="id_card", file=SimpleUploadedFile("a.pdf", b"")), "空的"),
        (MaterialInput(key="id_card"), "一种"),
        (
            MaterialInput(
                key="id_card", file=SimpleUploadedFile("a.pdf", PDF), licence_reference="x"
            ),
            "一种",
        ),
        (MaterialInput(key="unheard_of", file=SimpleUploadedFile("a.pdf", PDF)), "不在本次申请"),
    ],
)
def test_bad_materials_are_refused_naming_the_material(setup, material, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        setup.submit(materials=_with(setup, material))
    assert info.value.field == f"materials.{material.key}"
    assert not Case.objects.exists()


def test_the_upload_size_limit_is_a_setting(setup, settings):
    settings.ONESTOP_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed, match="超过上限"):
        setup.submit(materials=_with(setup, upload("id_card", body=big_pdf(2048))))
    setup.submit(materials=_with(setup, upload("id_card", body=big_pdf(1000))))


def test_ofd_files_are_accepted(setup):
    ofd = MaterialInput(key="id_card", file=SimpleUploadedFile("id.ofd", b"PK\x03\x04rest"))
    case = setup.submit(materials=_with(setup, ofd))
    assert case.materials.get(key="id_card").content_type == "application/ofd"


def test_duplicate_material_keys_are_refused(setup):
    with pytest.raises(ValidationFailed, match="重复"):
        setup.submit(materials=[*setup.full_materials(), upload("id_card")])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"company_name": None}, "company_name", "必填"),
        ({"company_name": "名" * 51}, "company_name", "最多 50 个字"),
        ({"legal_person_id": "430903199001011230"}, "legal_person_id", "校验位"),
        ({"phone": "12345"}, "phone", "手机号码"),
        ({"capital": "12.345"}, "capital", "两位小数"),
        ({"capital": "abc"}, "capital", "数字"),
        ({"surprise": "x"}, "surprise", "不适用的字段"),
    ],
)
def test_form_errors_name_the_field(setup, overrides, field, message):
    with pytest.raises(ValidationFailed, match=message) as info:
        setup.submit(form_data=setup.form(**overrides))
    assert info.value.field == f"form_data.{field}"


def test_form_values_are_normalised(setup):
    case = setup.submit(
        form_data=setup.form(phone="0737-4221234", capital="50.5", company_name=" 好味道 ")
    )
    assert case.form_data["phone"] == "0737-4221234"
    assert case.form_data["capital"] == "50.5"
    assert case.form_data["company_name"] == "好味道"


def test_answers_are_checked_by_the_catalogue(setup):
    with pytest.raises(ValidationFailed):
        services.case_submit(
            applicant=setup.applicant,
            package_version=setup.package,
            answers={},
            form_data=setup.form(),
            materials=setup.full_materials(),
            channel=Channel.ONLINE,
            accepting_region=setup.county,
            created_by=setup.applicant.user,
        )


def test_a_single_item_case(setup):
    version = setup.versions["invoice"]
    case = services.case_submit(
        applicant=setup.applicant,
        item_version=version,
        materials=[upload("id_card")],
        channel=Channel.ONLINE,
        accepting_region=setup.county,
        created_by=setup.applicant.user,
    )
    assert (case.title, case.promised_days, case.package_version) == ("发票申领", 2, None)
    services.case_pre_review_pass(case_id=case.pk, clerk=setup.clerk)
    case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    task = case.tasks.get()
    assert task.item_version == version and task.state == "ready"


def test_an_unpublished_version_cannot_be_applied_for(setup):
    draft = ServiceItemVersionFactory()
    with pytest.raises(ValidationFailed, match="未发布"):
        services.case_submit(
            applicant=setup.applicant,
            item_version=draft,
            channel=Channel.ONLINE,
            accepting_region=setup.county,
        )
    with pytest.raises(ValidationFailed, match="二者选一"):
        services.case_submit(
            applicant=setup.applicant,
            item_version=draft,
            package_version=setup.package,
            channel=Channel.ONLINE,
            accepting_region=setup.county,
        )


def test_intake_by_an_agent_records_the_authorisation(setup):
    agent = StaffFactory(agent=True, region=setup.county)
    common = {
        "applicant": setup.applicant,
        "package_version": setup.package,
        "answers": setup.answers(),
        "form_data": setup.form(),
        "materials": setup.full_materials(),
        "channel": Channel.VILLAGE_CENTRE,
    }
    with pytest.raises(ValidationFailed, match="代办授权"):
        services.case_intake(staff=agent, **common)
    case = services.case_intake(staff=agent, agent_authorisation="委托书 2026-018", **common)
    assert (case.agent, case.state, case.created_by) == (agent, CaseState.SUBMITTED, agent.user)
    assert case.events.get().actor_role == "agent"
    officer = setup.officers["licence"]
    with pytest.raises(PermissionDenied):
        services.case_intake(staff=officer, **common)


def test_intake_outside_the_clerks_region_is_refused(setup):
    elsewhere = CountyFactory()
    with pytest.raises(PermissionDenied):
        services.case_intake(
            staff=setup.clerk,
            accepting_region=elsewhere,
            applicant=setup.applicant,
            package_version=setup.package,
            answers=setup.answers(),
            form_data=setup.form(),
            materials=setup.full_materials(),
        )


# ------------------------------------------------------------------------------ 补正


def test_correction_lists_everything_at_once_and_supplement_returns_to_the_window(setup):
    case = setup.submit(channel=Channel.ONLINE, materials=setup.without("lease"))
    case = services.case_request_correction(
        case_id=case.pk, clerk=setup.clerk, missing=["lease", "id_card"], note="身份证复印件不清晰"
    )
    assert case.state == CaseState.CORRECTION_REQUESTED
    assert [m["name"] for m in case.correction_notice["materials"]] == ["租赁合同", "居民身份证"]
    assert case.correction_notice["note"] == "身份证复印件不清晰"
    assert case.materials.get(key="id_card").status == MaterialStatus.MISSING
    assert case.due_at is None  # the clock has not started

    with pytest.raises(ValidationFailed, match="居民身份证"):
        services.case_supplement(case_id=case.pk, by=setup.applicant, materials=[upload("lease")])
    case = services.case_supplement(
        case_id=case.pk, by=setup.applicant, materials=[upload("lease"), upload("id_card")]
    )
    assert case.state == CaseState.SUBMITTED
    case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert case.state == CaseState.IN_PROGRESS


def test_correction_needs_content_and_known_materials(setup):
    case = setup.submit()
    with pytest.raises(ValidationFailed):
        services.case_request_correction(case_id=case.pk, clerk=setup.clerk)
    with pytest.raises(ValidationFailed, match="nonsense"):
        services.case_request_correction(case_id=case.pk, clerk=setup.clerk, missing=["nonsense"])


def test_rejection_needs_a_reason(setup):
    case = setup.submit()
    with pytest.raises(ValidationFailed, match="理由"):
        services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="  ")
    case = services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="经营范围属于禁止类")
    assert case.rejection_reason == "经营范围属于禁止类"
    assert case.events.last().reason == "经营范围属于禁止类"


def test_window_actions_need_the_role_and_the_region(setup):
    case = setup.submit()
    elsewhere = StaffFactory(region=CountyFactory())
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.case_accept(case_id=case.pk, clerk=elsewhere)
    with pytest.raises(PermissionDenied, match="权限"):
        services.case_accept(case_id=case.pk, clerk=setup.officers["licence"])
    city_clerk = StaffFactory(region=setup.city)
    assert services.case_accept(case_id=case.pk, clerk=city_clerk).state == CaseState.IN_PROGRESS


def test_someone_else_cannot_withdraw_my_case(setup):
    case = setup.submit()
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case_id=case.pk, by=ApplicantFactory())


def test_number_format(setup):
    assert re.fullmatch(r"430903000000-\d{8}-\d{5}", setup.submit().number)


def test_nobody_applies_in_another_applicants_name(setup):
    other_applicant = ApplicantFactory(user=UserFactory())
    supervisor = StaffFactory(supervisor=True, region=setup.county)
    for intruder in (other_applicant.user, supervisor.user):
        with pytest.raises(PermissionDenied, match="只能以本人名义申请"):
            setup.submit(created_by=intruder)
    assert Case.objects.count() == 0


def test_an_agent_in_the_region_may_apply_for_the_applicant(setup):
    agent = StaffFactory(agent=True, region=setup.county)
    assert setup.submit(created_by=agent.user).applicant == setup.applicant


def test_staff_outside_the_accepting_region_may_not_enter_a_case(setup):
    far_clerk = StaffFactory(region=CountyFactory(code="430981", name="沅江市"))
    with pytest.raises(PermissionDenied):
        setup.submit(created_by=far_clerk.user)
    assert Case.objects.count() == 0


def test_every_event_of_one_transition_carries_the_same_moment(setup):
    """The timeline never runs backwards inside a transition (a verification opened after
    an approval, tasks made ready after it: all at the approval's moment)."""
    case = setup.accepted()
    for key in ("licence", "seal", "invoice"):
        setup.decide(case, key)
    events = list(case.events.order_by("seq"))
    approval = next(e for e in events if e.kind == "task_approved")
    same = [e for e in events if e.at == approval.at]
    assert {e.kind for e in same} >= {"task_approved", "verification_opened", "task_ready"}
    assert [e.at for e in events] == sorted(e.at for e in events)
