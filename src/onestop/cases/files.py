"""Uploaded files no row references: the sweep that removes them from storage.

A material's file is written to storage inside the submission (or supplement) transaction;
when that transaction rolls back the row is gone but the file stays. ``files_sweep_orphans``
deletes such files once they are older than any transaction could run, using only the
storage API (so it works with storages other than the file system).

A file a supplement replaced is no longer referenced by its row, but the case's event log
still records its SHA-256: it is what the applicant handed in, so it is kept as evidence.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.db.models import Q

from onestop.cases.models import Case, CaseEvent
from onestop.core import clock

# Where the cases app's FileFields write: ``CaseMaterial.file`` goes to
# ``cases/<case number>/<key>-<sha256 prefix><ext>`` (its ``upload_to`` is a callable, so the
# directory cannot be read off the field). Only files below these directories are swept.
UPLOAD_DIRS: tuple[str, ...] = ("cases",)

DEFAULT_OLDER_THAN = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SweepResult:
    """What one sweep found; with ``dry_run`` the deleted names are those it would delete."""

    kept: int
    deleted: int
    bytes_freed: int
    deleted_names: tuple[str, ...]
    dry_run: bool


def files_referenced() -> set[str]:
    """Every storage name a row points at: all FileFields of every model, one query per model.

    Every app's fields count, not only the cases app's, so a file shared with another model is
    never taken for an orphan. ``Case.agent_authorisation`` may hold the storage path of an
    uploaded letter of authorisation, so its values count as well.
    """
    names: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.FileField)  # ImageField is a FileField
        ]
        if not fields:
            continue
        rows = model._base_manager.values_list(*fields).iterator()
        names.update(name for row in rows for name in row if name)
    names.update(
        Case.objects.exclude(agent_authorisation="")
        .values_list("agent_authorisation", flat=True)
        .iterator()
    )
    return names


def _hashes_in(value: Any, found: set[str]) -> None:
    """Collect every ``sha256`` recorded anywhere in an event payload."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sha256" and isinstance(item, str):
                found.add(item)
            else:
                _hashes_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _hashes_in(item, found)


def files_recorded(names: list[str]) -> set[str]:
    """Of these material files, those whose content their case's event log records: one query
    for the events of all their cases. A case's files are ``cases/<number>/<key>-<sha256
    prefix><ext>``; those chosen while it was a draft stay at ``cases/drafts/<id>/…``."""
    by_number: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_id: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for name in names:
        parts = name.split("/")
        prefix = posixpath.splitext(parts[-1])[0].rpartition("-")[2]
        if not prefix:
            continue
        if len(parts) == 3:
            by_number[parts[1]].append((name, prefix))
        elif len(parts) == 4 and parts[1] == "drafts" and parts[2].isdigit():
            by_id[int(parts[2])].append((name, prefix))
    if not by_number and not by_id:
        return set()
    hashes: dict[int, set[str]] = defaultdict(set)
    numbers: dict[str, int] = {}
    events = CaseEvent.objects.filter(
        Q(case__number__in=list(by_number)) | Q(case_id__in=list(by_id))
    ).values_list("case_id", "case__number", "payload")
    for case_id, number, payload in events.iterator():
        numbers[number] = case_id
        _hashes_in(payload, hashes[case_id])
    entries = [(hashes[case_id], e) for case_id, e in by_id.items()]
    entries += [(hashes[numbers[n]], e) for n, e in by_number.items() if n in numbers]
    return {
        name
        for recorded, files in entries
        for name, prefix in files
        if any(h.startswith(prefix) for h in recorded)
    }


def _inside(storage: Storage, name: str, root: str) -> bool:
    """Whether ``name`` stays below ``root``: no ``..``, and no symlink leading out of it."""
    parts = name.split("/")
    if name.startswith("/") or ".." in parts or parts[0] != root:
        return False
    try:
        real_root = os.path.realpath(storage.path(root))
        real = os.path.realpath(storage.path(name))
    except NotImplementedError:  # not a local storage: names are keys, nothing to follow
        return True
    return real.startswith(real_root + os.sep)


def _walk(storage: Storage, root: str) -> list[str]:
    """Every file name below ``root``, depth first, never leaving it."""
    found: list[str] = []
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            dirs, files = storage.listdir(directory)
        except FileNotFoundError:
            continue
        for sub in sorted(dirs):
            path = posixpath.join(directory, sub)
            if _inside(storage, path, root):
                pending.append(path)
        found.extend(
            posixpath.join(directory, f)
            for f in sorted(files)
            if _inside(storage, posixpath.join(directory, f), root)
        )
    return found


def files_sweep_orphans(
    *, older_than: dt.timedelta = DEFAULT_OLDER_THAN, dry_run: bool = False
) -> SweepResult:
    """Delete uploaded files no row references and not modified within ``older_than``.

    A file younger than ``older_than`` is kept even when unreferenced: its transaction may
    still be running; so is one whose hash the case's event log records (a replaced file).
    Empty directories are left in place (the storage API cannot remove them).
    """
    storage = default_storage
    candidates = [name for root in UPLOAD_DIRS for name in _walk(storage, root)]
    # Read after listing: a row committed in between points at a file that is still young.
    referenced = files_referenced()
    cutoff = clock.now() - older_than
    kept = 0
    old: list[str] = []
    for name in candidates:
        if name in referenced:
            kept += 1
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                kept += 1
                continue
        except FileNotFoundError:  # removed by someone else meanwhile
            continue
        old.append(name)
    recorded = files_recorded(old)
    kept += len(recorded)
    freed = 0
    deleted: list[str] = []
    for name in old:
        if name in recorded:
            continue
        try:
            size = storage.size(name)
            if not dry_run:
                storage.delete(name)
        except FileNotFoundError:  # removed by someone else meanwhile
            continue
        freed += size
        deleted.append(name)
    return SweepResult(
        kept=kept,
        deleted=len(deleted),
        bytes_freed=freed,
        deleted_names=tuple(deleted),
        dry_run=dry_run,
    )
