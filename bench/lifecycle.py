"""Benchmark: complete package lifecycles through the case services vs a raw-SQL baseline.

Run (one command each; see bench/README.md):

    .venv/bin/python bench/lifecycle.py                       # SQLite, a temp file
    .venv/bin/python bench/lifecycle.py --database-url postgres://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL (an admin connection), the run creates a database ``onestop_bench``,
migrates it, and drops it at the end; with SQLite it uses a temporary file. Either way it
loads the Yiyang demo regions, people and catalogue (not the sample cases) and runs, on the
package 我要开办企业 with every situation answered "yes" (5 item tasks: 企业设立登记, then
刻章 / 发票 / 食品经营许可 / 社保登记 which depend on it):

1. **services** — N lifecycles, one service call per transition, each its own transaction:
   ``case_intake`` (hall window) → ``case_accept`` (fan-out) → for every task
   ``task_claim`` + ``task_approve`` (the last approval completes the case) →
   ``case_hand_out``. Materials are given as licence references (no file uploads, so
   storage I/O is not measured; no 告知承诺, so no verification tasks). The database settings
   are the platform's own (on PostgreSQL: prepared statements, unless
   ``ONESTOP_DB_PREPARED_STATEMENTS=0``).
2. **baseline** — the same N lifecycles with plain ``sqlite3`` / ``psycopg`` against five
   simple tables of its own (case, material, task, task dependency, event, plus a case-number
   counter): the same rows inserted and updated per transition, the case row locked
   (``SELECT … FOR UPDATE`` / ``BEGIN IMMEDIATE``), each event hash-chained with SHA-256,
   each transition in its own transaction. No ORM, no validation, no catalogue reads; psycopg
   prepares a statement run five times (its default).
   The two sides run interleaved, one lifecycle of each in turn (the side going first
   alternates), so a change in the load of the machine during the run falls on both alike.
3. **queries per transition** — a few more lifecycles under ``CaptureQueriesContext``.
4. **inbox latency** — a second thread with its own database connection runs the real
   ``inbox_for(officer)`` query in a loop, as an officer's inbox page polling would. The
   main thread notes the pending 刻章 task of a new case, approves 企业设立登记 (which makes
   刻章 ready for the police officer) and reads the clock as soon as the service call
   returns — its transaction has committed then. The latency is the time from that commit
   to the end of the first poll whose result contains the task (0 if a poll finished in
   between), so it includes the rest of the poll in flight at commit time plus the poll that
   sees the task; the duration of one poll is printed too. The two threads share the GIL,
   so the switch interval is lowered to 0.5 ms during this phase.

**Other apps' reactions** (``cases.hooks``: a result sealed on every approval, the
电子监察 signals re-evaluated and the figure rows refreshed after every transition, the
rating invitation lit on hand-out) run after commit. With ``--hooks on`` (the default, as in
production with a broker) the slow ones — sealing, the 电子监察 rules, the figures — are
deferred: handed to the relay and published to the broker for a worker, none of which runs
here, so the request path is what is timed. ``--hooks inline`` runs every reaction inside
the service call, as without a broker, and times it with it. ``--hooks off`` forgets them
after set-up: the engine and its notifications alone.

Prints figures; asserts nothing. ``DEBUG`` is off (it would log every query); passwords use the MD5 hasher (set-up only).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

BENCH_DB = "onestop_bench"
PACKAGE_CODE = "4309YJS0101"  # 我要开办企业
ANSWERS = {
    "enterprise_type": "company",
    "needs_seal": True,
    "needs_invoices": True,
    "sells_food": True,
    "hires_staff": True,
}


# ------------------------------------------------------------------------------ set-up


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def configure(args: argparse.Namespace) -> dict[str, Any]:
    """Point Django at a throwaway database before ``django.setup()``; return how to clean up."""
    tmp = Path(tempfile.mkdtemp(prefix="onestop-bench-"))
    os.environ["ONESTOP_DATA_DIR"] = str(tmp)
    os.environ["ONESTOP_DEBUG"] = "0"  # DEBUG would log every query
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    url = args.database_url or os.environ.get("DATABASE_URL", "")
    info: dict[str, Any] = {"tmp": tmp}
    if url.startswith(("postgres://", "postgresql://")):
        _pg_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        _pg_admin(url, f"CREATE DATABASE {BENCH_DB}")
        info.update(vendor="postgresql", admin_url=url, url=_with_db(url, BENCH_DB))
    else:
        info.update(vendor="sqlite", url=f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DATABASE_URL"] = info["url"]
    # Notifications are on, as in production: each transition writes its outbox rows and,
    # after commit, publishes one delivery task to the broker (a Redis database of its own,
    # purged at the end). No worker runs, so delivery itself is not measured; without a
    # broker Celery would deliver eagerly inside every transition.
    if args.broker:
        os.environ["ONESTOP_BROKER_URL"] = args.broker
    info["broker"] = args.broker
    return info


def cleanup(info: dict[str, Any]) -> None:
    from django.db import connections

    connections.close_all()
    if info.get("broker"):
        from onestop.config.celery import app

        app.control.purge()
    if info["vendor"] == "postgresql":
        _pg_admin(info["admin_url"], f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    shutil.rmtree(info["tmp"], ignore_errors=True)


def prepare() -> dict[str, Any]:
    """Migrate, load the demo regions, people and catalogue; return the cast of the run."""
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)
    from onestop.demo.loader import demo_load

    demo_load(until="catalog")  # the reference data: regions, organisations, people, catalogue

    from onestop.accounts.models import Applicant, ApplicantKind, Staff
    from onestop.catalog.models import PackageVersion, VersionStatus
    from onestop.catalog.selectors import package_plan
    from onestop.demo.cases import _FORM_VALUES

    staff = {s.user.username: s for s in Staff.objects.select_related("user", "region", "hall")}
    package = PackageVersion.objects.get(package__code=PACKAGE_CODE, status=VersionStatus.PUBLISHED)
    plan = package_plan(package, ANSWERS)
    form = {f.key: _FORM_VALUES[f.key] for f in plan.form_fields}
    return {
        "staff": staff,
        "clerk": staff["clerk"],
        "applicant": Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE).first(),
        "package": package,
        "form": form,
        "materials": [(m.key, m.necessity, m.is_held_by_government) for m in plan.materials],
        "officers": {
            kind: staff[name]
            for kind, name in {
                "market": "officer_market",
                "police": "officer_police",
                "tax": "officer_tax",
                "hrss": "officer_hrss",
            }.items()
        },
    }


# --------------------------------------------------------------------------- services


def material_inputs(cast: dict[str, Any]) -> list[Any]:
    """Every material the applicant must give, as a licence reference (no file I/O, and no
    告知承诺 verification tasks, which the baseline does not model)."""
    from onestop.cases.services import MaterialInput

    return [
        MaterialInput(key=key, licence_reference=f"DZZZ-{key}-0001")
        for key, _necessity, held in cast["materials"]
        if not held
    ]


class Timer:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.samples[name].append(time.perf_counter() - start)


def services_lifecycle(
    cast: dict[str, Any],
    timer: Callable[[str], Any],
    *,
    watch: InboxWatch | None = None,
    stop_after_first: bool = False,
) -> int:
    """One complete lifecycle through the services; returns the number of tasks decided."""
    from onestop.cases import services
    from onestop.cases.models import ItemTask
    from onestop.cases.states import TaskState

    clerk = cast["clerk"]
    officer_of = {o.department_id: o for o in cast["officers"].values()}
    with timer("submit"):
        case = services.case_intake(
            staff=clerk,
            applicant=cast["applicant"],
            package_version=cast["package"],
            answers=ANSWERS,
            form_data=cast["form"],
            materials=material_inputs(cast),
        )
    with timer("accept"):
        services.case_accept(case_id=case.pk, clerk=clerk)
    decided = 0
    while True:
        ready = list(
            ItemTask.objects.filter(case_id=case.pk, state=TaskState.READY)
            .order_by("pk")
            .values_list("pk", "department_id")
        )
        if not ready:
            break
        for task_id, department_id in ready:
            officer = officer_of[department_id]
            with timer("claim"):
                services.task_claim(task_id=task_id, officer=officer)
            if watch is not None:
                watch.expect(case.pk)
            with timer("approve"):
                services.task_approve(task_id=task_id, officer=officer, opinion="同意")
            if watch is not None:
                watch.committed(time.perf_counter())  # the atomic block has committed
            decided += 1
            if stop_after_first:
                return decided
    with timer("hand_out"):
        services.case_hand_out(case_id=case.pk, clerk=clerk)
    return decided


# --------------------------------------------------------------------------- baseline

BASELINE_TABLES = [
    """CREATE TABLE b_counter (region TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL,
       PRIMARY KEY (region, day))""",
    """CREATE TABLE b_case (id {pk}, number TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
       applicant_id INTEGER NOT NULL, answers TEXT NOT NULL, form_data TEXT NOT NULL,
       submitted_at {ts}, accepted_at {ts}, due_at {ts}, completed_at {ts}, delivered_at {ts},
       outcome TEXT NOT NULL DEFAULT '', created_at {ts}, updated_at {ts})""",
    """CREATE TABLE b_material (id {pk}, case_id INTEGER NOT NULL REFERENCES b_case(id),
       key TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, reference TEXT NOT NULL,
       created_at {ts}, updated_at {ts}, UNIQUE (case_id, key))""",
    """CREATE TABLE b_task (id {pk}, case_id INTEGER NOT NULL REFERENCES b_case(id),
       title TEXT NOT NULL, department_id INTEGER NOT NULL, region_code TEXT NOT NULL,
       state TEXT NOT NULL, assignee_id INTEGER, ready_at {ts}, due_at {ts}, decided_at {ts},
       opinion TEXT NOT NULL DEFAULT '', created_at {ts}, updated_at {ts})""",
    """CREATE TABLE b_task_dep (id {pk}, after_id INTEGER NOT NULL REFERENCES b_task(id),
       before_id INTEGER NOT NULL REFERENCES b_task(id))""",
    """CREATE TABLE b_event (id {pk}, case_id INTEGER NOT NULL REFERENCES b_case(id),
       seq INTEGER NOT NULL, kind TEXT NOT NULL, actor_id INTEGER, at {ts},
       from_state TEXT NOT NULL, to_state TEXT NOT NULL, payload TEXT NOT NULL,
       prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (case_id, seq))""",
    "CREATE INDEX b_task_inbox ON b_task (department_id, state, due_at)",
    "CREATE INDEX b_task_case ON b_task (case_id)",
    "CREATE INDEX b_material_case ON b_material (case_id)",
    "CREATE INDEX b_dep_before ON b_task_dep (before_id)",
    "CREATE INDEX b_dep_after ON b_task_dep (after_id)",
]


class Baseline:
    """The lifecycle's rows, written with plain DB-API calls (sqlite3 or psycopg)."""

    def __init__(self, info: dict[str, Any], items: list[tuple[str, int, list[int]]]) -> None:
        self.vendor = info["vendor"]
        self.items = items  # (title, department id, indexes of prerequisites)
        if self.vendor == "postgresql":
            import psycopg

            self.conn: Any = psycopg.connect(info["url"])
            self.ph, self.lock = "%s", " FOR UPDATE"
            pk, ts = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
        else:
            path = info["url"].removeprefix("sqlite:///")
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=20)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.ph, self.lock = "?", ""
            pk, ts = "INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"
        self.queries: dict[str, int] = defaultdict(int)
        self.current = ""
        self._begin()
        for ddl in BASELINE_TABLES:
            self.conn.execute(ddl.format(pk=pk, ts=ts))
        self._commit()

    # --- plumbing
    def _begin(self) -> None:
        if self.vendor == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self.conn.commit() if self.vendor == "postgresql" else self.conn.execute("COMMIT")

    @contextmanager
    def transaction(self, name: str) -> Iterator[None]:
        self.current = name
        self._begin()
        try:
            yield
        except BaseException:
            self.conn.rollback() if self.vendor == "postgresql" else self.conn.execute("ROLLBACK")
            raise
        self._commit()

    def q(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        self.queries[self.current] += 1
        return self.conn.execute(sql.replace("?", self.ph), params)

    def _now(self) -> Any:
        from django.utils import timezone

        moment = timezone.now()
        return moment if self.vendor == "postgresql" else moment.isoformat()

    def _insert(self, sql: str, params: tuple[Any, ...]) -> int:
        if self.vendor == "postgresql":
            return int(self.q(sql + " RETURNING id", params).fetchone()[0])
        return int(self.q(sql, params).lastrowid)

    def _lock_case(self, case_id: int) -> tuple[str, int, str]:
        state = self.q(f"SELECT state FROM b_case WHERE id = ?{self.lock}", (case_id,)).fetchone()[
            0
        ]
        head = self.q(
            "SELECT seq, hash FROM b_event WHERE case_id = ? ORDER BY seq DESC LIMIT 1", (case_id,)
        ).fetchone()
        return state, *(head or (0, ""))

    def _event(
        self, case_id: int, head: list[Any], kind: str, frm: str, to: str, payload: dict[str, Any]
    ) -> None:
        seq, prev = head[0] + 1, head[1]
        at = self._now()
        body = json.dumps(
            [case_id, seq, kind, 1, str(at), frm, to, payload, prev],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(body.encode()).hexdigest()
        self.q(
            "INSERT INTO b_event (case_id, seq, kind, actor_id, at, from_state, to_state, payload,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (case_id, seq, kind, 1, at, frm, to, json.dumps(payload), prev, digest),
        )
        head[0], head[1] = seq, digest

    def _case_state(self, case_id: int, head: list[Any], frm: str, to: str, kind: str) -> None:
        now = self._now()
        self.q("UPDATE b_case SET state = ?, updated_at = ? WHERE id = ?", (to, now, case_id))
        self._event(case_id, head, kind, frm, to, {})

    # --- transitions
    def submit(self, materials: list[tuple[str, str]], form: dict[str, Any]) -> int:
        with self.transaction("submit"):
            now = self._now()
            self.q(
                "INSERT INTO b_counter (region, day, last) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
                ("4309", "2026-01-01"),
            )
            last = self.q(
                f"SELECT last FROM b_counter WHERE region = ? AND day = ?{self.lock}",
                ("4309", "2026-01-01"),
            ).fetchone()[0]
            self.q(
                "UPDATE b_counter SET last = last + 1 WHERE region = ? AND day = ?",
                ("4309", "2026-01-01"),
            )
            case_id = self._insert(
                "INSERT INTO b_case (number, state, applicant_id, answers, form_data, submitted_at,"
                " created_at, updated_at) VALUES (?, 'submitted', 1, ?, ?, ?, ?, ?)",
                (
                    f"430900000000-20260101-{last + 1:05d}",
                    json.dumps(ANSWERS),
                    json.dumps(form, ensure_ascii=False),
                    now,
                    now,
                    now,
                ),
            )
            rows = [(case_id, key, key, status, "ref", now, now) for key, status in materials]
            # One executemany, like the services' bulk_create.
            self.queries[self.current] += 1
            cursor = self.conn.cursor()
            cursor.executemany(
                "INSERT INTO b_material (case_id, key, name, status, reference, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)".replace("?", self.ph),
                rows,
            )
            self._event(case_id, [0, ""], "submitted", "draft", "submitted", {"n": len(rows)})
        return case_id

    def accept(self, case_id: int) -> list[int]:
        with self.transaction("accept"):
            state, *h = self._lock_case(case_id)
            head = list(h)
            assert state == "submitted"
            now = self._now()
            self.q(
                "UPDATE b_case SET state = 'accepted', accepted_at = ?, due_at = ?, updated_at = ?"
                " WHERE id = ?",
                (now, now, now, case_id),
            )
            self._event(case_id, head, "accepted", "submitted", "accepted", {})
            ids: list[int] = []
            for title, department, before in self.items:
                is_ready = not before
                ids.append(
                    self._insert(
                        "INSERT INTO b_task (case_id, title, department_id, region_code, state,"
                        " assignee_id, ready_at, due_at, created_at, updated_at)"
                        " VALUES (?, ?, ?, '4309', ?, ?, ?, ?, ?, ?)",
                        (
                            case_id,
                            title,
                            department,
                            "ready" if is_ready else "pending",
                            department if is_ready else None,
                            now if is_ready else None,
                            now if is_ready else None,
                            now,
                            now,
                        ),
                    )
                )
            for index, (_title, _department, before) in enumerate(self.items):
                for b in before:
                    self.q(
                        "INSERT INTO b_task_dep (after_id, before_id) VALUES (?, ?)",
                        (ids[index], ids[b]),
                    )
                state_now = "pending" if before else "ready"
                self._event(case_id, head, "task_created", "", state_now, {"task": ids[index]})
            self._case_state(case_id, head, "accepted", "in_progress", "processing_started")
        return ids

    def claim(self, case_id: int, task_id: int) -> None:
        with self.transaction("claim"):
            _state, *h = self._lock_case(case_id)
            head = list(h)
            row = self.q(f"SELECT state FROM b_task WHERE id = ?{self.lock}", (task_id,)).fetchone()
            assert row[0] == "ready"
            self.q(
                "UPDATE b_task SET state = 'claimed', assignee_id = 1, updated_at = ? WHERE id = ?",
                (self._now(), task_id),
            )
            self._event(case_id, head, "task_claimed", "ready", "claimed", {"task": task_id})

    def approve(self, case_id: int, task_id: int) -> None:
        with self.transaction("approve"):
            _state, *h = self._lock_case(case_id)
            head = list(h)
            row = self.q(f"SELECT state FROM b_task WHERE id = ?{self.lock}", (task_id,)).fetchone()
            assert row[0] == "claimed"
            now = self._now()
            self.q(
                "UPDATE b_task SET state = 'approved', decided_at = ?, opinion = ?, updated_at = ?"
                " WHERE id = ?",
                (now, "同意", now, task_id),
            )
            self._event(case_id, head, "task_approved", "claimed", "approved", {"task": task_id})
            dependants = self.q(
                "SELECT t.id FROM b_task t JOIN b_task_dep d ON d.after_id = t.id"
                f" WHERE d.before_id = ? AND t.state = 'pending' ORDER BY t.id{self.lock}",
                (task_id,),
            ).fetchall()
            for (dependant,) in dependants:
                waiting = self.q(
                    "SELECT count(*) FROM b_task_dep d JOIN b_task t ON t.id = d.before_id"
                    " WHERE d.after_id = ? AND t.state <> 'approved'",
                    (dependant,),
                ).fetchone()[0]
                if waiting == 0:
                    self.q(
                        "UPDATE b_task SET state = 'ready', ready_at = ?, due_at = ?,"
                        " assignee_id = 1, updated_at = ? WHERE id = ?",
                        (now, now, now, dependant),
                    )
                    self._event(
                        case_id, head, "task_ready", "pending", "ready", {"task": dependant}
                    )
            still_open = self.q(
                "SELECT count(*) FROM b_task WHERE case_id = ?"
                " AND state IN ('pending', 'ready', 'claimed', 'paused')",
                (case_id,),
            ).fetchone()[0]
            if still_open == 0:
                self.q(
                    "UPDATE b_case SET state = 'completed', outcome = 'approved', completed_at = ?,"
                    " updated_at = ? WHERE id = ?",
                    (now, now, case_id),
                )
                self._event(case_id, head, "completed", "in_progress", "completed", {})

    def hand_out(self, case_id: int) -> None:
        with self.transaction("hand_out"):
            state, *h = self._lock_case(case_id)
            head = list(h)
            assert state == "completed"
            now = self._now()
            self.q(
                "UPDATE b_case SET state = 'delivered', delivered_at = ?, updated_at = ?"
                " WHERE id = ?",
                (now, now, case_id),
            )
            self._event(case_id, head, "handed_out", "completed", "delivered", {})

    def lifecycle(
        self, materials: list[tuple[str, str]], form: dict[str, Any], timer: Timer
    ) -> int:
        with timer("submit"):
            case_id = self.submit(materials, form)
        with timer("accept"):
            ids = self.accept(case_id)
        decided: set[int] = set()
        while len(decided) < len(ids):
            ready = [
                r[0]
                for r in self.conn.execute(
                    f"SELECT id FROM b_task WHERE case_id = {self.ph} AND state = 'ready'"
                    " ORDER BY id",
                    (case_id,),
                ).fetchall()
            ]
            if self.vendor == "postgresql":
                self.conn.commit()
            for task_id in ready:
                with timer("claim"):
                    self.claim(case_id, task_id)
                with timer("approve"):
                    self.approve(case_id, task_id)
                decided.add(task_id)
        with timer("hand_out"):
            self.hand_out(case_id)
        return len(decided)

    def rows(self) -> dict[str, int]:
        tables = ["b_case", "b_material", "b_task", "b_task_dep", "b_event"]
        result = {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}  # noqa: S608
        if self.vendor == "postgresql":
            self.conn.commit()
        return result

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


TRANSITIONS = ["submit", "accept", "claim", "approve", "hand_out"]


def print_timings(title: str, timer: Timer) -> None:
    print(f"\n{title}: per transition (ms)        n      p50      p99     mean")
    for name in TRANSITIONS:
        values = timer.samples.get(name, [])
        if values:
            print(
                f"  {name:<28} {len(values):6d} {ms(pct(values, 0.5))} {ms(pct(values, 0.99))}"
                f" {ms(statistics.fmean(values))}"
            )


def count_queries(cast: dict[str, Any], lifecycles: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, list[int]] = defaultdict(list)
    tables: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    @contextmanager
    def capture(name: str) -> Iterator[None]:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            yield
        counts[name].append(len(ctx.captured_queries))
        for query in ctx.captured_queries:
            sql = query["sql"].lstrip()
            verb = sql.split(" ", 1)[0].upper()
            if verb in {"SAVEPOINT", "RELEASE"}:
                verb = "SAVEPOINT/RELEASE"
            tables[name][verb] += 1

    for _ in range(lifecycles):
        services_lifecycle(cast, capture)
    print(f"\nqueries per transition (services, mean of {lifecycles} lifecycles; by statement)")
    for name in TRANSITIONS:
        values = counts.get(name, [])
        if values:
            per = {k: v / len(values) for k, v in sorted(tables[name].items())}
            detail = ", ".join(f"{k} {v:.1f}" for k, v in per.items())
            print(f"  {name:<10} {statistics.fmean(values):6.1f}   ({detail})")
    return {name: statistics.fmean(v) for name, v in counts.items()}


class InboxWatch:
    """Which task the poller waits for, when its transaction committed, when a poll saw it."""

    def __init__(self, department_id: int) -> None:
        self.department_id = department_id
        self.lock = threading.Lock()
        self.task_id: int | None = None
        self.commit_at: float | None = None
        self.seen_at: float | None = None
        self.latencies: list[float] = []

    def expect(self, case_id: int) -> None:
        """Before the approval: the case's pending task of the watched department."""
        from onestop.cases.models import ItemTask
        from onestop.cases.states import TaskState

        task_id = (
            ItemTask.objects.filter(
                case_id=case_id, department_id=self.department_id, state=TaskState.PENDING
            )
            .values_list("pk", flat=True)
            .first()
        )
        with self.lock:
            self.task_id, self.commit_at, self.seen_at = task_id, None, None

    def committed(self, at: float) -> None:
        with self.lock:
            self.commit_at = at
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            with self.lock:
                if self.seen_at is not None:
                    # A poll may finish between the commit and our clock read: count it as 0.
                    self.latencies.append(max(0.0, self.seen_at - at))
                    self.task_id = None
                    return
            time.sleep(0.0002)

    def polled(self, ids: set[int], end: float) -> None:
        with self.lock:
            if self.task_id is not None and self.seen_at is None and self.task_id in ids:
                self.seen_at = end


def inbox_latency(cast: dict[str, Any], samples: int) -> None:
    from django.db import connections

    from onestop.cases.selectors import inbox_for

    officer = cast["officers"]["police"]  # 刻章 becomes ready when 企业设立登记 is approved
    watch = InboxWatch(officer.department_id)
    polls: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        try:
            while not stop.is_set():
                start = time.perf_counter()
                ids = set(inbox_for(officer).values_list("pk", flat=True))
                end = time.perf_counter()
                polls.append(end - start)
                watch.polled(ids, end)
        finally:
            connections.close_all()

    # Both threads share one interpreter: a shorter GIL switch interval keeps the poller from
    # waiting up to 5 ms for the main thread (separate worker processes would not wait at all).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        for _ in range(samples):
            services_lifecycle(cast, Timer(), watch=watch, stop_after_first=True)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    found = watch.latencies
    print(
        f"\ninbox latency (commit → end of the first poll that shows the task, {len(found)}"
        f" samples; a second thread loops on inbox_for(officer), {len(polls)} polls)"
    )
    print(
        f"  latency  p50 {ms(pct(found, 0.5))} ms   p99 {ms(pct(found, 0.99))} ms"
        f"   max {ms(max(found) if found else float('nan'))} ms"
    )
    print(f"  one inbox poll  p50 {ms(pct(polls, 0.5))} ms   p99 {ms(pct(polls, 0.99))} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=200, help="lifecycles per side (200)")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL admin URL (creates and drops onestop_bench); default: SQLite temp file",
    )
    parser.add_argument("--query-sample", type=int, default=5, help="lifecycles for query counts")
    parser.add_argument(
        "--broker",
        default="redis://127.0.0.1:6379/15",
        help="Celery broker the notifications are published to ('' : deliver eagerly)",
    )
    parser.add_argument("--inbox-samples", type=int, default=50, help="inbox latency samples")
    parser.add_argument(
        "--hooks",
        choices=["on", "inline", "off"],
        default="on",
        help="other apps' after-commit reactions to case events (on: as in production — the"
        " slow ones published to the broker's worker, none of which runs here; inline: all on"
        " the committing thread, as without a broker; off: none)",
    )
    args = parser.parse_args()

    info = configure(args)
    import django

    django.setup()
    try:
        run(args, info)
    finally:
        cleanup(info)


def run(args: argparse.Namespace, info: dict[str, Any]) -> None:
    from django.conf import settings

    from onestop.cases import hooks

    started = time.perf_counter()
    cast = prepare()

    settings.ONESTOP_HOOKS_DEFERRED = args.hooks != "inline"
    paused = hooks.handlers_paused() if args.hooks == "off" else contextlib.nullcontext()
    with paused:
        _run(args, info, cast, started)


def _run(args: argparse.Namespace, info: dict[str, Any], cast: Any, started: float) -> None:
    from django.db import connection

    from onestop.cases.models import Case, CaseEvent, CaseMaterial, ItemTask

    if connection.vendor == "sqlite":
        server = f"SQLite {connection.Database.sqlite_version} (WAL, synchronous=NORMAL)"
    else:
        major, minor = divmod(connection.pg_version, 10000)
        server = f"PostgreSQL {major}.{minor} (synchronous_commit as configured)"
    print(
        f"onestop bench/lifecycle — {server}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs; set-up {time.perf_counter() - started:.1f} s"
    )
    print(f"package 我要开办企业 (5 tasks, 1 → 4), {args.cases} lifecycles per side")
    print(f"other apps' case-event hooks: {args.hooks}")

    # warm-up: imports, caches (calendar, translations), connection
    services_lifecycle(cast, Timer())

    # The baseline writes the same rows: materials with the statuses the services stored.
    last_case = Case.objects.order_by("-pk").first()
    plan_items = list(
        ItemTask.objects.filter(case=last_case)
        .order_by("pk")
        .values_list("pk", "title", "department_id")
    )
    index = {pk: i for i, (pk, _t, _d) in enumerate(plan_items)}
    deps = ItemTask.depends_on.through.objects.filter(from_itemtask_id__in=index).values_list(
        "from_itemtask_id", "to_itemtask_id"
    )
    before: dict[int, list[int]] = defaultdict(list)
    for after, prerequisite in deps:
        before[index[after]].append(index[prerequisite])
    items = [(title, dept, before[i]) for i, (_pk, title, dept) in enumerate(plan_items)]
    materials = list(last_case.materials.order_by("pk").values_list("key", "status"))
    form = cast["form"]
    baseline = Baseline(info, items)
    baseline.lifecycle(materials, form, Timer())  # warm-up

    base_rows = {
        "case": Case.objects.count(),
        "material": CaseMaterial.objects.count(),
        "task": ItemTask.objects.count(),
        "task_dep": ItemTask.depends_on.through.objects.count(),
        "event": CaseEvent.objects.count(),
    }
    warm = baseline.rows()
    baseline.queries.clear()

    # Interleaved, one lifecycle of each side in turn (the side going first alternates), so
    # that the load of this shared machine, which drifts over a run, falls on both alike.
    svc, base = Timer(), Timer()
    tasks = base_tasks = 0
    svc_elapsed = base_elapsed = 0.0
    for i in range(args.cases):
        for side in ("services", "baseline") if i % 2 == 0 else ("baseline", "services"):
            start = time.perf_counter()
            if side == "services":
                tasks += services_lifecycle(cast, svc)
                svc_elapsed += time.perf_counter() - start
            else:
                base_tasks += baseline.lifecycle(materials, form, base)
                base_elapsed += time.perf_counter() - start
    svc_rows = {
        "case": Case.objects.count() - base_rows["case"],
        "material": CaseMaterial.objects.count() - base_rows["material"],
        "task": ItemTask.objects.count() - base_rows["task"],
        "task_dep": ItemTask.depends_on.through.objects.count() - base_rows["task_dep"],
        "event": CaseEvent.objects.count() - base_rows["event"],
    }
    base_queries = {k: v / args.cases for k, v in baseline.queries.items()}
    after = baseline.rows()
    base_rows_run = {k.removeprefix("b_"): after[k] - warm[k] for k in after}
    baseline.close()

    print("\nrows written per lifecycle      services   baseline")
    for key in ["case", "material", "task", "task_dep", "event"]:
        print(
            f"  {key:<28} {svc_rows[key] / args.cases:8.1f} {base_rows_run[key] / args.cases:10.1f}"
        )

    svc_cps, base_cps = args.cases / svc_elapsed, args.cases / base_elapsed
    print("\nthroughput                       cases/s    tasks/s   elapsed s")
    print(
        f"  services                     {svc_cps:10.1f} {tasks / svc_elapsed:10.1f} {svc_elapsed:10.2f}"
    )
    print(
        f"  baseline (raw SQL)           {base_cps:10.1f} {base_tasks / base_elapsed:10.1f}"
        f" {base_elapsed:10.2f}"
    )
    print(
        f"  ratio services / baseline    {svc_cps / base_cps:10.2f}×  (target ≥ 0.5× on PostgreSQL)"
    )

    print_timings("services", svc)
    print_timings("baseline", base)
    print(
        "\nstatements per transition (baseline): "
        + ", ".join(
            f"{name} {base_queries.get(name, 0) / max(1, len(base.samples[name]) / args.cases):.1f}"
            for name in TRANSITIONS
        )
    )

    count_queries(cast, args.query_sample)
    inbox_latency(cast, args.inbox_samples)
    print(f"\ntotal run {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
