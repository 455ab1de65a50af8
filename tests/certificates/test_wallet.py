"""数据跑路: a licence from the wallet stands for a material of a later application.

The 开办企业 set-up issues a 营业执照 (its template says it stands for the material
``business_licence_copy``); a later 食品经营许可 application asks for that material and the
applicant uploads nothing. The window, the department and the applicant see the
certificate checked on every view, so its revocation reaches every case that used it."""

from __future__ import annotations

import pytest

from onestop.accounts.models import Applicant
from onestop.cases.models import Case
from onestop.cases.states import MaterialStatus
from onestop.catalog.models import MaterialSource
from onestop.certificates import services
from onestop.certificates.models import Certificate, LicenceMaterial, ResultTemplate
from onestop.certificates.states import ResultKind
from onestop.certificates.wallet import cases_using, licence_check, wallet_of, wallet_offers
from tests.certificates.conftest import FOOD_CODE, LICENCE_KEY, wallet_item
from tests.factories.accounts import ApplicantFactory, UserFactory
from tests.factories.cases import pdf

KEY = LICENCE_KEY


@pytest.fixture
def wallet(sealed):
    """A valid 营业执照 of the set-up's applicant, and an item that asks for it."""
    setup = sealed.setup
    food = wallet_item(setup)
    first = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(first, "licence").pk)
    return setup, certificate, food


def _apply_online(client, *, key: str = "food-1") -> Case:
    response = client.post(
        f"/items/{FOOD_CODE}/apply/",
        {
            "idempotency_key": key,
            "m-food_application": pdf("form.pdf"),
            "m-id_card": pdf("id.pdf"),
        },
    )
    assert response.status_code == 302, [
        (f.name, f.error) for f in response.context["fields"] if f.error
    ] + [(m.m.key, m.error) for m in response.context["materials"] if m.error]
    return Case.objects.get(idempotency_key=key)


def test_the_second_application_uses_the_licence_instead_of_an_upload(wallet, client):
    setup, certificate, _food = wallet
    client.force_login(setup.applicant.user)

    page = client.get(f"/items/{FOOD_CODE}/apply/").content.decode()
    assert f'name="m-{KEY}"' not in page  # no upload asked
    assert "将使用您的电子证照：营业执照" in page and certificate.identifier in page
    guide = client.get(f"/items/{FOOD_CODE}/").content.decode()
    assert "无需携带" in guide and "将使用您的电子证照“营业执照”" in guide

    case = _apply_online(client)
    material = case.materials.get(key=KEY)
    assert material.status == MaterialStatus.LICENCE_REFERENCE
    assert material.source == MaterialSource.LICENCE
    assert material.licence_reference == certificate.identifier
    assert not material.file
    assert case.materials.get(key="food_application").status == MaterialStatus.SUBMITTED

    wallet_page = client.get("/my/licences/").content.decode()
    assert certificate.identifier in wallet_page and "再次申请时自动使用" in wallet_page


def test_the_window_sees_the_licence_verified_and_every_case_sees_its_revocation(wallet, client):
    setup, certificate, _food = wallet
    client.force_login(setup.applicant.user)
    cases = [_apply_online(client, key="food-1"), _apply_online(client, key="food-2")]
    assert list(cases_using(certificate)) == cases

    before = licence_check(certificate.identifier, holder_id=setup.applicant.pk)
    assert (before.ok, before.reason) == (True, "ok")
    client.force_login(setup.clerk.user)
    window = client.get(f"/desk/window/cases/{cases[0].number}/").content.decode()
    assert 'data-licence-ok="true"' in window and "核验通过" in window

    services.certificate_revoke(
        certificate_id=certificate.pk, actor=setup.officers["licence"], reason="登记事项虚假"
    )
    for case in cases:
        after = licence_check(
            case.materials.get(key=KEY).licence_reference, holder_id=case.applicant_id
        )
        assert (after.ok, after.reason) == (False, "revoked")
    window = client.get(f"/desk/window/cases/{cases[1].number}/").content.decode()
    assert 'data-licence-reason="revoked"' in window and "核验未通过" in window
    client.force_login(setup.applicant.user)
    mine = client.get(f"/my/cases/{cases[0].number}/").content.decode()
    assert 'data-licence-reason="revoked"' in mine
    # A revoked licence is no longer offered: the next application asks for the upload.
    assert f'name="m-{KEY}"' in client.get(f"/items/{FOOD_CODE}/apply/").content.decode()


def test_another_applicants_certificate_is_never_offered(wallet, client):
    _setup, certificate, _food = wallet
    other = ApplicantFactory(user=UserFactory())
    assert wallet_offers(other, [KEY]) == {}
    assert wallet_of(other) == []
    client.force_login(other.user)
    page = client.get(f"/items/{FOOD_CODE}/apply/").content.decode()
    assert f'name="m-{KEY}"' in page and certificate.identifier not in page
    # Someone quoting another holder's identifier is told at the window.
    check = licence_check(certificate.identifier, holder_id=other.pk)
    assert (check.ok, check.reason) == (False, "other_holder")


def test_a_denial_letter_stands_for_nothing(sealed):
    setup = sealed.setup
    template = ResultTemplate.objects.create(
        item_code=setup.versions["licence"].item.basic_code,
        kind=ResultKind.LICENCE,
        title="营业执照",
    )
    LicenceMaterial.objects.create(template=template, material_key=KEY)
    case = setup.accepted()
    letter = services.results_issue(task_id=setup.decide(case, "licence", approve=False).pk)
    assert letter.kind == ResultKind.DENIAL_LETTER
    holder = Applicant.objects.get(pk=setup.applicant.pk)
    assert wallet_offers(holder, [KEY]) == {}
    assert [w.material_keys for w in wallet_of(holder)] == [()]
    assert Certificate.objects.filter(holder=holder).count() == 1
