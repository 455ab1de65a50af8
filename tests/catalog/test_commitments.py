"""告知承诺书: one text per application, from the catalog (blank = the default)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from onestop.catalog.commitments import DEFAULT_COMMITMENT_TEXT
from onestop.catalog.selectors import commitment_text_for
from tests.catalog.test_admin import change_form_data
from tests.factories.accounts import UserFactory
from tests.factories.catalog import PackageVersionFactory, ServiceItemVersionFactory

pytestmark = pytest.mark.django_db


def test_the_package_text_wins_then_the_item_then_the_default():
    package = PackageVersionFactory(commitment_text="")
    item = ServiceItemVersionFactory(commitment_text="")
    assert commitment_text_for(package_version=package) == str(DEFAULT_COMMITMENT_TEXT)
    item.commitment_text = "事项的承诺"
    assert commitment_text_for(item_version=item) == "事项的承诺"
    package.commitment_text = "  一件事的承诺 "
    assert commitment_text_for(package_version=package, item_version=item) == "一件事的承诺"


def test_the_default_text_is_translated_when_read():
    with translation.override("en"):
        english = commitment_text_for()
    assert english.startswith("I commit")
    assert commitment_text_for().startswith("本人承诺")


def test_a_draft_version_takes_its_commitment_text_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    version = ServiceItemVersionFactory()
    url = reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
    data = change_form_data(client.get(url))
    data["commitment_text"] = "本人承诺所报材料真实。"
    response = client.post(url, data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.commitment_text == "本人承诺所报材料真实。"
