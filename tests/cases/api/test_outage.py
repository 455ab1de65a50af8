"""A database outage seen through a real PgBouncer (Debian's package) is a 503 that a retry
resolves, and a submission made during it leaves no case behind (core/middleware.py).

Each test starts its own PgBouncer (transaction pooling, in front of the test database's
server) and points the application's connection at it; the outage is made with PgBouncer
itself: the pooler stopped (nothing listens on its port), or the database disabled and its
connections killed through the admin console (what a client sees while PostgreSQL restarts
behind a pooler that gives up on it). Skipped without the ``pgbouncer`` program.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from onestop.cases.models import Case
from onestop.core.middleware import RETRY_AFTER
from tests.cases.api.conftest import application, assert_problem

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(PGBOUNCER).exists(), reason="needs pgbouncer (apt-get install)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Pooler:
    """One PgBouncer process in a directory of its own, started and stopped by the test."""

    def __init__(self, backend_host: str, backend_port: int, user: str) -> None:
        self.port = _free_port()
        self.user = user
        self.dir = Path(tempfile.mkdtemp(prefix="onestop-pgbouncer-"))
        self.dir.chmod(0o755)  # PgBouncer runs as postgres when the tests run as root
        (self.dir / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={backend_host} port={backend_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir / 'userlist.txt'}\n"
            f"admin_users = {user}\npool_mode = transaction\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        for name in ("userlist.txt", "pgbouncer.ini"):
            (self.dir / name).chmod(0o644)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        user = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own ini
            [PGBOUNCER, *user, str(self.dir / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if self.admin("SHOW VERSION", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError("pgbouncer did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def admin(self, *commands: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        """Commands on PgBouncer's admin console (it speaks the simple protocol only: psql)."""
        args = ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user]
        args += ["-d", "pgbouncer", *(f"--command={command}" for command in commands)]
        return subprocess.run(args, capture_output=True, check=check, timeout=30)  # noqa: S603

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def _through(pooler: Pooler) -> Iterator[None]:
    """The application's connection goes through ``pooler`` (as ONESTOP_DB_POOLER=pgbouncer
    sets it up: no prepared statements), restored afterwards."""
    conn = connections["default"]
    saved = {key: conn.settings_dict[key] for key in ("HOST", "PORT", "OPTIONS")}
    conn.close()
    options = {
        key: value
        for key, value in (conn.settings_dict.get("OPTIONS") or {}).items()
        if key != "server_side_binding"
    }
    conn.settings_dict.update(HOST="127.0.0.1", PORT=pooler.port, OPTIONS=options)
    conn.settings_dict["OPTIONS"]["prepare_threshold"] = None
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(saved)


@pytest.fixture
def pooler() -> Iterator[Pooler]:
    settings_dict = connections["default"].settings_dict
    pooler = Pooler(
        settings_dict.get("HOST") or "127.0.0.1",
        int(settings_dict.get("PORT") or 5432),
        settings_dict.get("USER") or "postgres",
    )
    pooler.start()
    try:
        with _through(pooler):
            yield pooler
    finally:
        pooler.remove()


def test_a_submission_while_the_pooler_is_down_is_503_and_its_retry_makes_one_case(
    setup, people, pooler
):
    api = people.api("owner")
    browser = people.api("owner", session=True).client
    key = {"Idempotency-Key": "portal-outage"}
    assert api.get("/api/cases/mine").status_code == 200

    pooler.stop()  # nothing listens on the database port now
    refused = api.post("/api/cases", application(setup), headers=key)
    body = assert_problem(refused, 503)
    assert body["code"] == "unavailable"
    assert refused["Retry-After"] == str(RETRY_AFTER)
    page = browser.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == str(RETRY_AFTER)
    assert "服务暂时不可用" in page.content.decode()

    pooler.start()
    assert Case.objects.count() == 0  # the refused submission left nothing
    retried = api.post("/api/cases", application(setup), headers=key)
    assert retried.status_code == 201
    again = api.post("/api/cases", application(setup), headers=key)
    assert again.status_code == 200
    assert again.json()["number"] == retried.json()["number"]
    assert Case.objects.count() == 1


def test_a_database_the_pooler_gives_up_on_is_503_until_it_is_back(setup, people, pooler):
    api = people.api("owner")
    browser = people.api("owner", session=True).client
    assert api.get("/api/cases/mine").status_code == 200  # a connection is kept open now
    database = connections["default"].settings_dict["NAME"]

    # The kept connection is dropped and new ones are refused, as while the server restarts.
    pooler.admin(f"DISABLE {database}", f"KILL {database}")
    first = api.get("/api/cases/mine")
    assert assert_problem(first, 503)["code"] == "unavailable"
    second = api.get("/api/cases/mine")  # on a new connection, refused at login
    assert assert_problem(second, 503)["code"] == "unavailable"
    page = browser.get("/")
    assert page.status_code == 503
    assert "服务暂时不可用" in page.content.decode()

    pooler.admin(f"ENABLE {database}", f"RESUME {database}")
    retried = api.get("/api/cases/mine")
    assert retried.status_code == 200
    assert browser.get("/").status_code == 200
