"""The e-licence identifier: the published example checks, and any single change is caught."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from onestop.certificates.identifiers import (
    ALPHABET,
    InvalidIdentifier,
    check_char,
    licence_id_build,
    licence_id_parse,
)
from onestop.core.identifiers import uscc_check_char

EXAMPLE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"

codes = st.text(alphabet=ALPHABET, min_size=1, max_size=60)
uscc_body = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9)


def _uscc(prefix_digits: str, body: str) -> str:
    first17 = "91" + prefix_digits + body
    return first17 + uscc_check_char(first17)


def test_the_published_example_checks():
    parsed = licence_id_parse(EXAMPLE)
    assert parsed.check == "U"
    assert parsed.issuer == "11430000006122244L"
    assert (
        licence_id_build(
            type_code="11100000000013338W011",
            issuer="11430000006122244L",
            serial="20230000403",
            version="001",
        )
        == EXAMPLE
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (EXAMPLE[:-1] + "V", "check_char"),
        (EXAMPLE.replace("20230000403", "20230000404"), "check_char"),
        (EXAMPLE.replace("1.2.156.3005.2", "1.2.156.3005.3"), "root"),
        (EXAMPLE.replace(".001.", ".01."), "version_format"),
        (EXAMPLE.replace("11430000006122244L", "11430000006122244M"), "issuer_uscc"),
        (EXAMPLE + ".X", "parts"),
        (EXAMPLE.lower(), "type_format"),
    ],
)
def test_a_wrong_identifier_is_refused_with_its_reason(text, code):
    with pytest.raises(InvalidIdentifier) as caught:
        licence_id_parse(text)
    assert caught.value.code == code
    assert caught.value.reason


@given(codes)
def test_any_single_character_change_changes_the_check(body):
    check = check_char(body)
    for i, ch in enumerate(body):
        for other in ALPHABET:
            if other != ch:
                changed = body[:i] + other + body[i + 1 :]
                assert check_char(changed) != check


@given(
    uscc_body,
    uscc_body,
    st.text(alphabet=ALPHABET, min_size=1, max_size=32),
    st.integers(min_value=1, max_value=999),
)
def test_build_then_parse_gives_back_the_parts(type_body, issuer_body, serial, version):
    type_code = _uscc("430900", type_body) + "011"
    issuer = _uscc("430903", issuer_body)
    text = licence_id_build(
        type_code=type_code, issuer=issuer, serial=serial, version=f"{version:03d}"
    )
    parsed = licence_id_parse(text)
    assert (parsed.type_code, parsed.issuer, parsed.serial, parsed.version) == (
        type_code,
        issuer,
        serial,
        f"{version:03d}",
    )
    assert str(parsed) == text


def test_check_id_command_says_valid(capsys):
    call_command("certificates", "check-id", EXAMPLE)
    assert "有效" in capsys.readouterr().out


def test_check_id_command_exits_1_for_a_wrong_check_character():
    with pytest.raises(CommandError) as caught:
        call_command("certificates", "check-id", EXAMPLE[:-1] + "7")
    assert caught.value.returncode == 1
    assert "校验位错误" in str(caught.value)


def test_check_id_command_exits_2_for_something_that_is_no_identifier():
    with pytest.raises(CommandError) as caught:
        call_command("certificates", "check-id", "hello")
    assert caught.value.returncode == 2
