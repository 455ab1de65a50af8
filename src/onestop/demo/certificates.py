"""Demo data of certificates (built by its issue)."""

from __future__ import annotations

from onestop.demo.summary import DemoSummary


def load_certificates(summary: DemoSummary) -> None:
    """Nothing yet."""
