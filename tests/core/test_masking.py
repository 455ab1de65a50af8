from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from onestop.core.masking import mask_id_number, mask_name, mask_phone


def test_id_number_keeps_region_and_last_four_and_hides_birth_date():
    assert mask_id_number("430902199001011234") == "430902********1234"
    assert mask_id_number("43090219900101123X") == "430902********123X"


def test_first_generation_id_number_keeps_region_and_last_four():
    assert mask_id_number("430902900101123") == "430902*****1123"


def test_phone_keeps_carrier_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_landline_keeps_only_last_four():
    assert mask_phone("07374221234") == "073****1234"
    assert mask_phone("4221234") == "*******"
    assert mask_phone("74221234") == "****1234"


def test_short_values_are_hidden_entirely():
    assert mask_id_number("1234") == "****"
    assert mask_phone("12345") == "*****"


def test_empty_stays_empty():
    assert mask_id_number("") == ""
    assert mask_phone("") == ""
    assert mask_name("") == ""


def test_name_keeps_family_name():
    assert mask_name("张三丰") == "张**"


@given(st.text(min_size=1, max_size=40))
def test_id_mask_keeps_length_and_at_most_last_four(value):
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    if len(value) >= 8:
        assert masked.endswith(value[-4:])
        assert "*" in masked
    else:
        assert set(masked) == {"*"}


@given(st.text(min_size=1, max_size=40))
def test_phone_mask_keeps_length_and_at_most_last_four(value):
    masked = mask_phone(value)
    assert len(masked) == len(value)
    if len(value) >= 8:
        assert masked.endswith(value[-4:])
        assert "*" in masked
    else:
        assert set(masked) == {"*"}


@given(st.from_regex(r"[1-6][0-9]{16}[0-9X]", fullmatch=True))
def test_an_18_digit_id_number_never_shows_the_birth_date(value):
    masked = mask_id_number(value)
    assert masked[:6] == value[:6]
    assert masked[6:14] == "********"
    assert masked[-4:] == value[-4:]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_mobile_number_shows_seven_digits_at_most(value):
    masked = mask_phone(value)
    assert masked[3:7] == "****"
    assert sum(ch.isdigit() for ch in masked) == 7
