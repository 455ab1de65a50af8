"""Demo data of stats (built by its issue)."""

from __future__ import annotations

from onestop.demo.summary import DemoSummary


def load_stats(summary: DemoSummary) -> None:
    """Nothing yet."""
