"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SETUP = "import django; django.setup()"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ONESTOP_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="onestop.config.settings",
        ONESTOP_DATA_DIR=str(data_dir),
        ONESTOP_ENV="production",
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _run(["-c", SETUP], _env(tmp_path, ONESTOP_ALLOWED_HOSTS="zwfw.example.gov.cn"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ONESTOP_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key was generated behind our back


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = _run(["-c", SETUP], _env(tmp_path, ONESTOP_SECRET_KEY="k" * 30 + "ey-Z9x!q" * 5))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ONESTOP_ALLOWED_HOSTS" in result.stderr


def test_configured_production_passes_the_deploy_checks(tmp_path):
    env = _env(
        tmp_path,
        ONESTOP_SECRET_KEY="q8-Vd2mZ7rLx0wT5nB3kP9sY1cF6hJ4gN8aE2uR7iO0lW5tK3vX9zC1bM6yQ4pS",
        ONESTOP_ALLOWED_HOSTS="zwfw.example.gov.cn",
    )
    result = _run(["-m", "onestop", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


PRINT_DB_OPTIONS = (
    "import django; django.setup(); from django.conf import settings;"
    " print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"
)


def test_postgresql_prepares_repeated_statements_by_default(tmp_path):
    env = _env(tmp_path, ONESTOP_ENV="development", DATABASE_URL="postgres://u@db:5432/onestop")
    result = _run(["-c", PRINT_DB_OPTIONS], env)
    assert result.returncode == 0, result.stderr
    assert "('prepare_threshold', 5)" in result.stdout
    assert "('server_side_binding', True)" in result.stdout


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    env = _env(
        tmp_path,
        ONESTOP_ENV="development",
        DATABASE_URL="postgres://u@db:5432/onestop",
        ONESTOP_DB_PREPARED_STATEMENTS="0",
    )
    result = _run(["-c", PRINT_DB_OPTIONS], env)
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout
    assert "prepare_threshold" not in result.stdout


PRINT_DB_SETTINGS = (
    "import django; django.setup(); from django.conf import settings;"
    " db = settings.DATABASES['default'];"
    " print(db['ENGINE'], db['DISABLE_SERVER_SIDE_CURSORS'], sorted(db['OPTIONS'].items()))"
)


def test_behind_pgbouncer_nothing_outlives_a_transaction(tmp_path):
    env = _env(
        tmp_path,
        ONESTOP_ENV="development",
        DATABASE_URL="postgres://u@pooler:6432/onestop",
        ONESTOP_DB_POOLER="pgbouncer",
    )
    result = _run(["-c", PRINT_DB_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["onestop.core.db.postgresql", "True"]
    assert "('prepare_threshold', None)" in result.stdout
    assert "server_side_binding" not in result.stdout


def test_an_unknown_pooler_is_refused(tmp_path):
    env = _env(
        tmp_path,
        ONESTOP_ENV="development",
        DATABASE_URL="postgres://u@pooler:6432/onestop",
        ONESTOP_DB_POOLER="pgpool",
    )
    result = _run(["-c", PRINT_DB_SETTINGS], env)
    assert result.returncode != 0
    assert "ONESTOP_DB_POOLER" in result.stderr


def test_sqlite_takes_no_postgresql_options(tmp_path):
    result = _run(["-c", PRINT_DB_OPTIONS], _env(tmp_path, ONESTOP_ENV="development"))
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout
    assert "transaction_mode" in result.stdout
