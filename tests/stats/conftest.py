from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
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


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    """A moment in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, tzinfo=clock.SHANGHAI)
