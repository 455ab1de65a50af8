"""What a demo load counted, per kind of record (the sections and the command share it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class DemoSummary:
    """Per kind of record: how many the data set holds (``present``) and this run created."""

    created: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)

    @property
    def created_total(self) -> int:
        return sum(self.created.values())

    def tally(self, kind: str, *, created: bool) -> None:
        self.present[kind] += 1
        if created:
            self.created[kind] += 1
