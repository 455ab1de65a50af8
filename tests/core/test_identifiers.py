"""居民身份证号码 (GB 11643) and 统一社会信用代码 (GB 32100): every rule names itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given
from hypothesis import strategies as st

from onestop.core.identifiers import (
    PROVINCE_CODES,
    USCC_ALPHABET,
    USCC_AUTHORITY_KINDS,
    USCC_REGION_PREFIXES,
    normalize_identifier,
    normalize_phone,
    resident_id_check_digit,
    uscc_check_char,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)

DIGITS = "0123456789"
TODAY = dt.date(2026, 11, 25)


def refusal(validator, value: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value, **kwargs)
    return caught.value


# --- 居民身份证号码 ------------------------------------------------------------------------


@st.composite
def resident_ids(draw) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest_of_region = draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
    serial = draw(st.text(DIGITS, min_size=3, max_size=3))
    body = f"{province}{rest_of_region}{born:%Y%m%d}{serial}"
    return body + resident_id_check_digit(body)


@given(resident_ids())
@example("11010519491231002X")  # the example printed in GB 11643
def test_any_well_formed_id_number_is_accepted(value):
    validate_resident_id(value, today=TODAY)


@given(resident_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_one_character_of_a_valid_id_number_is_refused(value, position, replacement):
    assume(value[position] != replacement)
    assume(replacement != "X" or position == 17)
    changed = value[:position] + replacement + value[position + 1 :]
    error = refusal(validate_resident_id, changed, today=TODAY)
    assert error.code in {"id_check_digit", "id_region", "id_birth_date"}


@given(resident_ids(), st.integers(0, 16))
def test_changing_one_digit_without_breaking_region_or_date_fails_the_check_digit(value, position):
    assume(position >= 2 and not 6 <= position < 14)  # keep province and birth date intact
    replacement = str((int(value[position]) + 1) % 10)
    changed = value[:position] + replacement + value[position + 1 :]
    assert refusal(validate_resident_id, changed, today=TODAY).code == "id_check_digit"


def test_wrong_check_digit_says_so_and_gives_the_expected_one():
    error = refusal(validate_resident_id, "110105194912310021", today=TODAY)
    assert error.code == "id_check_digit"
    assert "校验位错误" in error.messages[0]
    assert "应为 X" in error.messages[0]


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("11010519491231002", "id_length", "应为18位，当前为17位"),
        ("1101051949123100201", "id_length", "当前为19位"),
        ("11010519491231002x", "id_charset", "大写X"),
        ("1101051949123100A2", "id_charset", "前17位须为数字"),
        ("99010519491231002X", "id_region", "“99”不是有效的省级行政区划代码"),
        ("110105194902300021", "id_birth_date", "“19490230”不是有效的出生日期"),
        ("110105180001010021", "id_birth_date", "1800-01-01 不在合理范围内"),
        ("110105203001010021", "id_birth_date", "2030-01-01 不在合理范围内"),
    ],
)
def test_each_id_rule_names_itself(value, code, words):
    error = refusal(validate_resident_id, value, today=TODAY)
    assert error.code == code
    assert words in error.messages[0]


@given(st.text(DIGITS, max_size=30).filter(lambda s: len(s) != 18))
def test_an_id_number_of_the_wrong_length_is_refused_for_its_length(value):
    assert refusal(validate_resident_id, value, today=TODAY).code == "id_length"


def test_full_width_digits_are_not_digits():
    value = "１１０１０５１９４９１２３１００２X"
    assert refusal(validate_resident_id, value, today=TODAY).code == "id_charset"


# --- 统一社会信用代码 ----------------------------------------------------------------------


@st.composite
def usccs(draw) -> str:
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITY_KINDS)))
    head = authority + draw(st.sampled_from(USCC_AUTHORITY_KINDS[authority]))
    region = draw(st.sampled_from(sorted(USCC_REGION_PREFIXES))) + draw(
        st.text(DIGITS, min_size=4, max_size=4)
    )
    tail = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    body = head + region + tail
    return body + uscc_check_char(body)


def test_the_well_known_example_is_valid():
    # The example credit code printed in many guides; its check character checks out.
    assert uscc_check_char("91350100M000100Y4") == "3"
    validate_uscc("91350100M000100Y43")


@given(usccs())
def test_any_well_formed_uscc_is_accepted(value):
    validate_uscc(value)


@given(usccs(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_changing_one_character_of_a_valid_uscc_is_refused(value, position, replacement):
    assume(value[position] != replacement)
    changed = value[:position] + replacement + value[position + 1 :]
    error = refusal(validate_uscc, changed)
    assert error.code in {"uscc_check_char", "uscc_region", "uscc_authority", "uscc_kind"}


@given(usccs(), st.integers(0, 17), st.sampled_from("IOZSV"))
def test_a_forbidden_letter_is_refused_as_charset(value, position, letter):
    changed = value[:position] + letter + value[position + 1 :]
    error = refusal(validate_uscc, changed)
    assert error.code == "uscc_charset"
    assert letter in error.messages[0]


@given(usccs(), st.integers(0, 17), st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_a_lowercase_letter_is_refused_as_charset(value, position, letter):
    changed = value[:position] + letter + value[position + 1 :]
    assert refusal(validate_uscc, changed).code == "uscc_charset"


@given(st.text(USCC_ALPHABET, max_size=30).filter(lambda s: len(s) != 18))
def test_a_uscc_of_the_wrong_length_is_refused_for_its_length(value):
    assert refusal(validate_uscc, value).code == "uscc_length"


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("91350100M000100Y4", "uscc_length", "应为18位，当前为17位"),
        ("91350100M000100Y4O", "uscc_charset", "不允许的字符：O"),
        ("9135010OM000100Y43", "uscc_charset", "不使用 I、O、Z、S、V 和小写字母"),
        ("91A50100M000100Y43", "uscc_region", "第3–8位应为登记管理机关行政区划码"),
        ("91350100M000100Y44", "uscc_check_char", "校验码错误（按 GB 32100 应为 3）"),
    ],
)
def test_each_uscc_rule_names_itself(value, code, words):
    error = refusal(validate_uscc, value)
    assert error.code == code
    assert words in error.messages[0]


# --- phones and normalising ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["13807370001", "19912345678"])
def test_mobile_numbers_are_accepted(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12807370001", "1380737000", "138073700012", "0737-4221234"])
def test_other_numbers_are_refused_as_mobile(value):
    error = refusal(validate_mobile, value)
    assert error.code == "mobile"
    assert "11位数字" in error.messages[0]


def test_identifiers_are_normalised_as_typed():
    assert normalize_identifier(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_identifier("9135 0100 m000 100y 43") == "91350100M000100Y43"


def test_phones_are_normalised_as_typed():
    assert normalize_phone(" 138-0737-0001 ") == "13807370001"
    assert normalize_phone("+86 138 0737 0001") == "13807370001"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("B1430900MA4L0001X0", "uscc_authority"),  # B names no registration authority
        ("94430900MA4L00010X", "uscc_kind"),  # 工商 registers kinds 1–3 only
        ("91990900MA4L000100", "uscc_region"),  # 99 is no province
    ],
)
def test_the_authority_the_kind_and_the_region_are_checked(value, code):
    body = value[:17]
    error = refusal(validate_uscc, body + uscc_check_char(body))
    assert error.code == code
