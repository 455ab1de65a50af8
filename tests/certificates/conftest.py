from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.certificates import services
from onestop.certificates.models import Seal
from onestop.certificates.states import SealKind
from tests.factories.cases import Setup, start_business


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
