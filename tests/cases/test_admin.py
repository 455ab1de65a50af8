from __future__ import annotations

import pytest

from tests.factories.accounts import UserFactory


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_cases_are_shown_read_only(setup, admin_client):
    case = setup.accepted()
    listing = admin_client.get("/admin/cases/case/")
    assert listing.status_code == 200
    assert case.number in listing.content.decode()
    detail = admin_client.get(f"/admin/cases/case/{case.pk}/change/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "企业设立登记" in body and "居民身份证" in body
    assert admin_client.get("/admin/cases/case/add/").status_code == 403
    assert admin_client.post(f"/admin/cases/case/{case.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/cases/caseevent/").status_code == 200
