"""The one source of "now". Services ask here, so tests can freeze time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC inside, like Django)."""
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """Today's date in Asia/Shanghai, where every working-day rule is counted."""
    return now().astimezone(SHANGHAI).date()


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Freeze ``now()`` at ``moment`` inside the block (tests, demo data, benchmarks)."""
    if moment.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous
