"""Fixtures: the 开办企业 package, a lifecycle driven through the real services (the engine
queues the notifications of each transition), and a real HTTP SMS gateway."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from onestop.cases import services
from onestop.cases.models import Case
from onestop.core import clock
from tests.factories.cases import Setup, start_business, upload

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ONESTOP_SMS_BACKEND = "console"


@pytest.fixture
def setup(db) -> Setup:
    return start_business()


def told(fn: Callable[[], Any]) -> Any:
    """Run one service; the case engine (cases/unit.py) notifies its events in the same
    transaction through ``cases.notify.case_events_notify``."""
    return fn()


@dataclass
class Lifecycle:
    """A whole case, step by step: 提交 → 补正 → 补齐 → 受理 → 特别程序 → 延期 → 办结 → 出件."""

    setup: Setup
    case: Case | None = None
    steps: list[str] = field(default_factory=list)

    def run(self, *, on_step: Callable[[str], None] | None = None) -> Case:
        s = self.setup
        with clock.frozen(MONDAY):
            self.case = told(lambda: s.submit())
            cid = self.case.pk
            self._after("submitted", on_step)
            told(
                lambda: services.case_request_correction(
                    case_id=cid, clerk=s.clerk, missing=["lease"], note="租赁合同缺少签字页"
                ),
            )
            self._after("correction", on_step)
            told(
                lambda: services.case_supplement(
                    case_id=cid, by=s.applicant, materials=[upload("lease")]
                ),
            )
            told(lambda: services.case_accept(case_id=cid, clerk=s.clerk))
            self._after("accepted", on_step)
            licence = s.task(self.case, "licence")
            officer = s.officers["licence"]
            told(lambda: services.task_claim(task_id=licence.pk, officer=officer))
            told(
                lambda: services.task_pause(
                    task_id=licence.pk,
                    officer=officer,
                    kind="site_survey",
                    reason="现场核查经营场所",
                ),
            )
            self._after("paused", on_step)
            told(
                lambda: services.task_resume(
                    task_id=licence.pk, officer=officer, result="场所属实"
                ),
            )
            extension = told(
                lambda: services.extension_request(
                    task_id=licence.pk, officer=officer, days=2, reason="需补充核查"
                ),
            )
            told(
                lambda: services.extension_approve(extension_id=extension.pk, chief=s.chief),
            )
            self._after("extended", on_step)
            for key in ("licence", "seal", "invoice"):
                task = s.task(self.case, key)
                who = s.officers[key]
                if key != "licence":
                    told(
                        lambda t=task, w=who: services.task_claim(task_id=t.pk, officer=w),
                    )
                told(
                    lambda t=task, w=who: services.task_approve(
                        task_id=t.pk, officer=w, opinion="同意"
                    ),
                )
            self._after("completed", on_step)
            told(lambda: services.case_hand_out(case_id=cid, clerk=s.clerk))
            self._after("handed_out", on_step)
        self.case.refresh_from_db()
        return self.case

    def _after(self, name: str, on_step: Callable[[str], None] | None) -> None:
        self.steps.append(name)
        if on_step is not None:
            on_step(name)


@pytest.fixture
def lifecycle(setup) -> Lifecycle:
    return Lifecycle(setup)


# --------------------------------------------------------------------------- SMS gateway


class Gateway:
    """A real HTTP SMS gateway on 127.0.0.1: records the ids it accepted (2xx)."""

    def __init__(self) -> None:
        self.status = 200
        self.accepted: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway._lock:
                    gateway.requests.append(body)
                    gateway.auth.append(self.headers.get("Authorization", ""))
                    if gateway.status == 200:
                        gateway.accepted.append(body["id"])
                self.send_response(gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    gw = Gateway()
    gw.start()
    settings.ONESTOP_SMS_BACKEND = "http"
    settings.ONESTOP_SMS_URL = gw.url
    settings.ONESTOP_SMS_TOKEN = "test-token"
    settings.ONESTOP_SMS_TIMEOUT = 2
    yield gw
    gw.stop()
