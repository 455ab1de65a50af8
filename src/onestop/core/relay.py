"""A relay: what many committed transactions hand over is published in one call per window.

Publishing a Celery message costs a transition about half a millisecond on the request's
path. A relay takes it off: a committed transaction only adds its items (no I/O), and a
daemon thread of the process waits a short window for more, then calls ``publish`` once
with everything gathered. Whatever a relay carries must be recoverable without it — the
rows it points at are already committed, and a sweep finds what a relay lost with its
process (killed between commit and publish) — so a lost item costs time, never data.

A forked child (a gunicorn or Celery worker) starts its own thread on its first item.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)


class Relay:
    """Gather items; publish them on a daemon thread, once per ``window()`` seconds at most."""

    def __init__(
        self,
        name: str,
        *,
        publish: Callable[[list[Hashable]], None],
        window: Callable[[], float],
    ) -> None:
        self.name = name
        self._publish = publish
        self._window = window
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._items: list[Hashable] = []
        self._owner: int | None = None  # the process whose thread runs

    def add(self, *items: Hashable) -> None:
        """Hand items over (none: only ask for one publication soon); cheap, no I/O."""
        with self._lock:
            if self._owner != os.getpid():  # first use in this process (or a forked child)
                self._owner = os.getpid()
                self._items = []
                self._wanted = threading.Event()
                threading.Thread(
                    target=self._run, args=(self._wanted,), name=f"onestop-{self.name}", daemon=True
                ).start()
            self._items.extend(items)
        self._wanted.set()

    def _take(self) -> list[Hashable]:
        with self._lock:
            items, self._items = self._items, []
            self._wanted.clear()
        return list(dict.fromkeys(items))  # the same item twice in one window: once

    def _run(self, wanted: threading.Event) -> None:
        while True:
            wanted.wait()
            window = self._window()
            if window > 0:
                threading.Event().wait(window)  # let more commits join this publication
            items = self._take()
            try:
                self._publish(items)
            except Exception:  # the broker is down: the sweeps catch up later
                log.warning("%s: publishing failed", self.name, exc_info=True)
