"""Demo data of evaluations (built by its issue)."""

from __future__ import annotations

from onestop.demo.summary import DemoSummary


def load_evaluations(summary: DemoSummary) -> None:
    """Nothing yet."""
