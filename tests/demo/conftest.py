from __future__ import annotations

import pytest

from onestop.demo.loader import DemoSummary, demo_load


@pytest.fixture
def fast_passwords(settings):
    # The demo creates ~20 logins; the production hasher would make each load take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db, fast_passwords) -> DemoSummary:
    return demo_load()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The sample cases upload small PDFs: keep them out of the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
