"""Server-rendered charts: the numbers a template needs to draw bars, columns and gauges
in inline SVG (no script, no CDN). Every chart is drawn next to the table of its numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TREND_WIDTH, TREND_HEIGHT = 600, 180


BAR_PITCH = 20  # each bar's slot in the SVG's user units
BAR_X = 110  # labels to the left of here
BAR_MAX = 160  # the longest bar; its value is written after it


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float
    y: int

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= 8 else self.label[:7] + "…"

    @property
    def text_y(self) -> int:
        return self.y + 14

    @property
    def bar_y(self) -> int:
        return self.y + 4

    @property
    def value_x(self) -> float:
        return BAR_X + self.width + 4


def bars(pairs: Sequence[tuple[str, int]]) -> list[Bar]:
    """Labelled horizontal bars in a 320 × (BAR_PITCH · n) box."""
    top = max((v for _l, v in pairs), default=0)
    return [
        Bar(label, value, round(BAR_MAX * value / top, 1) if top else 0.0, i * BAR_PITCH)
        for i, (label, value) in enumerate(pairs)
    ]


def bars_height(items: Sequence[Bar]) -> int:
    return max(len(items), 1) * BAR_PITCH


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def columns(pairs: Sequence[tuple[str, int]]) -> list[Column]:
    """Columns in a TREND_WIDTH × TREND_HEIGHT box, largest reaching the top."""
    if not pairs:
        return []
    top = max(v for _l, v in pairs) or 1
    slot = TREND_WIDTH / len(pairs)
    width = max(slot * 0.8, 0.5)
    out = []
    for i, (label, value) in enumerate(pairs):
        height = TREND_HEIGHT * value / top
        out.append(
            Column(
                label,
                value,
                round(i * slot + (slot - width) / 2, 2),
                round(TREND_HEIGHT - height, 2),
                round(width, 2),
                round(height, 2),
            )
        )
    return out


@dataclass(frozen=True)
class Gauge:
    rate: float | None
    path: str  # the filled arc, in a 200 × 110 box
    percent: str


def gauge(rate: float | None) -> Gauge:
    """A half-circle gauge: the arc from the left end to the rate."""
    if rate is None:
        return Gauge(None, "", "—")
    share = min(max(rate, 0.0), 1.0)
    angle = math.pi * (1 - share)
    cx, cy, r = 100.0, 100.0, 80.0
    x, y = cx + r * math.cos(angle), cy - r * math.sin(angle)
    path = f"M 20 100 A 80 80 0 0 1 {x:.2f} {y:.2f}" if share > 0 else ""
    return Gauge(share, path, f"{share * 100:.1f}%")
