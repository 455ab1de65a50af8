from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.6667 → "66.7%"; no value → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def decimal1(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
