"""Every identifier in the demo data passes the same validators as real input."""

from __future__ import annotations

import pytest

from onestop.core.identifiers import validate_resident_id, validate_uscc
from onestop.demo.data import people, regions


@pytest.mark.parametrize("department", regions.DEPARTMENTS, ids=lambda d: d.name)
def test_department_credit_codes_are_valid_and_mark_government_bodies(department):
    validate_uscc(department.uscc)
    assert department.uscc.startswith("11")
    assert department.uscc[2:8] == department.region_code.ljust(6, "0")


def test_department_credit_codes_are_unique():
    codes = [d.uscc for d in regions.DEPARTMENTS]
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("enterprise", people.ENTERPRISES, ids=lambda e: e.name)
def test_enterprise_codes_are_valid(enterprise):
    validate_uscc(enterprise.uscc)
    validate_resident_id(enterprise.legal_representative_id_number)


@pytest.mark.parametrize("person", people.PERSONS, ids=lambda p: p.username)
def test_person_id_numbers_are_valid_and_local(person):
    validate_resident_id(person.id_number)
    assert person.id_number.startswith("4309")


def test_a_flipped_check_digit_would_be_refused():
    from django.core.exceptions import ValidationError

    number = people.PERSONS[0].id_number
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError):
        validate_resident_id(wrong)
