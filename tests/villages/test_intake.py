"""A 便民服务站 takes only the packages the catalog gives a village class."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.core.errors import ValidationFailed
from onestop.workbench.views.intake import applicant_token
from tests.factories.catalog import PackageItemFactory, PackageVersionFactory


@pytest.fixture
def hall_only(village):
    version = PackageVersionFactory(
        name="我要开办企业", lead_department=village.back_office, published=True
    )
    PackageItemFactory(package_version=version, item=village.item.item, order=1)
    return version


def test_a_station_clerk_cannot_submit_a_package_without_a_village_class(village, hall_only):
    with pytest.raises(ValidationFailed) as refused:
        village.intake(package_version=hall_only)
    assert refused.value.field == "package_version"
    assert "便民服务站" in refused.value.message


def test_the_station_intake_page_offers_only_its_packages(village, hall_only, client):
    client.force_login(village.clerk.user)
    page = client.get(reverse("workbench:intake"), {"a": applicant_token(village.applicant)})
    body = page.content.decode()
    assert village.package.package.code in body
    assert hall_only.package.code not in body


def test_the_intake_form_promises_the_minutes(village, client):
    client.force_login(village.clerk.user)
    page = client.get(
        reverse("workbench:intake_apply"),
        {
            "a": applicant_token(village.applicant),
            "package": village.package.package.code,
            "answered": "1",
        },
    )
    assert "承诺30 分钟内办结" in page.content.decode()


def test_a_hall_clerk_keeps_every_package(village, hall_only):
    village.clerk.hall = None
    case = village.intake(package_version=hall_only)
    assert case.number
