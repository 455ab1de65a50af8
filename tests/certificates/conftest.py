from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.catalog.models import (
    MaterialNecessity,
    MaterialRequirement,
    MaterialSource,
    ServiceItemVersion,
)
from onestop.certificates import services
from onestop.certificates.models import LicenceMaterial, ResultTemplate, Seal
from onestop.certificates.states import ResultKind, SealKind
from tests.factories.cases import Setup, start_business
from tests.factories.catalog import ServiceItemFactory, ServiceItemVersionFactory

FOOD_CODE = "000104004000"
LICENCE_KEY = "business_licence_copy"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(tmp_path / "keys")
    settings.ONESTOP_CERTIFICATES_PUBLIC_URL = "https://zwfw.example.cn"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@dataclass
class Sealed:
    """The 开办企业 set-up with an approval seal per department and its officer authorised."""

    setup: Setup
    seals: dict[str, Seal]


def sealed_setup() -> Sealed:
    setup = start_business()
    seals = {}
    for key, department in setup.departments.items():
        seal = services.seal_create(department=department, kind=SealKind.APPROVAL)
        services.seal_authorise(seal_id=seal.pk, staff=setup.officers[key])
        seals[key] = seal
    return Sealed(setup, seals)


@pytest.fixture
def sealed(db) -> Sealed:
    return sealed_setup()


@pytest.fixture
def setup(db) -> Setup:
    return start_business()


def wallet_item(setup: Setup) -> ServiceItemVersion:
    """The 营业执照 the set-up's licence task issues stands for the material ``LICENCE_KEY``,
    and a published 食品经营许可 item asks for that material (and for an application form)."""
    template = ResultTemplate.objects.create(
        item_code=setup.versions["licence"].item.basic_code,
        kind=ResultKind.LICENCE,
        title="营业执照",
        type_code="11100000000013338W011",
    )
    LicenceMaterial.objects.create(template=template, material_key=LICENCE_KEY)
    food = ServiceItemVersionFactory(
        item=ServiceItemFactory(basic_code=FOOD_CODE, name="食品经营许可（新办）"),
        department=setup.departments["licence"],
        published=True,
    )
    MaterialRequirement.objects.create(
        item_version=food, key="food_application", name="食品经营许可申请书", order=1
    )
    MaterialRequirement.objects.create(
        item_version=food,
        key=LICENCE_KEY,
        name="营业执照复印件",
        source=MaterialSource.APPLICANT,
        necessity=MaterialNecessity.REQUIRED,
        order=2,
    )
    return food
