"""Demo data of supervision (built by its issue)."""

from __future__ import annotations

from onestop.demo.summary import DemoSummary


def load_supervision(summary: DemoSummary) -> None:
    """Nothing yet."""
