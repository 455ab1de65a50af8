"""Walk-in intake's lookup takes only a well-formed number and says which rule failed.

Before, looking up ``12345`` offered to register a new enterprise with ``12345`` as its
统一社会信用代码. Now the number is checked as a 居民身份证号码 (GB 11643) or a 统一社会信用代码
(GB 32100) first; only a valid number that is not found offers registration, as a person for
an ID number and as an enterprise for a credit code.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onestop.accounts.models import Applicant
from onestop.core.identifiers import uscc_check_char
from tests.factories.accounts import make_enterprise_uscc, make_resident_id

pytestmark = pytest.mark.django_db


def look_up(client, identifier: str) -> str:
    response = client.post(reverse("workbench:intake"), {"identifier": identifier})
    assert response.status_code == 200
    return response.content.decode()


def field_error(page: str) -> str:
    match = re.search(r'<p class="error" id="err-identifier" role="alert">([^<]*)</p>', page)
    return match.group(1) if match else ""


def assert_refused(page: str, *fragments: str) -> None:
    error = field_error(page)
    assert error, "no message at the field"
    for fragment in fragments:
        assert fragment in error
    assert 'aria-invalid="true"' in page
    assert "未找到该申请人" not in page and 'id="register"' not in page


@pytest.mark.parametrize(
    ("identifier", "fragments"),
    [
        ("12345", ["18位", "当前为5位"]),
        ("", ["请填写"]),
        ("   ", ["请填写"]),
    ],
)
def test_a_number_of_the_wrong_length_is_refused_at_the_field(
    setup, as_user, identifier, fragments
):
    page = look_up(as_user(setup.clerk), identifier)
    assert_refused(page, *fragments)


def test_an_id_number_with_a_wrong_check_digit_names_the_gb_11643_rule(setup, as_user):
    good = make_resident_id(42, "430903")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page = look_up(as_user(setup.clerk), bad)
    assert_refused(page, "校验位", "GB 11643", good[17])
    assert Applicant.objects.filter(id_number=bad).count() == 0


def test_an_id_number_with_an_impossible_birth_date_is_refused(setup, as_user):
    page = look_up(as_user(setup.clerk), "430903" + "19901345" + "0010")
    assert_refused(page, "出生日期")


def test_a_credit_code_with_a_wrong_check_character_names_the_gb_32100_rule(setup, as_user):
    good = make_enterprise_uscc(7, "430903")
    wrong = next(ch for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" if ch != good[17])
    page = look_up(as_user(setup.clerk), good[:17] + wrong)
    assert_refused(page, "校验码", "GB 32100", uscc_check_char(good[:17]))


def test_a_credit_code_with_letters_it_never_uses_is_refused(setup, as_user):
    page = look_up(as_user(setup.clerk), "91430903MA4LOOOOOI")
    assert_refused(page, "不允许的字符")


def test_a_valid_unknown_id_number_offers_to_register_a_person(setup, as_user):
    unknown = make_resident_id(43, "430903")
    page = look_up(as_user(setup.clerk), unknown.lower())
    assert field_error(page) == ""
    assert "未找到该申请人" in page
    assert 'name="kind" value="person" checked' in page
    assert f'name="id_number" value="{unknown}"' in page


def test_a_valid_unknown_credit_code_offers_to_register_an_enterprise(setup, as_user):
    unknown = make_enterprise_uscc(8, "430903")
    page = look_up(as_user(setup.clerk), f" {unknown[:9]} {unknown[9:]} ")
    assert field_error(page) == ""
    assert "未找到该申请人" in page
    assert 'name="kind" value="enterprise" checked' in page
    assert f'name="uscc" value="{unknown}"' in page


def test_a_known_applicant_is_still_found(setup, as_user):
    response = as_user(setup.clerk).post(
        reverse("workbench:intake"), {"identifier": setup.applicant.identifier}
    )
    assert response.status_code == 302
