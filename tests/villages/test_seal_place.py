"""The township's approval seal, delegated to a village centre by a document, seals the
results issued there — and only for the items, place and period of the grant."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.certificates import services
from onestop.certificates.models import Certificate, Seal
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.core.errors import PermissionDenied, ValidationFailed
from onestop.regions.models import HallKind
from tests.factories.regions import HallFactory, RegionFactory
from tests.factories.villages import UNEMPLOYMENT_CODE, village_setup


def test_a_village_case_completes_in_one_sitting_under_the_townships_seal(
    village, django_capture_on_commit_callbacks
):
    case = village.accepted()
    with django_capture_on_commit_callbacks(execute=True):
        task = village.approve(case)
    certificate = Certificate.objects.get(task=task)
    assert certificate.seal == village.seal
    assert certificate.issuer == village.back_office
    case.refresh_from_db()
    assert case.state == "completed"
    assert case.completed_at - case.accepted_at < dt.timedelta(minutes=30)


def _decided(village):
    case = village.accepted()
    return village.approve(case)


def test_no_grant_for_the_station_is_refused_naming_the_place(db):
    village = village_setup()
    village.grant.delete()
    task = _decided(village)
    with pytest.raises(PermissionDenied) as refused:
        services.results_issue(task_id=task.pk)
    assert "龙光桥村便民服务站" in refused.value.message
    assert "未授权" in refused.value.message
    assert not Certificate.objects.filter(task=task).exists()


def test_a_grant_for_another_item_does_not_cover_this_one(db):
    village = village_setup(sealed=False)
    seal = services.seal_create(department=village.back_office, kind=SealKind.APPROVAL)
    services.seal_authorise(seal_id=seal.pk, staff=village.officer)
    services.seal_place_authorise(
        seal_id=seal.pk,
        hall_id=village.station.pk,
        item_code="000299999000",
        document_number="龙政审授〔2026〕2号",
        valid_to=clock.today() + dt.timedelta(days=30),
    )
    assert Seal.objects.count() == 1
    task = _decided(village)
    with pytest.raises(PermissionDenied, match="未授权"):
        services.results_issue(task_id=task.pk)


def test_an_expired_grant_is_refused_with_its_period(village):
    village.grant.__class__.objects.filter(pk=village.grant.pk).update(
        valid_from=dt.date(2025, 1, 1), valid_to=clock.today() - dt.timedelta(days=1)
    )
    task = _decided(village)
    with pytest.raises(PermissionDenied) as refused:
        services.results_issue(task_id=task.pk)
    assert "龙政审授〔2026〕1号" in refused.value.message
    assert "不在授权期内" in refused.value.message


def test_a_revoked_grant_is_refused(village):
    services.seal_place_authorisation_revoke(authorisation_id=village.grant.pk)
    task = _decided(village)
    with pytest.raises(PermissionDenied, match="已撤回"):
        services.results_issue(task_id=task.pk)
    # The hook leaves it for the sweep, which names why.
    issued, failed = services.results_issue_missing()
    assert issued == [] and failed[0][0] == task.pk and "已撤回" in failed[0][1]


def test_a_grant_starting_tomorrow_does_not_cover_today(village):
    village.grant.__class__.objects.filter(pk=village.grant.pk).update(
        valid_from=clock.today() + dt.timedelta(days=1)
    )
    task = _decided(village)
    with pytest.raises(PermissionDenied, match="不在授权期内"):
        services.results_issue(task_id=task.pk)


def test_the_same_grant_twice_is_one_row(village):
    again = services.seal_place_authorise(
        seal_id=village.seal.pk,
        hall_id=village.station.pk,
        item_code=UNEMPLOYMENT_CODE,
        document_number="龙政审授〔2026〕1号",
        valid_from=village.grant.valid_from,
        valid_to=village.grant.valid_to,
    )
    assert again.pk == village.grant.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("hall_kind", "hall"),
        ("outside", "hall"),
        ("no_document", "document_number"),
        ("backwards", "valid_to"),
    ],
)
def test_a_grant_is_validated(village, change, field):
    hall = village.station
    if change == "hall_kind":
        hall = HallFactory(kind=HallKind.CONVENIENCE_CENTRE, region=village.township)
    elif change == "outside":
        elsewhere = RegionFactory(
            code="430903102201", name="别村", level="village", parent=village.township.parent
        )
        hall = HallFactory(kind=HallKind.VILLAGE_STATION, region=elsewhere)
    kwargs = {
        "seal_id": village.seal.pk,
        "hall_id": hall.pk,
        "document_number": "" if change == "no_document" else "龙政审授〔2026〕9号",
        "valid_from": clock.today(),
        "valid_to": clock.today() - dt.timedelta(days=1)
        if change == "backwards"
        else clock.today() + dt.timedelta(days=9),
    }
    with pytest.raises(ValidationFailed) as refused:
        services.seal_place_authorise(**kwargs)
    assert refused.value.field == field


def test_only_a_seal_manager_grants(village):
    with pytest.raises(PermissionDenied):
        services.seal_place_authorise(
            seal_id=village.seal.pk,
            hall_id=village.station.pk,
            document_number="x",
            valid_to=clock.today(),
            granted_by=village.clerk,
        )


def test_results_of_hall_cases_need_no_place_grant(village, django_capture_on_commit_callbacks):
    """A case not received at a village centre is sealed as before (staff grant only)."""
    village.grant.delete()
    village.clerk.hall = None
    case = village.accepted()
    with django_capture_on_commit_callbacks(execute=True):
        task = village.approve(case)
    assert Certificate.objects.filter(task=task).exists()
