"""The API refuses absurd numbers in form fields with 422 problem+json naming the field."""

from __future__ import annotations

import pytest

from onestop.cases.models import Case
from tests.cases.api.conftest import application, assert_problem
from tests.factories.catalog import FormFieldFactory


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("capital", "1e309"),
        ("capital", "9" * 400),
        ("capital", "-1"),
        ("employee_count", "-1"),
        ("employee_count", "1.5"),
        ("employee_count", "1e100"),
    ],
)
def test_absurd_numbers_are_422_naming_the_field(setup, people, key, value):
    FormFieldFactory(
        package_version=setup.package,
        key="employee_count",
        label="从业人数",
        kind="number",
        required=False,
    )
    body = application(setup)
    body["form_data"] = {**body["form_data"], key: value}

    response = people.api("owner").post("/api/cases", body)

    assert response["Content-Type"].startswith("application/problem+json")
    assert_problem(response, 422, f"form_data.{key}")
    assert not Case.objects.exists()


def test_a_sensible_count_is_accepted(setup, people):
    FormFieldFactory(
        package_version=setup.package,
        key="employee_count",
        label="从业人数",
        kind="number",
        required=False,
    )
    body = application(setup)
    body["form_data"] = {**body["form_data"], "employee_count": "12", "capital": "100.50"}

    response = people.api("owner").post("/api/cases", body)

    assert response.status_code == 201, response.json()
