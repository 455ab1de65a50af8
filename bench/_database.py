"""The throwaway database a benchmark writes into: created, pointed at, dropped.

A benchmark never writes into the configured database. ``throwaway`` gives it one of its
own for the length of a ``with`` block::

    with throwaway("onestop_bench_stats", args.database_url) as db:
        django.setup()  # after: the settings read DATABASE_URL
        ...

- With a PostgreSQL URL (``--database-url``, else ``DATABASE_URL``; an admin connection such
  as ``postgres://postgres@127.0.0.1:5432/postgres``) the database ``name`` is dropped if an
  earlier run left it (``WITH (FORCE)``), created, and dropped at the end. ``db.url`` is the
  same URL naming it (query options kept).
- Without one, a SQLite file in the run's data directory — or, with ``sqlite=False``, the
  script stops and says it needs PostgreSQL.

For Django it also sets ``ONESTOP_DATA_DIR`` (a temporary directory, removed at the end),
``ONESTOP_DEBUG=0`` (``DEBUG`` would keep every query), ``DJANGO_SETTINGS_MODULE`` and
``DATABASE_URL``, and unsets ``ONESTOP_BROKER_URL`` unless ``broker`` is given (no Celery:
after-commit reactions run in the process). ``db.keep = True`` inside the block keeps the
PostgreSQL database (``--keep``) and prints its URL instead of dropping it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def with_name(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead of its own."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    """One statement on its own autocommitted connection (CREATE / DROP DATABASE)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Database:
    name: str
    vendor: str  # "postgresql" or "sqlite"
    url: str  # what DATABASE_URL is set to
    admin_url: str  # the URL given (PostgreSQL), empty for SQLite
    tmp: Path  # the run's ONESTOP_DATA_DIR
    keep: bool = False


@contextlib.contextmanager
def throwaway(
    name: str, url: str = "", *, sqlite: bool = True, broker: str = ""
) -> Iterator[Database]:
    url = url or os.environ.get("DATABASE_URL", "")
    if not is_postgres(url) and not sqlite:
        sys.exit(f"this benchmark needs PostgreSQL: --database-url postgres://…/postgres ({name})")
    tmp = Path(tempfile.mkdtemp(prefix=f"{name.replace('_', '-')}-"))
    os.environ["ONESTOP_DATA_DIR"] = str(tmp)
    os.environ["ONESTOP_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    if broker:
        os.environ["ONESTOP_BROKER_URL"] = broker
    else:
        os.environ.pop("ONESTOP_BROKER_URL", None)
    if is_postgres(url):
        admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin(url, f"CREATE DATABASE {name}")
        db = Database(name, "postgresql", with_name(url, name), url, tmp)
    else:
        db = Database(name, "sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}", "", tmp)
    os.environ["DATABASE_URL"] = db.url
    try:
        yield db
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if db.vendor == "postgresql":
            if db.keep:
                print(f"kept {db.url}")
            else:
                admin(db.admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)
