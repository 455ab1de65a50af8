"""A consistent backup of the database and the stored files, and its restore.

``backup_create`` takes the database snapshot first (SQLite: the online backup API into
``db.sqlite3``; PostgreSQL: ``pg_dump -Fc`` into ``db.dump`` from a snapshot the process keeps
open), reads what the snapshot says (migrations applied, the event log's head, the files its
rows reference) from that same snapshot, then copies the file storage into ``files/`` and
writes ``manifest.json`` last: a directory without one is an interrupted backup, and
``backup_restore`` refuses it. A file written after the snapshot is copied too and is merely
unreferenced; a referenced file that is missing is an error.

``backup_restore`` checks everything before it changes anything (the manifest, the size and
SHA-256 of the database file and of every stored file, the engine, the migrations, an empty
database unless forced), then restores the database and the files, applies the migrations
the code has beyond the backup, and checks the result: the event log ends where the
manifest says, every referenced file is in storage, and ``onestop audit verify`` passes.

The kernel does not import the apps above it (tests/test_layers.py): the event log and the
audit command are reached by name (``apps.get_model``, ``call_command``), as ``onestop
serve`` loads ``WSGI_APPLICATION``.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.models import OuterRef, Subquery
from django.db.utils import load_backend

from onestop.core import clock

FORMAT = "onestop-backup/1"
MANIFEST = "manifest.json"
FILES_DIR = "files"
SQLITE_FILE = "db.sqlite3"
POSTGRES_FILE = "db.dump"
_CHUNK = 1024 * 1024

# Where the case event log lives, and the column that may hold the storage name of an
# uploaded letter of authorisation beside the FileFields (cases.files.files_referenced); it
# holds the letter's number otherwise, so only a value shaped like a storage name (a path
# below a directory, no spaces) counts as a file.
EVENT_MODEL = ("cases", "CaseEvent")
NAMED_FILE_COLUMNS: tuple[tuple[str, str, str], ...] = (("cases", "Case", "agent_authorisation"),)
# Debian keeps one directory per PostgreSQL major version; PATH may hold only one of them.
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_SNAPSHOT_ALIAS = "onestop_backup_snapshot"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's terms."""


@dataclass(frozen=True)
class BackupResult:
    directory: Path
    engine: str
    files: int
    bytes: int
    events: int
    missing: tuple[str, ...]


@dataclass
class RestoreResult:
    directory: Path
    engine: str
    files_written: int
    files_unchanged: int
    migrated: bool
    problems: list[str] = field(default_factory=list)
    audit_ok: bool = False
    audit_output: str = ""

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.problems


# --- reading what a database says -----------------------------------------------------------


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"不支持的数据库：{connection.vendor}（只支持 SQLite 和 PostgreSQL）。")
    return str(connection.vendor)


def migrations_applied(alias: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, list[str]]]:
    """Per app, the migrations applied in the database and the heads among them."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied = sorted(loader.applied_migrations)
    result: dict[str, dict[str, list[str]]] = {}
    for app_label, name in applied:
        result.setdefault(app_label, {"heads": [], "applied": []})["applied"].append(name)
    graph_nodes = loader.graph.nodes
    parents: set[tuple[str, str]] = set()
    for key in applied:
        if key in graph_nodes:
            parents.update(
                parent.key
                for parent in loader.graph.node_map[key].parents
                if parent.key[0] == key[0]
            )
    for app_label, name in applied:
        if (app_label, name) not in parents:
            result[app_label]["heads"].append(name)
    return result


def migrations_unknown(applied: dict[str, dict[str, list[str]]]) -> list[str]:
    """The applied migrations this code does not have (a backup from a newer onestop)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations) | set(loader.replacements)
    return sorted(
        f"{app_label}.{name}"
        for app_label, entry in applied.items()
        for name in entry["applied"]
        if (app_label, name) not in known and app_label in loader.migrated_apps
    )


def event_chain_head(alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Where the event log ends: its size, last row, and a digest of every case's last hash.

    The digest is SHA-256 over ``case id:seq:hash`` of each case's last event in case order:
    with the count, a restore that lost, added or changed an event's place does not
    reproduce it (``onestop audit verify`` checks the contents).
    """
    nothing = hashlib.sha256().hexdigest()
    empty = {"events": 0, "cases": 0, "last_id": None, "last_hash": "", "heads_sha256": nothing}
    try:
        event = apps.get_model(*EVENT_MODEL)
    except LookupError:
        return empty
    if event._meta.db_table not in connections[alias].introspection.table_names():
        return empty  # a database not migrated yet
    rows = event._base_manager.using(alias)
    count = rows.count()
    last = rows.order_by("-pk").values_list("pk", "hash").first()
    newest_seq = rows.filter(case_id=OuterRef("case_id")).order_by("-seq").values("seq")[:1]
    heads = (
        rows.filter(seq=Subquery(newest_seq))
        .order_by("case_id")
        .values_list("case_id", "seq", "hash")
    )
    digest = hashlib.sha256()
    cases = 0
    for case_id, seq, digest_of_event in heads.iterator(chunk_size=2000):
        digest.update(f"{case_id}:{seq}:{digest_of_event}\n".encode())
        cases += 1
    return {
        "events": count,
        "cases": cases,
        "last_id": last[0] if last else None,
        "last_hash": last[1] if last else "",
        "heads_sha256": digest.hexdigest(),
    }


def files_referenced(alias: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Every storage name a row points at: every FileField of every model, and the named
    columns that hold storage names (``NAMED_FILE_COLUMNS``)."""
    # A model whose table the database lacks (not migrated there) references nothing.
    tables = set(connections[alias].introspection.table_names())
    columns_of: list[tuple[type[models.Model], list[str]]] = []
    for model in apps.get_models():
        columns = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)
        ]
        if columns:
            columns_of.append((model, columns))
    names: set[str] = set()
    for model, columns in columns_of:
        if model._meta.db_table in tables:
            rows = model._base_manager.using(alias).order_by().values_list(*columns)
            names.update(name for row in rows.iterator(chunk_size=5000) for name in row if name)
    for app_label, model_name, column in NAMED_FILE_COLUMNS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if model._meta.db_table in tables:
            values = (
                model._base_manager.using(alias)
                .order_by()
                .filter(**{f"{column}__contains": "/"})
                .values_list(column, flat=True)
            )
            names.update(v for v in values.iterator(chunk_size=5000) if _storage_shaped(v))
    return names


def _storage_shaped(value: str) -> bool:
    return "/" in value and _safe_name(value) and not any(c.isspace() for c in value)


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """No user account and no case event: nothing a restore would overwrite that matters.

    Tables migrations fill (content types, permissions, the working-day calendar) do not
    count; every applicant, staff member and case belongs to a user account.
    """
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    user = get_user_model()
    if user._meta.db_table in tables and user._base_manager.using(alias).exists():
        return False
    try:
        event = apps.get_model(*EVENT_MODEL)
    except LookupError:
        return True
    return not (event._meta.db_table in tables and event._base_manager.using(alias).exists())


@contextlib.contextmanager
def _sqlite_snapshot_alias(path: Path) -> Iterator[str]:
    """A read-only Django connection to a SQLite snapshot file, for the ORM to read it.

    The connection is this thread's only and not added to ``DATABASES``: nothing else
    (a router, another thread) can pick it up.
    """
    settings_dict = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(
        ENGINE="django.db.backends.sqlite3",
        NAME=f"file:{path}?mode=ro",
        OPTIONS={"uri": True},
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
        CONN_MAX_AGE=0,
    )
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, _SNAPSHOT_ALIAS)
    connections[_SNAPSHOT_ALIAS] = wrapper
    try:
        yield _SNAPSHOT_ALIAS
    finally:
        wrapper.close()
        del connections[_SNAPSHOT_ALIAS]


def _facts(alias: str) -> dict[str, Any]:
    return {
        "migrations": migrations_applied(alias),
        "events": event_chain_head(alias),
        "referenced": files_referenced(alias),
    }


# --- PostgreSQL client programs -------------------------------------------------------------


def _version_of(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/(\d+)/", path)
    return (int(match.group(1)),) if match else (0,)


def postgres_program(name: str, server_version: int | None = None) -> str:
    """The path of ``pg_dump`` / ``pg_restore``: Debian's directory of the server's major
    version when there is one, else the newest found there or on PATH."""
    candidates = sorted(
        (p for p in glob.glob(f"{POSTGRES_BIN_GLOB}/{name}") if os.access(p, os.X_OK)),
        key=_version_of,
        reverse=True,
    )
    if server_version:
        major = server_version // 10000
        candidates.sort(key=lambda p: _version_of(p) != (major,))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    if not candidates:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 的备份与恢复需要 PostgreSQL 客户端程序"
            f"（Debian：apt-get install postgresql-client），"
            f"在 PATH 和 {POSTGRES_BIN_GLOB} 中都没有找到。"
        )
    return candidates[0]


def _postgres_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the client programs from DATABASES — on
    ``ONESTOP_DB_DIRECT_URL``'s host, port and user when it is set. Behind PgBouncer
    (``ONESTOP_DB_POOLER``) it must be: pg_restore empties ``search_path`` for its session,
    which a transaction pooler would hand on to whoever gets that server connection next."""
    direct = getattr(settings, "ONESTOP_DB_DIRECT", {})
    if getattr(settings, "ONESTOP_DB_POOLED", False) and not direct:
        raise BackupError(
            "数据库经 PgBouncer（事务池）连接时，pg_dump 和 pg_restore 须直连 PostgreSQL："
            "请设置 ONESTOP_DB_DIRECT_URL。未做任何改动。"
        )
    settings_dict = {**settings_dict, **direct}
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    args += ["--no-password"]
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(  # noqa: S603 -- a fixed program with arguments, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        raise BackupError(
            f"{what}失败（{Path(command[0]).name} 退出码 {completed.returncode}）：{detail}"
        )


# --- files ------------------------------------------------------------------------------------


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def stored_files(storage: Storage | None = None) -> list[str]:
    """Every file name in the storage, depth first; for a local storage none that a
    symbolic link leads out of its root."""
    storage = storage or default_storage
    try:
        root: str | None = os.path.realpath(storage.path(""))
    except NotImplementedError:  # not a local storage: names are keys, nothing to follow
        root = None
    found: list[str] = []
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            dirs, files = storage.listdir(directory)
        except FileNotFoundError:
            continue
        for sub in sorted(dirs, reverse=True):
            path = posixpath.join(directory, sub) if directory else sub
            if root is None or os.path.realpath(storage.path(path)).startswith(root + os.sep):
                pending.append(path)
        for name in sorted(files):
            path = posixpath.join(directory, name) if directory else name
            if root is None or os.path.realpath(storage.path(path)).startswith(root + os.sep):
                found.append(path)
    return found


def _copy_out(storage: Storage, name: str, target: Path) -> tuple[int, str] | None:
    """Copy one stored file into the backup; its size and SHA-256, None if it is gone."""
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        source = storage.open(name, "rb")
    except FileNotFoundError:
        return None
    with source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _stored_sha256(storage: Storage, name: str) -> str | None:
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup -----------------------------------------------------------------------------------


def _snapshot_sqlite(connection: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # one step: one consistent read
        # The snapshot is one self-contained file (the live database runs in WAL mode).
        destination.execute("PRAGMA journal_mode=DELETE")
        problem = destination.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"读取数据库 {connection.settings_dict['NAME']} 失败：{exc}") from None
    finally:
        destination.close()
    if problem != "ok":
        raise BackupError(f"数据库快照未通过 SQLite 完整性检查：{problem}")
    with _sqlite_snapshot_alias(target) as alias:
        return _facts(alias)


def _snapshot_postgres(connection: BaseDatabaseWrapper, target: Path) -> dict[str, Any]:
    program = postgres_program("pg_dump", connection.pg_version)  # type: ignore[attr-defined]
    args, env = _postgres_args(connection.settings_dict)
    if connection.in_atomic_block:
        raise BackupError("备份不能在一个打开的数据库事务中进行。")
    # The dump and the reads below see one snapshot: pg_dump joins this transaction's.
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(
            [
                program,
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            env,
            "pg_dump 导出数据库",
        )
        return _facts(connection.alias)


def backup_create(
    *, output: Path, allow_missing: bool = False, storage: Storage | None = None
) -> BackupResult:
    """Back up the database and the files into ``output`` (new or empty); manifest last."""
    storage = storage or default_storage
    output = Path(output).resolve()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(f"备份目录 {output} 已存在且不是空目录：请指定一个新的目录。")
    output.mkdir(parents=True, exist_ok=True)
    connection = connections[DEFAULT_DB_ALIAS]
    engine = _vendor(connection)
    created_at = clock.now()
    database_file = output / (SQLITE_FILE if engine == "sqlite" else POSTGRES_FILE)
    if engine == "sqlite":
        facts = _snapshot_sqlite(connection, database_file)
    else:
        facts = _snapshot_postgres(connection, database_file)
    db_size, db_sha = _hash_file(database_file)

    referenced: set[str] = facts["referenced"]
    entries: list[dict[str, Any]] = []
    total = 0
    files_root = output / FILES_DIR
    files_root.mkdir()
    for name in stored_files(storage):
        copied = _copy_out(storage, name, files_root / name)
        if copied is None:  # deleted since it was listed
            continue
        size, sha = copied
        total += size
        entries.append(
            {"name": name, "size": size, "sha256": sha, "referenced": name in referenced}
        )
    present = {entry["name"] for entry in entries}
    missing = sorted(referenced - present)
    if missing and not allow_missing:
        shown = "、".join(missing[:10]) + ("……" if len(missing) > 10 else "")
        raise BackupError(
            f"数据库引用的 {len(missing)} 个文件在存储中不存在：{shown}。"
            "备份未完成（没有写 manifest.json）；确认文件确已丢失后，可用 --allow-missing 记下它们再备份。"
        )
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "engine": engine,
        "onestop_version": _version(),
        "database": {"name": database_file.name, "size": db_size, "sha256": db_sha},
        "migrations": facts["migrations"],
        "events": facts["events"],
        "files": entries,
        "missing_files": missing,
    }
    # Written last and renamed into place, after everything before it is on disk (one
    # sync for all the files: a sync per file is most of the time of a backup): its
    # presence means the backup is complete.
    os.sync()
    partial = output / (MANIFEST + ".partial")
    with partial.open("w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(output / MANIFEST)
    directory_fd = os.open(output, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
    return BackupResult(
        directory=output,
        engine=engine,
        files=len(entries),
        bytes=total,
        events=facts["events"]["events"],
        missing=tuple(missing),
    )


def _version() -> str:
    try:
        return metadata.version("onestop")
    except metadata.PackageNotFoundError:
        return ""


# --- restore ----------------------------------------------------------------------------------


def backup_verify(directory: Path) -> dict[str, Any]:
    """The manifest of a complete, untampered backup; ``BackupError`` naming what is wrong."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupError(f"备份目录 {directory} 不存在。")
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{directory} 中没有 {MANIFEST}：这不是一个完整的备份（备份被中断，或目录不对），拒绝恢复。"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} 不是 {FORMAT} 格式的备份清单。")
    problems: list[str] = []
    database = manifest.get("database") or {}
    expected_db = SQLITE_FILE if manifest.get("engine") == "sqlite" else POSTGRES_FILE
    if database.get("name") != expected_db:
        problems.append(f"数据库文件应为 {expected_db}")
    else:
        problems += _check_file(directory / expected_db, database, expected_db)
    for entry in manifest.get("files") or []:
        name = str(entry.get("name", ""))
        if not _safe_name(name):
            problems.append(f"文件名不安全：{name!r}")
            continue
        problems += _check_file(directory / FILES_DIR / name, entry, f"{FILES_DIR}/{name}")
    if problems:
        shown = "；".join(problems[:10]) + ("……" if len(problems) > 10 else "")
        raise BackupError(f"备份校验失败，未做任何改动（{len(problems)} 处）：{shown}")
    return manifest


def _check_file(path: Path, entry: dict[str, Any], label: str) -> list[str]:
    if not path.is_file():
        return [f"{label} 缺失"]
    size, sha = _hash_file(path)
    if size != entry.get("size") or sha != entry.get("sha256"):
        return [f"{label} 与清单不符（大小或 SHA-256 不同，文件被改动）"]
    return []


def _restore_sqlite(connection: BaseDatabaseWrapper, source: Path) -> None:
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        origin.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            f"写入数据库 {connection.settings_dict['NAME']} 失败：{exc}。"
            "恢复前请先停止网站服务和后台任务（它们还在使用数据库）。"
        ) from None
    finally:
        origin.close()


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)


def _postgres_tables_beyond_dump_refuse(connection: BaseDatabaseWrapper, source: Path) -> None:
    """Refuse when the database has tables the dump lacks (made by migrations newer than
    the backup): ``--clean`` drops only what the dump holds, so they would survive the
    restore, and the migrations that made them would then fail to make them again."""
    connection.ensure_connection()
    program = postgres_program("pg_restore", connection.pg_version)  # type: ignore[attr-defined]
    completed = subprocess.run(  # noqa: S603 -- a fixed program with arguments, no shell
        [program, "--list", str(source)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_restore 无法读取 {source.name}：{completed.stderr.strip()}")
    in_dump = {table for _schema, table in _TOC_TABLE.findall(completed.stdout)}
    extra = sorted(set(connection.introspection.table_names()) - in_dump)
    if extra:
        raise BackupError(
            f"当前数据库有备份中没有的表（{'、'.join(extra[:10])}），多为比备份新的版本所建："
            "请恢复到一个空数据库（dropdb 后 createdb），恢复会补做迁移。未做任何改动。"
        )


def _restore_postgres(connection: BaseDatabaseWrapper, source: Path) -> None:
    connection.ensure_connection()
    program = postgres_program("pg_restore", connection.pg_version)  # type: ignore[attr-defined]
    args, env = _postgres_args(connection.settings_dict)
    connections.close_all()  # no session of ours holds a lock the drops would wait for
    _run(
        [
            program,
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        env,
        "pg_restore 恢复数据库",
    )


def _restore_files(directory: Path, manifest: dict[str, Any], storage: Storage) -> tuple[int, int]:
    written = unchanged = 0
    for entry in manifest.get("files") or []:
        name = entry["name"]
        if _stored_sha256(storage, name) == entry["sha256"]:
            unchanged += 1
            continue
        if storage.exists(name):
            storage.delete(name)
        with (directory / FILES_DIR / name).open("rb") as f:
            saved = storage.save(name, File(f, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(f"文件 {name} 恢复后名为 {saved}，与数据库引用不符。")
        written += 1
    return written, unchanged


def _audit() -> tuple[bool, str]:
    """``onestop audit verify``: whether it passed, and what it printed."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except SystemExit as exc:
        return exc.code in (0, None), out.getvalue()
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def backup_restore(
    *, directory: Path, force: bool = False, storage: Storage | None = None
) -> RestoreResult:
    """Restore a verified backup over the configured database and file storage.

    Nothing is changed unless the backup verifies, matches the engine and the code's
    migrations, and the database is empty or ``force`` is given. Afterwards the event log,
    the referenced files and the audit are checked and reported in the result.
    """
    storage = storage or default_storage
    directory = Path(directory).resolve()
    manifest = backup_verify(directory)
    connection = connections[DEFAULT_DB_ALIAS]
    engine = _vendor(connection)
    if manifest["engine"] != engine:
        raise BackupError(
            f"备份来自 {manifest['engine']} 数据库，当前配置的是 {engine}：不能跨数据库恢复。"
        )
    unknown = migrations_unknown(manifest.get("migrations") or {})
    if unknown:
        raise BackupError(
            "备份中的数据库已应用本版本没有的迁移（" + "、".join(unknown[:5]) + "）："
            "请用不低于备份时的 onestop 版本恢复。"
        )
    if connection.in_atomic_block:
        raise BackupError("恢复不能在一个打开的数据库事务中进行。")
    if not force and not database_is_empty():
        raise BackupError(
            "当前数据库不是空的（已有用户或办件事件）：恢复会覆盖它。确认要覆盖时加 --force。"
        )

    database_file = directory / manifest["database"]["name"]
    if engine == "sqlite":
        _restore_sqlite(connection, database_file)
    else:
        _postgres_tables_beyond_dump_refuse(connection, database_file)
        _restore_postgres(connection, database_file)
    _caches_clear()
    written, unchanged = _restore_files(directory, manifest, storage)
    result = RestoreResult(
        directory=directory,
        engine=engine,
        files_written=written,
        files_unchanged=unchanged,
        migrated=False,
    )
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True)
    if set(loader.graph.leaf_nodes()) - set(loader.applied_migrations):
        call_command("migrate", interactive=False, verbosity=0)
        result.migrated = True

    head = event_chain_head()
    if head != manifest["events"]:
        result.problems.append(
            f"恢复后的事件日志与备份清单不符：清单 {manifest['events']['events']} 个事件，"
            f"数据库 {head['events']} 个（或末尾哈希不同）。"
        )
    recorded_missing = set(manifest.get("missing_files") or [])
    lost = sorted(
        name
        for name in files_referenced()
        if name not in recorded_missing and not storage.exists(name)
    )
    if lost:
        result.problems.append(
            f"数据库引用的 {len(lost)} 个文件恢复后不在存储中：" + "、".join(lost[:10])
        )
    result.audit_ok, result.audit_output = _audit()
    return result


def _caches_clear() -> None:
    """Forget what this process cached from the database the restore replaced."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
