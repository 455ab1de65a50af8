"""The edge of the API: the case-API callers (one login per role) and a frozen clock."""

from __future__ import annotations

from tests.cases.api.conftest import _frozen_clock, people  # noqa: F401 - fixtures
from tests.cases.conftest import _media, setup  # noqa: F401 - fixtures
