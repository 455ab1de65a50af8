"""The demo: seals for the demo departments, and every completed demo case has its results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from onestop.cases.models import Case, ItemTask
from onestop.cases.states import CaseState, TaskState
from onestop.certificates.models import Certificate, Seal
from onestop.certificates.selectors import certificate_verify_pdf, certificates_for_case
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.demo.loader import DemoSummary, demo_load
from onestop.regions.models import Department

LOADED_AT = dt.datetime(2026, 6, 17, 15, 30, tzinfo=clock.SHANGHAI)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media"), tmp_path_factory.mktemp("demo-keys")


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, dirs) -> DemoSummary:
    media, key_dir = dirs
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=FAST_HASHERS,
                MEDIA_ROOT=media,
                ONESTOP_CERTIFICATES_KEY_DIR=str(key_dir),
            ):
                with clock.frozen(LOADED_AT):
                    summary = demo_load()
                yield summary
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _files(settings, dirs):
    media, key_dir = dirs
    settings.MEDIA_ROOT = media
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(key_dir)
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def demo(demo_module, db) -> DemoSummary:
    return demo_module


def test_every_demo_department_has_an_approval_seal(demo):
    with_seal = set(
        Seal.objects.filter(kind=SealKind.APPROVAL).values_list("department_id", flat=True)
    )
    assert with_seal == set(Department.objects.values_list("pk", flat=True))


def test_every_completed_demo_case_has_a_result_for_each_decided_task(demo):
    done = Case.objects.filter(state__in=[CaseState.COMPLETED, CaseState.DELIVERED])
    assert done.exists()
    for case in done:
        decided = ItemTask.objects.filter(
            case=case, state__in=[TaskState.APPROVED, TaskState.DENIED]
        ).count()
        assert decided
        assert len(certificates_for_case(case.pk)) == decided, case.number
    assert Certificate.objects.filter(title="营业执照").exists()


def test_a_demo_certificate_verifies_as_genuine(demo):
    certificate = Certificate.objects.filter(title="营业执照").first()
    with certificate.pdf.open("rb") as f:
        verdict = certificate_verify_pdf(f.read())
    assert verdict.genuine, verdict.message


def test_a_second_load_issues_nothing_new(demo):
    before = Certificate.objects.count(), Seal.objects.count()
    with clock.frozen(LOADED_AT + dt.timedelta(hours=1)):
        again = demo_load()
    assert again.created["certificates"] == 0
    assert again.created["seals"] == 0
    assert (Certificate.objects.count(), Seal.objects.count()) == before


def test_the_demo_enterprise_reuses_its_business_licence_from_the_wallet(demo, client):
    from onestop.accounts.models import Applicant
    from onestop.cases.states import MaterialStatus
    from onestop.catalog.models import MaterialSource
    from onestop.certificates.wallet import licence_check, wallet_of
    from onestop.demo.certificates import WALLET_CASE_KEY
    from onestop.demo.data import catalog as catalog_data

    enterprise = Applicant.objects.get(user__username="enterprise")
    held = [w for w in wallet_of(enterprise) if w.is_current and w.material_keys]
    assert held and held[0].title == "营业执照"
    case = Case.objects.get(idempotency_key=WALLET_CASE_KEY)
    material = case.materials.get(key="business_licence")
    assert material.status == MaterialStatus.LICENCE_REFERENCE
    assert material.source == MaterialSource.LICENCE
    assert material.licence_reference == held[0].identifier
    assert licence_check(material.licence_reference, holder_id=enterprise.pk).ok

    client.force_login(enterprise.user)
    page = client.get(f"/items/{catalog_data.FOOD_LICENCE}/apply/").content.decode()
    assert "将使用您的电子证照：营业执照" in page
    assert held[0].identifier in client.get("/my/licences/").content.decode()
