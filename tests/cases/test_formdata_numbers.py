"""数值/金额 fields refuse infinity, NaN, fractions of counts and values out of range."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.cases.services.formdata import MONEY_MAX, NUMBER_MAX, form_data_clean
from onestop.catalog.models import FieldKind, FormField
from onestop.core.errors import ValidationFailed

COUNT = FormField(key="employee_count", label="从业人数", kind=FieldKind.NUMBER)
CAPITAL = FormField(key="registered_capital", label="注册资本", kind=FieldKind.MONEY)


def _accepts(field: FormField, text: str) -> bool:
    try:
        form_data_clean([field], {field.key: text})
    except ValidationFailed as exc:
        assert exc.field == f"form_data.{field.key}"
        return False
    return True


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (CAPITAL, "1e309"),
        (CAPITAL, "9" * 400),
        (CAPITAL, "inf"),
        (CAPITAL, "NaN"),
        (COUNT, "-1"),
        (COUNT, "1.5"),
        (COUNT, "1e100"),
        (COUNT, "Infinity"),
    ],
)
def test_absurd_values_refused(field: FormField, text: str) -> None:
    assert not _accepts(field, text)


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_count_accepted_iff_finite_integral_in_range(value: Decimal) -> None:
    expected = value.is_finite() and value == value.to_integral_value() and 0 <= value <= NUMBER_MAX
    assert _accepts(COUNT, str(value)) == expected


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_money_accepted_iff_finite_cents_in_range(value: Decimal) -> None:
    expected = (
        value.is_finite() and 0 <= value <= MONEY_MAX and value.as_tuple().exponent >= -2  # type: ignore[operator]
    )
    assert _accepts(CAPITAL, str(value)) == expected


@given(st.integers(min_value=0, max_value=int(NUMBER_MAX)))
def test_counts_in_range_accepted(value: int) -> None:
    assert _accepts(COUNT, str(value))
