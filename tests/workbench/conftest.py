from __future__ import annotations

import pytest

from tests.factories.cases import Setup, start_business


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def setup(db) -> Setup:
    return start_business()


@pytest.fixture
def as_user(client):
    """``as_user(staff_or_applicant)`` → the test client logged in as that person."""

    def _as(person):
        client.force_login(person.user)
        return client

    return _as
