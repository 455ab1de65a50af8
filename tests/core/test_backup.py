"""``onestop backup`` / ``onestop restore``: the database and the files, consistent, verified.

Every test runs on the configured database (SQLite by default, PostgreSQL with
``DATABASE_URL``); the dump format test is PostgreSQL's own.
"""

from __future__ import annotations

import importlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from onestop.accounts.models import User
from onestop.cases.models import Case, CaseEvent, CaseMaterial
from onestop.core import backup
from tests.factories.cases import PDF, Setup, start_business, upload

pytestmark = pytest.mark.django_db(transaction=True)

_guard = importlib.import_module("onestop.cases.migrations.0006_events_append_only")

SIGNED = PDF + b"%signed by the landlord\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def setup() -> Setup:
    return start_business()


@pytest.fixture
def cases(setup):
    """Three cases through the services: one done, one being worked on with a signed lease
    uploaded, one just submitted."""
    done = setup.completed()
    materials = [m for m in setup.full_materials() if m.key != "lease"]
    working = setup.accepted(materials=[*materials, upload("lease", body=SIGNED)])
    fresh = setup.submit()
    return [done, working, fresh]


def _state():
    """What a user would see again after a restore: the cases, their events, their files."""
    cases = [(c.number, c.state) for c in Case.objects.order_by("number")]
    events = list(
        CaseEvent.objects.order_by("case__number", "seq").values_list(
            "case__number", "seq", "kind", "hash"
        )
    )
    files = {}
    for material in CaseMaterial.objects.exclude(file="").order_by("pk"):
        with default_storage.open(material.file.name, "rb") as f:
            files[material.file.name] = f.read()
    return cases, events, files


def _backup(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("backup", "--output", str(path), *args, stdout=out)
    return out.getvalue()


def _restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _wipe() -> None:
    """Lose everything: every row (the event log too) and every stored file."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(default_storage.location, ignore_errors=True)


def _audit() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_round_trip_brings_back_cases_events_and_files_and_audit_passes(cases, tmp_path):
    before = _state()
    assert len(before[0]) == 3
    assert SIGNED in before[2].values()
    orphan = default_storage.save("cases/lost/unreferenced.pdf", ContentFile(b"draft left over"))
    target = tmp_path / "backup"

    printed = _backup(target)
    assert printed.startswith(f"OK: backup in {target}")
    _wipe()
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not default_storage.exists(next(iter(before[2])))

    printed = _restore(target)

    assert f"audit verify: OK: 3 cases, {len(before[1])} events, every chain intact." in printed
    assert "PROBLEM" not in printed
    assert _state() == before  # cases, every event with its hash, every file byte for byte
    assert _audit().startswith("OK: 3 cases")
    with default_storage.open(orphan, "rb") as f:  # unreferenced files come back too
        assert f.read() == b"draft left over"


def test_the_restored_platform_goes_on_working(setup, cases, tmp_path):
    _backup(tmp_path / "b")
    _wipe()
    _restore(tmp_path / "b")
    from onestop.cases import services

    accepted = services.case_accept(case_id=cases[2].pk, clerk=setup.clerk)
    assert accepted.number == cases[2].number
    assert _audit().startswith("OK: 3 cases")


def test_manifest_describes_the_snapshot(cases, tmp_path):
    _backup(tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["engine"] == connection.vendor
    assert manifest["created_at"]
    leaves = MigrationLoader(connection).graph.leaf_nodes("cases")
    assert manifest["migrations"]["cases"]["heads"] == [name for _app, name in leaves]
    assert manifest["events"]["events"] == CaseEvent.objects.count()
    assert manifest["events"]["cases"] == 3
    last = CaseEvent.objects.order_by("-pk").first()
    assert manifest["events"]["last_hash"] == last.hash
    material = CaseMaterial.objects.get(case=cases[1], key="lease")
    entry = next(e for e in manifest["files"] if e["name"] == material.file.name)
    assert entry["size"] == len(SIGNED)
    assert entry["sha256"] == backup.hashlib.sha256(SIGNED).hexdigest()
    assert entry["referenced"] is True
    assert (tmp_path / "b" / "files" / material.file.name).read_bytes() == SIGNED
    assert manifest["missing_files"] == []


def test_a_tampered_file_is_refused_and_nothing_is_touched(cases, tmp_path):
    _backup(tmp_path / "b")
    material = CaseMaterial.objects.get(case=cases[1], key="lease")
    copy = tmp_path / "b" / "files" / material.file.name
    copy.write_bytes(copy.read_bytes().replace(b"landlord", b"somebody"))
    _wipe()

    with pytest.raises(CommandError, match="备份校验失败，未做任何改动") as info:
        _restore(tmp_path / "b")

    assert f"files/{material.file.name} 与清单不符" in str(info.value)
    assert not Case.objects.exists()
    assert not default_storage.exists(material.file.name)


def test_a_tampered_database_file_is_refused(cases, tmp_path):
    _backup(tmp_path / "b")
    name = "db.sqlite3" if connection.vendor == "sqlite" else "db.dump"
    with (tmp_path / "b" / name).open("ab") as f:
        f.write(b"\0")
    _wipe()

    with pytest.raises(CommandError, match=f"{name} 与清单不符"):
        _restore(tmp_path / "b")
    assert not Case.objects.exists()


def test_a_directory_without_manifest_is_refused(cases, tmp_path):
    _backup(tmp_path / "b")
    (tmp_path / "b" / "manifest.json").unlink()  # as an interrupted backup leaves it
    _wipe()

    with pytest.raises(CommandError, match="没有 manifest.json：这不是一个完整的备份"):
        _restore(tmp_path / "b")
    assert not Case.objects.exists()


def test_restore_over_a_non_empty_database_needs_force(setup, cases, tmp_path):
    _backup(tmp_path / "b")
    later = setup.submit()  # made after the backup

    with pytest.raises(CommandError, match="当前数据库不是空的.*加 --force"):
        _restore(tmp_path / "b")
    assert Case.objects.filter(pk=later.pk).exists()

    printed = _restore(tmp_path / "b", "--force")

    assert "audit verify: OK: 3 cases" in printed
    assert not Case.objects.filter(number=later.number).exists()
    assert Case.objects.count() == 3


def test_a_case_submitted_during_the_file_copy_is_not_half_in_the_backup(
    setup, cases, tmp_path, monkeypatch
):
    """The database is read first and the files after: a case that arrives while files are
    being copied is neither in the snapshot nor a dangling reference in it."""
    before = _state()
    real_copy = backup._copy_out
    arrived = []

    def copy_while_an_applicant_submits(storage, name, target):
        if not arrived:
            arrived.append(setup.submit())
        return real_copy(storage, name, target)

    monkeypatch.setattr(backup, "_copy_out", copy_while_an_applicant_submits)
    _backup(tmp_path / "b")
    monkeypatch.undo()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["events"]["cases"] == 3
    _wipe()

    printed = _restore(tmp_path / "b")

    assert "audit verify: OK: 3 cases" in printed
    assert _state() == before
    assert not Case.objects.filter(number=arrived[0].number).exists()


def test_a_backup_from_a_newer_version_is_refused(cases, tmp_path):
    _backup(tmp_path / "b")
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["migrations"]["cases"]["applied"].append("9999_from_the_future")
    path.write_text(json.dumps(manifest), encoding="utf-8")
    _wipe()

    with pytest.raises(CommandError, match="本版本没有的迁移（cases.9999_from_the_future）"):
        _restore(tmp_path / "b")
    assert not Case.objects.exists()


def test_a_backup_from_an_older_version_is_migrated_after_restore(cases, tmp_path):
    call_command("migrate", "workdays", "0001", verbosity=0)  # as an older onestop left it
    _backup(tmp_path / "b")
    call_command("migrate", verbosity=0)
    _wipe()

    printed = _restore(tmp_path / "b")

    assert "migrations applied" in printed
    assert "audit verify: OK: 3 cases" in printed
    out = io.StringIO()
    call_command("showmigrations", "workdays", stdout=out)
    assert "[X] 0002_seed_from_chinesecalendar" in out.getvalue()


def test_a_backup_of_another_engine_is_refused(cases, tmp_path):
    _backup(tmp_path / "b")
    path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest["engine"] = other
    manifest["database"]["name"] = "db.dump" if other == "postgresql" else "db.sqlite3"
    (tmp_path / "b" / ("db.sqlite3" if other == "postgresql" else "db.dump")).rename(
        tmp_path / "b" / manifest["database"]["name"]
    )
    path.write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(CommandError, match=f"备份来自 {other} 数据库.*不能跨数据库恢复"):
        _restore(tmp_path / "b", "--force")
    assert Case.objects.count() == 3


def test_backup_refuses_a_directory_in_use(cases, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="已存在且不是空目录"):
        _backup(tmp_path / "b")
    assert not (tmp_path / "b" / "manifest.json").exists()


def test_a_referenced_file_missing_from_storage_fails_the_backup(cases, tmp_path):
    material = CaseMaterial.objects.get(case=cases[1], key="lease")
    default_storage.delete(material.file.name)

    with pytest.raises(CommandError, match=f"1 个文件在存储中不存在：{material.file.name}"):
        _backup(tmp_path / "b")
    assert not (tmp_path / "b" / "manifest.json").exists()
    with pytest.raises(CommandError, match="不是一个完整的备份"):
        _restore(tmp_path / "b", "--force")

    printed = _backup(tmp_path / "c", "--allow-missing")
    assert "WARNING: 1 referenced files were missing" in printed
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["missing_files"] == [material.file.name]


@pytest.fixture
def trigger_dropped():
    """Someone with database access dropped the append-only trigger; put back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_guard.POSTGRES_BACKWARD)
        else:
            for statement in _guard.SQLITE_BACKWARD:
                cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_guard.POSTGRES_BACKWARD + _guard.POSTGRES_FORWARD)
        else:
            for statement in _guard.sqlite_triggers():
                cursor.execute(statement)


@pytest.mark.usefixtures("trigger_dropped")
def test_a_backup_of_a_tampered_log_restores_but_fails_the_audit(cases, tmp_path):
    CaseEvent.objects.filter(case=cases[1], seq=2).update(reason="改过的意见")
    _backup(tmp_path / "b")
    _wipe()

    with pytest.raises(CommandError, match="恢复后的检查未通过"):
        out = io.StringIO()
        try:
            call_command("restore", str(tmp_path / "b"), stdout=out)
        finally:
            printed = out.getvalue()

    assert f"BROKEN {cases[1].number} #2: 内容与哈希不符（事件被篡改）" in printed
    assert "FAILED: 1 of 3 cases" in printed
    assert Case.objects.count() == 3  # restored as it was backed up, and reported


def test_a_missing_postgres_client_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "POSTGRES_BIN_GLOB", str(tmp_path / "none"))
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="找不到 pg_dump.*postgresql-client"):
        backup.postgres_program("pg_dump")


def test_the_client_of_the_servers_version_is_preferred(monkeypatch, tmp_path):
    for version in ("13", "15", "17"):
        program = tmp_path / "postgresql" / version / "bin" / "pg_dump"
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    monkeypatch.setattr(backup, "POSTGRES_BIN_GLOB", str(tmp_path / "postgresql" / "*" / "bin"))
    assert backup.postgres_program("pg_dump", 150004).endswith("/postgresql/15/bin/pg_dump")
    assert backup.postgres_program("pg_dump", 180001).endswith("/postgresql/17/bin/pg_dump")


def test_an_empty_database_is_empty_and_users_make_it_not(db):
    assert backup.database_is_empty()
    User.objects.create_user(username="someone", password="x")  # noqa: S106
    assert not backup.database_is_empty()


@pytest.mark.postgres
def test_postgres_backup_is_a_pg_dump_archive(cases, tmp_path):
    _backup(tmp_path / "b")
    assert (tmp_path / "b" / "db.dump").read_bytes()[:5] == b"PGDMP"
    assert not (tmp_path / "b" / "db.sqlite3").exists()
    _wipe()
    printed = _restore(tmp_path / "b")
    assert "audit verify: OK: 3 cases" in printed


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")
def test_restore_while_another_connection_writes_says_to_stop_the_server(cases, tmp_path):
    _backup(tmp_path / "b")
    _wipe()
    name = connection.settings_dict["NAME"]
    other = sqlite3.connect(name, uri=name.startswith("file:"), timeout=0)
    other.execute("BEGIN IMMEDIATE")  # a server process in the middle of a transaction
    other.execute("DELETE FROM django_session")
    try:
        with pytest.raises(CommandError, match="恢复前请先停止网站服务和后台任务"):
            _restore(tmp_path / "b")
    finally:
        other.rollback()
        other.close()
    assert not Case.objects.exists()


@pytest.mark.postgres
def test_postgres_refuses_a_database_with_tables_the_backup_lacks(cases, tmp_path):
    """``pg_restore --clean`` drops only what the dump holds: a table a newer version made
    would survive and break the migrations the restore applies."""
    _backup(tmp_path / "b")
    _wipe()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_feature (id integer)")
    try:
        with pytest.raises(CommandError, match="当前数据库有备份中没有的表（later_feature）"):
            _restore(tmp_path / "b")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE later_feature")
    assert not Case.objects.exists()
    assert "audit verify: OK: 3 cases" in _restore(tmp_path / "b")


def test_behind_pgbouncer_the_client_programs_connect_directly(settings):
    """pg_restore empties search_path for its session: through a transaction pooler that
    would reach the next client, so behind one the programs need ONESTOP_DB_DIRECT_URL."""
    pooled = {"NAME": "onestop", "HOST": "127.0.0.1", "PORT": 6432, "USER": "app"}
    settings.ONESTOP_DB_POOLED = True
    settings.ONESTOP_DB_DIRECT = {}
    with pytest.raises(backup.BackupError, match="ONESTOP_DB_DIRECT_URL"):
        backup._postgres_args(pooled)

    settings.ONESTOP_DB_DIRECT = {"HOST": "db.internal", "PORT": 5432, "USER": "postgres"}
    args, _env = backup._postgres_args(pooled)
    assert args[:6] == ["--host", "db.internal", "--port", "5432", "--username", "postgres"]
