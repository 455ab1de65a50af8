"""Benchmark: writing clients while PostgreSQL restarts once, directly and through PgBouncer.

Run as root or as the postgres user (loopback only; stops by itself, about a minute):

    .venv/bin/python bench/restart.py [--clients 8] [--seconds 25] [--restart-at 8]

It never touches the machine's PostgreSQL: it makes a cluster of its own (``initdb`` from
``/usr/lib/postgresql/<major>/bin``, trust, 127.0.0.1 and a free port, in a temporary
directory) and a PgBouncer in front of it (``.ci/pgbouncer``: transaction pooling, the
timeouts CI uses), and removes both at the end. Twice — through PgBouncer, then directly —
``--clients`` threads each keep one connection (as ``CONN_MAX_AGE`` does; no prepared
statements, as ``ONESTOP_DB_POOLER=pgbouncer``) and run short write transactions (an
INSERT with a unique key and a read) as fast as they can; ``--restart-at`` seconds in, the
cluster is restarted once (``pg_ctl restart -m fast``). A client that gets an error closes
its connection, waits 0.2 s and goes on with a new one, as a retry after a 503 would.

Prints, per path: the restart's duration, commits acknowledged and how many of them are
missing afterwards (lost), errors by kind (with whether the connection was left closed —
what the application's 503 rests on, core/middleware.py), and latency p50 / max.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


class Cluster:
    """A PostgreSQL cluster of this run's own."""

    def __init__(self, base: Path) -> None:
        self.port = _free_port()
        self.data = base / "data"
        self.base = base
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-l",
                  str(self.base / "postgres.log"), "-o", options, action)  # fmt: skip

    def create(self) -> None:
        if self.as_postgres:
            shutil.chown(self.base, "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._ctl("start")

    def restart(self) -> float:
        t0 = time.monotonic()
        self._ctl("restart")
        return time.monotonic() - t0

    def stop(self) -> None:
        self._ctl("stop")


def probe(url: str, admin: str, args: argparse.Namespace, cluster: Cluster) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS probe")
        conn.execute("CREATE TABLE probe (id bigint PRIMARY KEY, at timestamptz DEFAULT now())")
    stop = time.monotonic() + args.seconds
    errors: collections.Counter[str] = collections.Counter()
    acked: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        conn = None
        n = 0
        while time.monotonic() < stop:
            n += 1
            key = k * 10_000_000 + n
            t0 = time.monotonic()
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(url, prepare_threshold=None, connect_timeout=5)
                with conn.transaction():
                    conn.execute("INSERT INTO probe (id) VALUES (%s)", [key])
                    conn.execute("SELECT count(*) FROM probe WHERE id < %s", [key])
                with lock:
                    acked.append(key)
                    latencies.append(time.monotonic() - t0)
            except psycopg.Error as exc:
                closed = conn is None or conn.closed
                first = str(exc).splitlines()[0][:70] if str(exc) else ""
                with lock:
                    errors[f"{type(exc).__name__} (connection closed: {closed}): {first}"] += 1
                    latencies.append(time.monotonic() - t0)
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.2)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.restart_at)
    restart = cluster.restart()
    for thread in threads:
        thread.join()
    with psycopg.connect(admin) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM probe")}
    latencies.sort()
    return {
        "restart": restart,
        "acked": len(acked),
        "lost": sum(1 for key in acked if key not in stored),
        "errors": errors,
        "p50": latencies[len(latencies) // 2] * 1000,
        "max": latencies[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8, help="writing clients (8)")
    parser.add_argument("--seconds", type=float, default=25, help="seconds per path (25)")
    parser.add_argument("--restart-at", type=float, default=8, help="restart after (8 s)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="onestop-bench-restart-"))
    base.chmod(0o755)
    cluster = Cluster(base / "pg")
    cluster.base.mkdir()
    pooler_dir = base / "pgbouncer"
    pooler_port = _free_port()
    try:
        cluster.create()
        subprocess.run(  # noqa: S603
            [
                str(ROOT / ".ci" / "pgbouncer"),
                "start",
                str(pooler_dir),
                str(pooler_port),
                str(cluster.port),
            ],  # fmt: skip
            check=True,
        )
        direct = f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres"
        pooled = f"host=127.0.0.1 port={pooler_port} user=postgres dbname=postgres"
        print(f"onestop bench/restart — {args.clients} clients, {args.seconds:g} s per path, "
              f"restart at {args.restart_at:g} s, {os.cpu_count()} CPUs")  # fmt: skip
        for label, url in (("through PgBouncer", pooled), ("directly", direct)):
            r = probe(url, direct, args, cluster)
            print(
                f"\n{label}: restart {r['restart']:.1f} s; {r['acked']:,} commits acknowledged, "
                f"{r['lost']} lost; {sum(r['errors'].values())} errors; "
                f"latency p50 {r['p50']:.0f} ms, max {r['max']:.0f} ms"
            )
            for kind, count in r["errors"].most_common():
                print(f"  {count:5d}  {kind}")
    finally:
        subprocess.run(  # noqa: S603
            [str(ROOT / ".ci" / "pgbouncer"), "stop", str(pooler_dir)], check=False
        )
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
