"""Applicant registration: validators in the service, normalised input, clear duplicates."""

from __future__ import annotations

import pytest

from onestop.accounts import services
from onestop.accounts.models import Applicant, ApplicantKind
from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import resident_id_check_digit
from tests.factories.accounts import ApplicantFactory, UserFactory, make_enterprise_uscc
from tests.factories.regions import CountyFactory

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
USCC = "91350100M000100Y43"


def refused(call, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call(**kwargs)
    return caught.value


def test_a_person_is_registered_with_normalised_input():
    county = CountyFactory()
    user = UserFactory()
    person = services.applicant_register_person(
        name=" 王 五 ",
        id_number=" 110105 19491231 002x ",
        phone="138-0737-0001",
        user=user,
        region=county,
        address="  益阳市赫山区  ",
    )
    assert person.kind == ApplicantKind.PERSON
    assert person.id_number == ID
    assert person.phone == "13807370001"
    assert person.name == "王 五"
    assert person.user == user
    assert person.masked_identifier == "110105********002X"


def test_an_invalid_id_number_says_the_check_digit_is_wrong():
    error = refused(
        services.applicant_register_person,
        name="王五",
        id_number="110105194912310021",
        phone="13807370001",
    )
    assert error.field == "id_number"
    assert error.details["rule"] == "id_check_digit"
    assert "校验位错误" in error.message
    assert not Applicant.objects.exists()


def test_an_impossible_birth_date_says_so():
    body = "11010519490230002"
    error = refused(
        services.applicant_register_person,
        name="王五",
        id_number=body + resident_id_check_digit(body),
        phone="13807370001",
    )
    assert error.details["rule"] == "id_birth_date"


def test_a_registered_id_number_says_already_registered():
    services.applicant_register_person(name="王五", id_number=ID, phone="13807370001")
    error = refused(
        services.applicant_register_person, name="王六", id_number=ID.lower(), phone="13807370002"
    )
    assert error.field == "id_number"
    assert "已登记为申请人（王*）" in error.message
    assert error.details["rule"] == "already_registered"
    assert Applicant.objects.count() == 1


def test_a_bad_phone_is_refused():
    error = refused(services.applicant_register_person, name="王五", id_number=ID, phone="123")
    assert error.field == "phone"


def test_a_person_needs_a_name():
    assert (
        refused(
            services.applicant_register_person, name="", id_number=ID, phone="13807370001"
        ).field
        == "name"
    )


def test_a_login_is_bound_to_one_applicant_only():
    user = UserFactory()
    ApplicantFactory(user=user)
    error = refused(
        services.applicant_register_person,
        name="王五",
        id_number=ID,
        phone="13807370001",
        user=user,
    )
    assert error.field == "user"


def test_an_enterprise_is_registered_with_normalised_codes():
    firm = services.applicant_register_enterprise(
        name="益阳某某科技有限公司",
        uscc="9135 0100 m000 100y 43",
        legal_representative="张三",
        legal_representative_id_number="11010519491231002x",
        phone="13807370001",
    )
    assert firm.kind == ApplicantKind.ENTERPRISE
    assert firm.uscc == USCC
    assert firm.legal_representative_id_number == ID
    assert firm.masked_identifier == USCC  # a credit code is public


def test_an_enterprise_with_a_forbidden_letter_is_refused_for_the_charset():
    error = refused(
        services.applicant_register_enterprise,
        name="某公司",
        uscc="91350100M000100Y4O",
        legal_representative="张三",
        phone="13807370001",
    )
    assert error.field == "uscc"
    assert error.details["rule"] == "uscc_charset"


def test_an_enterprise_with_a_bad_check_character_is_refused():
    error = refused(
        services.applicant_register_enterprise,
        name="某公司",
        uscc="91350100M000100Y44",
        legal_representative="张三",
        phone="13807370001",
    )
    assert error.details["rule"] == "uscc_check_char"
    assert "应为 3" in error.message


def test_a_registered_credit_code_says_already_registered():
    uscc = make_enterprise_uscc(7)
    ApplicantFactory(enterprise=True, uscc=uscc, name="老公司")
    error = refused(
        services.applicant_register_enterprise,
        name="新公司",
        uscc=uscc,
        legal_representative="张三",
        phone="13807370001",
    )
    assert error.field == "uscc"
    assert "已登记为申请人（老公司）" in error.message


def test_an_enterprise_needs_a_legal_representative_with_a_valid_id():
    common = {"name": "某公司", "uscc": USCC, "phone": "13807370001"}
    assert (
        refused(services.applicant_register_enterprise, legal_representative="", **common).field
        == "legal_representative"
    )
    error = refused(
        services.applicant_register_enterprise,
        legal_representative="张三",
        legal_representative_id_number="110105194912310021",
        **common,
    )
    assert error.field == "legal_representative_id_number"


def test_the_same_number_may_be_a_person_and_an_enterprises_representative():
    services.applicant_register_person(name="张三", id_number=ID, phone="13807370001")
    services.applicant_register_enterprise(
        name="某公司",
        uscc=USCC,
        legal_representative="张三",
        legal_representative_id_number=ID,
        phone="13807370001",
    )
    assert Applicant.objects.count() == 2


def test_contact_details_change_but_the_identifier_does_not():
    person = services.applicant_register_person(name="王五", id_number=ID, phone="13807370001")
    services.applicant_update_contact(
        applicant=person, name="王五", phone="139 0737 0002", address="新地址"
    )
    person.refresh_from_db()
    assert (person.phone, person.address, person.id_number) == ("13907370002", "新地址", ID)
    error = refused(services.applicant_update_contact, applicant=person, name="王五", phone="1")
    assert error.field == "phone"
