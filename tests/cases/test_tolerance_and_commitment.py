"""容缺受理 and 告知承诺."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import selectors, services
from onestop.cases.models import VerificationTask
from onestop.cases.services import MaterialInput
from onestop.cases.states import CaseState, MaterialStatus, TaskState, VerificationState
from onestop.core import clock
from onestop.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from tests.factories.cases import upload

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)  # case due (5 workdays): Mon 11-09


def test_tolerated_acceptance_sets_the_supplement_deadline(setup):
    with clock.frozen(MONDAY):
        case = setup.submit(materials=setup.without("lease"))
        case = services.case_accept(
            case_id=case.pk, clerk=setup.clerk, tolerated={"lease": dt.date(2026, 11, 9)}
        )
    lease = case.materials.get(key="lease")
    assert lease.status == MaterialStatus.TOLERATED_MISSING
    assert lease.supplement_due_on == dt.date(2026, 11, 9)
    assert case.state == CaseState.IN_PROGRESS


def test_the_supplement_deadline_may_not_pass_the_promised_limit(setup):
    with clock.frozen(MONDAY):
        case = setup.submit(materials=setup.without("lease"))
        with pytest.raises(ValidationFailed, match="超过了承诺办结期限 2026-11-09"):
            services.case_accept(
                case_id=case.pk, clerk=setup.clerk, tolerated={"lease": dt.date(2026, 11, 10)}
            )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert not case.tasks.exists()


def test_no_tolerance_while_a_required_material_is_missing(setup):
    with clock.frozen(MONDAY):
        case = setup.submit(materials=setup.without("lease", "id_card"))
        with pytest.raises(ValidationFailed, match="居民身份证") as info:
            services.case_accept(
                case_id=case.pk, clerk=setup.clerk, tolerated={"lease": dt.date(2026, 11, 6)}
            )
    assert info.value.details["missing"] == ["id_card"]


def test_only_tolerable_materials_may_be_tolerated(setup):
    case = setup.submit(materials=setup.without("id_card"))
    with pytest.raises(ValidationFailed, match="不是可容缺后补的材料"):
        services.case_accept(
            case_id=case.pk, clerk=setup.clerk, tolerated={"id_card": clock.today()}
        )


def test_a_missing_tolerable_material_without_tolerance_blocks_acceptance(setup):
    case = setup.submit(materials=setup.without("lease"))
    with pytest.raises(ValidationFailed, match="租赁合同"):
        services.case_accept(case_id=case.pk, clerk=setup.clerk)


def test_a_missing_commitment_material_blocks_acceptance(setup):
    case = setup.submit(materials=setup.without("residence_proof"))
    with pytest.raises(ValidationFailed, match="住所"):
        services.case_accept(case_id=case.pk, clerk=setup.clerk)


def test_results_wait_for_the_tolerated_material(setup):
    with clock.frozen(MONDAY):
        case = setup.tolerated()
        for key in ("licence", "seal", "invoice"):
            setup.decide(case, key)
        case.refresh_from_db()
        assert case.state == CaseState.COMPLETED
        with pytest.raises(Conflict, match="容缺材料尚未补齐"):
            services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
        services.case_supply_tolerated(
            case_id=case.pk, key="lease", material=upload("lease"), by=setup.applicant
        )
        lease = case.materials.get(key="lease")
        assert lease.status == MaterialStatus.SUBMITTED and lease.supplied_at == MONDAY
        case = services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    assert case.state == CaseState.DELIVERED


def test_supplying_a_tolerated_material_does_not_move_the_clock(setup):
    with clock.frozen(MONDAY):
        case = setup.tolerated()
    due = case.due_at
    with clock.frozen(MONDAY + dt.timedelta(days=2)):
        services.case_supply_tolerated(
            case_id=case.pk, key="lease", material=upload("lease"), by=setup.applicant
        )
        services.dues_refresh_locked(case_id=case.pk)
    case.refresh_from_db()
    assert case.due_at == due


def test_the_sweep_terminates_cases_past_their_supplement_date(setup):
    with clock.frozen(MONDAY):
        late = setup.tolerated()
        supplied = setup.tolerated()
        services.case_supply_tolerated(
            case_id=supplied.pk, key="lease", material=upload("lease"), by=setup.applicant
        )
        assert services.case_terminate_overdue_tolerated(today=dt.date(2026, 11, 9)) == []
    terminated = services.case_terminate_overdue_tolerated(today=dt.date(2026, 11, 10))
    assert terminated == [late.number]
    late.refresh_from_db()
    assert late.state == CaseState.TERMINATED
    assert set(late.tasks.values_list("state", flat=True)) == {TaskState.CANCELLED}
    event = late.events.get(kind="terminated")
    assert "租赁合同" in event.reason and event.actor_id is None
    supplied.refresh_from_db()
    assert supplied.state == CaseState.IN_PROGRESS
    # a late supply is refused
    with clock.frozen(dt.datetime(2026, 11, 10, 9, tzinfo=SH)), pytest.raises(IllegalTransition):
        services.case_supply_tolerated(
            case_id=late.pk, key="lease", material=upload("lease"), by=setup.applicant
        )


def test_only_the_applicant_supplies_their_tolerated_material(setup):
    case = setup.tolerated()
    other = type(setup.applicant).objects.exclude(pk=setup.applicant.pk).first()
    from tests.factories.accounts import ApplicantFactory

    other = other or ApplicantFactory()
    with pytest.raises(PermissionDenied):
        services.case_supply_tolerated(
            case_id=case.pk, key="lease", material=upload("lease"), by=other
        )
    with pytest.raises(ValidationFailed):
        services.case_supply_tolerated(
            case_id=case.pk, key="id_card", material=upload("id_card"), by=setup.applicant
        )


# ---------------------------------------------------------------------- 告知承诺


def test_approving_an_item_with_a_commitment_opens_a_verification_task(setup):
    case = setup.accepted()
    setup.decide(case, "invoice")
    assert not VerificationTask.objects.exists()  # 发票 does not use the commitment
    setup.decide(case, "licence")
    verification = VerificationTask.objects.get()
    assert verification.department == setup.departments["licence"]
    assert verification.material_keys == ["residence_proof"]
    assert verification.state == VerificationState.OPEN
    officer = setup.officers["licence"]
    assert list(selectors.verification_list_for(officer)) == [verification]

    with pytest.raises(PermissionDenied):
        services.verification_record(
            verification_id=verification.pk, officer=setup.officers["seal"], is_true=True
        )
    with pytest.raises(ValidationFailed):
        services.verification_record(
            verification_id=verification.pk, officer=officer, is_true=False
        )
    services.verification_record(
        verification_id=verification.pk, officer=officer, is_true=False, note="现场核查为住宅"
    )
    verification.refresh_from_db()
    assert verification.state == VerificationState.FALSE_COMMITMENT
    assert case.events.filter(kind="verification_false").exists()
    with pytest.raises(Conflict):
        services.verification_record(verification_id=verification.pk, officer=officer, is_true=True)


def test_a_proof_instead_of_the_commitment_needs_no_verification(setup):
    materials = [*setup.without("residence_proof"), upload("residence_proof")]
    case = setup.accepted(materials=materials)
    setup.decide(case, "licence")
    assert not VerificationTask.objects.exists()


def test_a_commitment_is_stored_with_its_text_and_time(setup):
    moment = dt.datetime(2026, 11, 2, 9, tzinfo=SH)
    with clock.frozen(moment):
        case = setup.submit()
    material = case.materials.get(key="residence_proof")
    assert material.status == MaterialStatus.COMMITMENT_SIGNED
    assert material.commitment_signed_at == moment
    assert "住所真实" in material.commitment_text
    assert material.item_names == ["企业设立登记"]


def test_a_licence_reference_satisfies_a_material(setup):
    materials = [
        *setup.full_materials(),
        MaterialInput(key="business_licence", licence_reference="92430903MA4L000001"),
    ]
    case = setup.submit(materials=materials)
    material = case.materials.get(key="business_licence")
    assert material.status == MaterialStatus.LICENCE_REFERENCE
    assert material.licence_reference == "92430903MA4L000001"


def test_the_sweep_command(setup, capsys):
    from django.core.management import call_command

    with clock.frozen(MONDAY):
        case = setup.tolerated()
    with clock.frozen(dt.datetime(2026, 11, 10, 9, tzinfo=SH)):
        call_command("cases", "sweep")
    assert f"terminated {case.number}" in capsys.readouterr().out
    call_command("cases", "refresh-dues", "--provisional")
    assert "0 cases recomputed." in capsys.readouterr().out
