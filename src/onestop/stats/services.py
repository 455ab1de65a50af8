"""Writes of stats: the consultation register and the aggregate rows.

The aggregates are kept three ways, all idempotent and all through ``figures``' one
definition of what a case contributes:

- ``case_figures_refresh`` (called by the cases.hooks handler after every committed
  transition): recompute a case's ``CaseFigure``, subtract its old contribution from the
  daily rows and add the new one; nothing changes when the figure did not;
- ``case_figures_sweep`` (beat / ``onestop stats sweep``): refresh every case whose event log
  has moved past its figure (a handler that failed, rows written in bulk);
- ``figures_rebuild`` (``onestop stats rebuild``): throw the rows away and sum them afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import staff_require
from onestop.cases.models import Case, CaseEvent
from onestop.cases.states import CaseState
from onestop.catalog.models import ServiceItem
from onestop.core import clock
from onestop.core.errors import ValidationFailed
from onestop.regions.models import Hall, Region
from onestop.stats import figures, sql
from onestop.stats.figures import DailyKey, DurationKey, Figure
from onestop.stats.models import (
    CaseFigure,
    Consultation,
    ConsultationChannel,
    DailyDuration,
    DailyFigure,
)

TOPIC_MAX = 200

# ------------------------------------------------------------------ consultations


def consultation_record(
    *,
    staff: Staff,
    channel: str,
    topic: str,
    item: ServiceItem | None = None,
    region: Region | None = None,
    hall: Hall | None = None,
    at: dt.datetime | None = None,
    idempotency_key: str | None = None,
) -> Consultation:
    """Register one enquiry; the same key from the same clerk returns the first record."""
    staff_require(staff, Permission.CONSULTATION_RECORD)
    if channel not in ConsultationChannel.values:
        raise ValidationFailed(_("请选择咨询渠道（电话、网络或窗口）。"), field="channel")
    topic = " ".join(topic.split())
    if not topic:
        raise ValidationFailed(_("请填写咨询内容。"), field="topic")
    if len(topic) > TOPIC_MAX:
        raise ValidationFailed(_("咨询内容不能超过%(n)d个字。") % {"n": TOPIC_MAX}, field="topic")
    region = region or staff.region
    if not staff.covers(region.code):
        raise ValidationFailed(_("只能登记本辖区的咨询。"), field="region")
    if hall is None and staff.hall_id is not None:
        hall = staff.hall
    if hall is not None and not staff.covers(hall.region.code):
        raise ValidationFailed(_("所选大厅不在本辖区内。"), field="hall")
    now = clock.now()
    at = at or now
    if at > now:
        raise ValidationFailed(_("咨询时间不能晚于现在。"), field="at")
    key = idempotency_key or None
    if key is not None:
        found = Consultation.objects.filter(staff=staff, idempotency_key=key).first()
        if found is not None:
            return found
    try:
        with transaction.atomic():
            return Consultation.objects.create(
                channel=channel,
                topic=topic,
                item=item,
                region=region,
                region_code=region.code,
                hall=hall,
                staff=staff,
                at=at,
                idempotency_key=key,
            )
    except IntegrityError:
        # The same key raced in from a retry: the first one stands.
        return Consultation.objects.get(staff=staff, idempotency_key=key)


def consultations_bulk_create(*, rows: Iterable[Consultation], batch_size: int = 2000) -> int:
    """Insert prepared consultations in bulk (demo and bench data; no checks, no keys)."""
    made = Consultation.objects.bulk_create(list(rows), batch_size=batch_size)
    return len(made)


# ------------------------------------------------------------------ aggregates


def _apply_daily(delta: dict[DailyKey, dict[str, int]]) -> None:
    rows = [(key, measures) for key, measures in delta.items() if any(measures.values())]
    sql.daily_figures_add(rows)


def _apply_durations(delta: dict[DurationKey, int]) -> None:
    sql.daily_durations_add([(key, n) for key, n in delta.items() if n])


@dataclass(frozen=True)
class RefreshResult:
    checked: int
    changed: int


def case_figures_refresh(*, case_ids: Iterable[int]) -> RefreshResult:
    """Bring these cases' figures and the daily rows up to date; a no-op when nothing moved."""
    ids = sorted(set(case_ids))
    if not ids:
        return RefreshResult(0, 0)
    with transaction.atomic():
        # Lock the cases' figure rows first: two refreshes of one case run one after the other.
        stored = {
            row.case_id: row
            for row in CaseFigure.objects.select_for_update().filter(case_id__in=ids)
        }
        fresh = figures.figures_compute(ids)
        daily: dict[DailyKey, dict[str, int]] = {}
        durations: dict[DurationKey, int] = {}
        changed = 0
        new_rows: list[CaseFigure] = []
        for case_id in ids:
            old_row = stored.get(case_id)
            old = Figure.of(old_row) if old_row is not None else None
            new = fresh.get(case_id)
            if old == new:
                continue
            changed += 1
            if old is not None:
                figures.add_into(daily, durations, old, sign=-1)
            if new is not None:
                figures.add_into(daily, durations, new)
            if old_row is None and new is not None:
                new_rows.append(CaseFigure(case_id=case_id, **new.as_fields()))
            elif old_row is not None and new is None:
                old_row.delete()
            elif old_row is not None and new is not None:
                values = new.as_fields()
                CaseFigure.objects.filter(pk=old_row.pk).update(**values)
        # A concurrent first refresh of the same case fails here and rolls back; its caller
        # (the handler or the sweep) finds the other one's row next time.
        CaseFigure.objects.bulk_create(new_rows)
        _apply_daily(daily)
        _apply_durations(durations)
    return RefreshResult(len(ids), changed)


def case_figures_stale_ids(*, limit: int | None = None) -> list[int]:
    """Cases with an event that moves figures past their figure's (or without a figure)."""
    seen = CaseFigure.objects.filter(case_id=OuterRef("pk")).values("event_seq")[:1]
    last = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind__in=figures.FIGURE_EVENTS)
        .order_by("-seq")
        .values("seq")[:1]
    )
    qs = (
        Case.objects.filter(submitted_at__isnull=False)
        .exclude(state=CaseState.DRAFT)
        .annotate(seen=Subquery(seen), last=Subquery(last))
        .filter(Q(seen__isnull=True) | Q(last__gt=F("seen")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(qs[:limit] if limit is not None else qs)


def case_figures_sweep(*, batch: int = 500) -> RefreshResult:
    """Refresh every case whose figure lags its events (what a failed handler left undone)."""
    checked = changed = 0
    ids = case_figures_stale_ids()
    for i in range(0, len(ids), batch):
        result = case_figures_refresh(case_ids=ids[i : i + batch])
        checked += result.checked
        changed += result.changed
    return RefreshResult(checked, changed)


@dataclass(frozen=True)
class RebuildResult:
    cases: int
    daily_rows: int
    duration_rows: int


@transaction.atomic
def figures_rebuild() -> RebuildResult:
    """Throw the aggregate rows away and sum them afresh from every case."""
    DailyFigure.objects.all().delete()
    DailyDuration.objects.all().delete()
    CaseFigure.objects.all().delete()
    daily: dict[DailyKey, dict[str, int]] = {}
    durations: dict[DurationKey, int] = {}
    batch: list[CaseFigure] = []
    cases = 0
    for case_id, figure in figures.figures_compute_all():
        cases += 1
        figures.add_into(daily, durations, figure)
        batch.append(CaseFigure(case_id=case_id, **figure.as_fields()))
        if len(batch) >= figures.CHUNK:
            CaseFigure.objects.bulk_create(batch)
            batch = []
    CaseFigure.objects.bulk_create(batch)
    daily, durations = figures.nonzero(daily, durations)
    # Into empty tables the upsert is a plain multi-row insert, without the ORM's per-field
    # preparation (a third of a rebuild's time with bulk_create).
    sql.daily_figures_add(list(daily.items()))
    sql.daily_durations_add(list(durations.items()))
    return RebuildResult(cases, len(daily), len(durations))
