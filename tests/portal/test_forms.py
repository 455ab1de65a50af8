"""The apply page passes what the applicant gave to the service and shows what it refuses:
the idempotency key reused for another application, and the catalog's 告知承诺书."""

from __future__ import annotations

from onestop.cases.models import Case
from onestop.catalog.models import PackageVersion
from tests.portal.test_apply import ANSWERS, OPEN_BUSINESS, URL, valid_post


def test_the_same_key_with_another_application_is_a_message_not_a_500(as_user, demo):
    client = as_user("enterprise")
    first = client.post(URL, valid_post("reused"))
    assert first.status_code == 302
    before = Case.objects.count()
    other = client.post(URL, valid_post("reused", **{"f-business_scope": "零售"}))
    assert other.status_code == 200
    errors = other.content.decode().split('id="form-errors"')[1].split("</div>")[0]
    assert "幂等" in errors or "idempotency" in errors.lower()
    assert Case.objects.count() == before


def test_back_and_resubmit_returns_the_case_already_created(as_user, demo):
    client = as_user("enterprise")
    first = client.post(URL, valid_post("back"))
    again = client.post(URL, valid_post("back"))
    assert again.status_code == 302 and again["Location"] == first["Location"]


def test_the_commitment_text_comes_from_the_catalog(as_user, demo):
    text = "本人承诺：经营场所真实合法，如有不实，自愿承担责任。"
    PackageVersion.objects.filter(package__code=OPEN_BUSINESS, status="published").update(
        commitment_text=text
    )
    client = as_user("enterprise")
    assert text in client.get(URL, ANSWERS).content.decode()
    client.post(URL, valid_post("text"))
    lease = Case.objects.get(idempotency_key="text").materials.get(key="lease_contract")
    assert lease.commitment_text == text


def test_without_a_catalog_text_the_default_commitment_is_signed(as_user, demo):
    from onestop.catalog.commitments import DEFAULT_COMMITMENT_TEXT

    client = as_user("enterprise")
    assert str(DEFAULT_COMMITMENT_TEXT) in client.get(URL, ANSWERS).content.decode()
