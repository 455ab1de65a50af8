"""Demo data of delivery (built by its issue)."""

from __future__ import annotations

from onestop.demo.summary import DemoSummary


def load_delivery(summary: DemoSummary) -> None:
    """Nothing yet."""
