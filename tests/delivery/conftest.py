"""Fixtures: the 开办企业 package with post allowed, and the carrier simulator as a real HTTP
service on loopback that a test can stop and start again (same port, same state file), on a
clock the test moves."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from onestop.core import clock
from onestop.delivery.simulator import PostSimulator, server_make
from tests.factories.cases import Setup, start_business
from tests.factories.delivery import post_allowed

STEP = dt.timedelta(hours=6)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ONESTOP_SMS_BACKEND = "console"
    settings.ONESTOP_DELIVERY_CARRIER_TIMEOUT = 2.0


@dataclass
class Simulator:
    """The carrier simulator served over HTTP in a thread; ``stop`` and ``start`` keep the port
    and the state file, as a carrier that goes down and comes back."""

    state_file: Path
    now: list[dt.datetime]
    port: int = 0
    engine: PostSimulator | None = None
    creates: int = 0  # waybills made, over every run
    _server: object = None
    _thread: threading.Thread | None = None
    runs: list[PostSimulator] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.engine = PostSimulator(
            state_file=self.state_file, step_seconds=STEP.total_seconds(), now=lambda: self.now[0]
        )
        self.runs.append(self.engine)
        server = server_make(self.engine, port=self.port)
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def waybills_created(self) -> int:
        return sum(run.creates for run in self.runs)

    def advance(self, delta: dt.timedelta) -> None:
        self.now[0] = self.now[0] + delta


@pytest.fixture
def simulator(tmp_path, settings):
    sim = Simulator(state_file=tmp_path / "post.json", now=[clock.now()])
    sim.start()
    settings.ONESTOP_DELIVERY_CARRIER_URL = sim.url
    yield sim
    sim.stop()


@pytest.fixture
def setup(db) -> Setup:
    return post_allowed(start_business())
