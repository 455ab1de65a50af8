"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL set."""

from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
