from __future__ import annotations

import pytest

from tests.factories.villages import Village, village_setup


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(tmp_path / "keys")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def village(db) -> Village:
    return village_setup()
