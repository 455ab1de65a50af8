"""Callers for the API tests: one login per role around the 开办企业 package at 赫山区."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from onestop.accounts.auth import token_issue
from onestop.accounts.models import Applicant, Staff
from onestop.core import clock
from onestop.regions.models import RegionLevel
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.cases import PDF, Setup
from tests.factories.regions import DepartmentFactory, RegionFactory

ROLES = (
    "owner",
    "other_applicant",
    "clerk",
    "clerk_out",
    "officer",
    "officer_other",
    "chief",
    "supervisor",
    "catalog_admin",
    "agent",
    "anonymous",
)


# A Wednesday in a year the calendar knows, so limits and lights never turn provisional.
NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(NOW):
        yield


def b64(body: bytes = PDF) -> str:
    return base64.b64encode(body).decode()


def file_material(key: str, body: bytes = PDF, name: str | None = None) -> dict[str, Any]:
    return {"key": key, "file": {"filename": name or f"{key}.pdf", "content_base64": b64(body)}}


def application(setup: Setup, **overrides: Any) -> dict[str, Any]:
    """A complete online application for the 开办企业 package (JSON body)."""
    body: dict[str, Any] = {
        "package_code": setup.package.package.code,
        "region_code": setup.county.code,
        "answers": setup.answers(),
        "form_data": setup.form(),
        "materials": [
            file_material("id_card"),
            file_material("lease"),
            {"key": "residence_proof", "commitment": "本人承诺住所真实、合法、可用。"},
        ],
    }
    body.update(overrides)
    return body


class Api:
    """A test client logged in as one user, by bearer token (default) or by session."""

    def __init__(self, user: Any = None, *, session: bool = False) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None and session:
            self.client.force_login(user)
        elif user is not None:
            self.headers["Authorization"] = f"Bearer {token_issue(user)}"

    def get(self, url: str, **params: Any):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url: str, body: Any = None, *, headers: dict[str, str] | None = None):
        return self.client.post(
            url,
            body if body is not None else {},
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def put(self, url: str, body: Any = None):
        return self.client.put(
            url,
            body if body is not None else {},
            content_type="application/json",
            headers=self.headers,
        )

    def delete(self, url: str):
        return self.client.delete(url, headers=self.headers)

    def upload(self, url: str, files: dict[str, Any]):
        return self.client.post(url, files, headers=self.headers)


@dataclass
class People:
    owner: Applicant
    other_applicant: Applicant
    clerk: Staff
    clerk_out: Staff
    officer: Staff
    officer_other: Staff
    chief: Staff
    supervisor: Staff
    catalog_admin: Staff
    agent: Staff

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role).user

    def api(self, role: str, *, session: bool = False) -> Api:
        return Api(self.user(role), session=session)


@pytest.fixture
def people(setup: Setup) -> People:
    other_county = RegionFactory(
        code="430902", name="资阳区", level=RegionLevel.COUNTY, parent=setup.city
    )
    civil = DepartmentFactory(name="赫山区民政局", kind="civil", region=setup.county)
    return People(
        owner=setup.applicant,
        other_applicant=ApplicantFactory(user=UserFactory()),
        clerk=setup.clerk,
        clerk_out=StaffFactory(name="资阳区窗口", region=other_county),
        officer=setup.officers["licence"],
        officer_other=StaffFactory(officer=True, department=civil, region=setup.county),
        chief=setup.chief,
        supervisor=StaffFactory(supervisor=True, name="监察员", region=setup.county),
        catalog_admin=StaffFactory(catalog_admin=True, region=setup.county),
        agent=StaffFactory(agent=True, name="帮代办员", region=setup.county),
    )


def assert_problem(response, status: int, field: str | None = None) -> dict[str, Any]:
    """A problem+json answer with this status; ``field`` must be named by the error."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if field is not None:
        named = [body.get("field") or ""]
        named += [".".join(str(p) for p in e.get("loc", [])) for e in body.get("errors", [])]
        assert any(field in n for n in named), body
    return body
