from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.factories.cases import Setup, start_business
from tests.factories.regions import HallFactory, WindowFactory

_seed = importlib.import_module("onestop.evaluations.migrations.0002_indicators_2020").seed


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.ONESTOP_RATING_PUSH_URL = ""


@pytest.fixture(autouse=True)
def _indicators(request):
    """Transactional tests flush the seeded indicator set: give it back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        _seed(django_apps, None)
    yield


@pytest.fixture
def setup(db) -> Setup:
    s = start_business()
    hall = HallFactory(region=s.county, name="赫山区政务服务中心")
    s.clerk.hall = hall
    s.clerk.save(update_fields=["hall"])
    s.extra["hall"] = hall
    s.extra["window"] = WindowFactory(hall=hall, number="8", name="综合受理")
    return s
