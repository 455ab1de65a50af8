"""Reads of delivery: what a case offers, its shipments and their tracking, the desk lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import Permission
from onestop.cases.actions import CaseAction, case_actions
from onestop.cases.models import Case
from onestop.cases.states import (
    CASE_TRANSITIONS,
    CASE_WINDOW_STATES,
    TASK_CROSS_REGION_MODES,
    CaseState,
)
from onestop.catalog.models import ServiceItemVersion
from onestop.delivery.models import Address, DeliveryChoice, Shipment, TrackingEvent
from onestop.delivery.states import (
    SHIPMENT_AWAITING_WAYBILL,
    SHIPMENT_CANCELLABLE_STATES,
    SHIPMENT_FINAL_STATES,
    SHIPMENT_OPEN_STATES,
    SHIPMENT_TRACKED_STATES,
    DeliveryMethod,
    ShipmentKind,
    ShipmentState,
)


def case_item_versions(case: Case) -> list[ServiceItemVersion]:
    """The item versions the case was submitted under (its plan), else its single item."""
    ids = [e.get("item_version_id") for e in (case.dispatch_items or []) if isinstance(e, dict)]
    ids = [i for i in ids if i]
    if not ids and case.item_version_id:
        ids = [case.item_version_id]
    if not ids:  # one query: the tasks' versions as a subquery
        return list(
            ServiceItemVersion.objects.filter(
                pk__in=case.tasks.order_by().values("item_version_id")
            )
        )
    return list(ServiceItemVersion.objects.filter(pk__in=ids))


def post_offered(case: Case, versions: Sequence[ServiceItemVersion] | None = None) -> bool:
    """邮寄送达 is offered when every item of the case supports result post (统一出件: the
    results leave together). ``versions``: the case's, when the caller has read them."""
    versions = case_item_versions(case) if versions is None else versions
    return bool(versions) and all(v.supports_postal_delivery for v in versions)


def material_mail_offered(case: Case, versions: Sequence[ServiceItemVersion] | None = None) -> bool:
    """Materials may be posted to the hall when every item of the case accepts them by post."""
    versions = case_item_versions(case) if versions is None else versions
    return bool(versions) and all(v.supports_material_mail for v in versions)


def result_still_ahead(case: Case) -> bool:
    """Whether the case can still reach 出件 (送达), read from the engine's transition table:
    a state from which DELIVERED is reachable, not DELIVERED itself (the result is out)."""
    seen: set[str] = set()
    frontier = list(CASE_TRANSITIONS[CaseState(case.state)])
    while frontier:
        state = frontier.pop()
        if state == CaseState.DELIVERED:
            return True
        if state in seen:
            continue
        seen.add(state)
        frontier.extend(CASE_TRANSITIONS[state])
    return False


def materials_expected(case: Case) -> bool:
    """The window still works on the application (before acceptance): materials may come."""
    return case.state in CASE_WINDOW_STATES


def choice_changeable(case: Case, shipments: Sequence[Shipment] | None = None) -> bool:
    """送达方式 may be chosen or changed: a result is still ahead and none is in the post.
    ``shipments``: all of the case's, when the caller has read them."""
    if not result_still_ahead(case):
        return False
    if shipments is None:
        return open_result_shipment(case.pk) is None
    return not any(_is_open_result(s) for s in shipments)


def _is_open_result(shipment: Shipment) -> bool:
    return (
        shipment.kind == ShipmentKind.RESULTS_TO_APPLICANT
        and shipment.state in SHIPMENT_OPEN_STATES
    )


def addresses_of(applicant: Applicant) -> QuerySet[Address]:
    return Address.objects.filter(applicant=applicant).order_by("-is_default", "-pk")


def delivery_choice_of(case: Case) -> DeliveryChoice | None:
    return DeliveryChoice.objects.filter(case=case).select_related("address").first()


def wants_post(case: Case) -> bool:
    return DeliveryChoice.objects.filter(case=case, method=DeliveryMethod.POST).exists()


def _with_tracking(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return shipments.prefetch_related(
        Prefetch("tracking", queryset=TrackingEvent.objects.order_by("seq"))
    )


def shipments_of_case(case: Case) -> list[Shipment]:
    """The case's shipments, oldest first, each with its tracking."""
    return list(_with_tracking(Shipment.objects.filter(case=case).order_by("pk")))


def shipments_for_cases(case_ids: Sequence[int]) -> dict[int, list[Shipment]]:
    """Shipments of many cases in one query (plus one for their tracking)."""
    found: dict[int, list[Shipment]] = {i: [] for i in case_ids}
    for shipment in _with_tracking(Shipment.objects.filter(case_id__in=case_ids).order_by("pk")):
        found.setdefault(shipment.case_id, []).append(shipment)
    return found


def open_result_shipment(case_id: int) -> Shipment | None:
    return (
        Shipment.objects.filter(case_id=case_id, kind=ShipmentKind.RESULTS_TO_APPLICANT)
        .filter(state__in=list(SHIPMENT_OPEN_STATES))
        .first()
    )


def staff_may_handle(staff: Staff | None, region_code: str) -> bool:
    return (
        isinstance(staff, Staff)
        and staff.is_active
        and staff.has_permission(Permission.SHIPMENT_HANDLE)
        and staff.covers(region_code)
    )


def shipments_for_staff(
    staff: Staff, *, states: Sequence[str] = (), limit: int = 200
) -> list[Shipment]:
    """The shipments in the clerk's region, newest first (the desk list)."""
    rows = Shipment.objects.filter(region_code__startswith=staff.region.code)
    if states:
        rows = rows.filter(state__in=list(states))
    return list(_with_tracking(rows.select_related("case").order_by("-pk"))[:limit])


@dataclass
class DeskBoard:
    """The desk's lists; ``cancellable`` are the ids a clerk may still cancel."""

    awaiting: list[Case]
    returned: list[Shipment]
    waiting: list[Shipment]
    under_way: list[Shipment]
    finished: list[Shipment]
    cancellable: set[int] = field(default_factory=set)


def desk_board(staff: Staff) -> DeskBoard:
    """寄递台: results to post, orders waiting for the carrier, parcels under way, returned
    parcels not dealt with, and the latest finished ones."""
    shipments = shipments_for_staff(staff, limit=300)
    return DeskBoard(
        awaiting=cases_awaiting_post(staff),
        returned=returned_alerts_for(staff),
        waiting=[s for s in shipments if s.state in SHIPMENT_AWAITING_WAYBILL],
        under_way=[s for s in shipments if s.state in SHIPMENT_TRACKED_STATES],
        finished=[s for s in shipments if s.state in SHIPMENT_FINAL_STATES][:50],
        cancellable={s.pk for s in shipments if s.state in SHIPMENT_CANCELLABLE_STATES},
    )


def returned_alerts_for(staff: Staff) -> list[Shipment]:
    """Returned shipments of the clerk's region nobody has dealt with yet."""
    return list(
        Shipment.objects.filter(
            region_code__startswith=staff.region.code,
            state=ShipmentState.RETURNED,
            return_handled_at__isnull=True,
        )
        .select_related("case")
        .order_by("-returned_at", "-pk")
    )


def cases_awaiting_post(staff: Staff, *, limit: int = 100) -> list[Case]:
    """Cases of the clerk's region whose applicant chose post and whose result may be handed
    out now (the engine's hand-out action), with no result parcel under way."""
    chosen = DeliveryChoice.objects.filter(method=DeliveryMethod.POST).values("case_id")
    busy = Shipment.objects.filter(
        kind=ShipmentKind.RESULTS_TO_APPLICANT, state__in=list(SHIPMENT_OPEN_STATES)
    ).values("case_id")
    candidates = (
        Case.objects.filter(pk__in=chosen, region_code__startswith=staff.region.code)
        .exclude(pk__in=busy)
        .select_related("applicant")
        .order_by("completed_at", "pk")[: limit * 2]
    )
    return [c for c in candidates if CaseAction.HAND_OUT in case_actions(c, staff)][:limit]


def shipments_due_for_waybill(*, now: datetime, limit: int = 200) -> list[int]:
    return list(
        Shipment.objects.filter(state__in=list(SHIPMENT_AWAITING_WAYBILL), next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def shipments_to_track(*, limit: int = 500) -> list[int]:
    return list(
        Shipment.objects.filter(state__in=list(SHIPMENT_TRACKED_STATES))
        .order_by("tracked_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def shipments_to_hand_out(*, limit: int = 200) -> list[int]:
    """Delivered result parcels whose case was not handed out (a failed hand-out to retry)."""
    return list(
        Shipment.objects.filter(
            kind=ShipmentKind.RESULTS_TO_APPLICANT,
            state=ShipmentState.DELIVERED,
            handed_out_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class OriginalsStatus:
    """The paper originals of a 异地代收代办 case as the handling side sees them."""

    is_received: bool
    state: str
    state_label: str
    waybill_no: str


def originals_status(case_id: int, handling_region_code: str) -> OriginalsStatus | None:
    """原件在途 / 已收到 for one handling region (None: no originals posted to it yet)."""
    shipment = (
        Shipment.objects.filter(
            case_id=case_id,
            kind=ShipmentKind.MATERIALS_TO_HANDLING,
            request_key=f"originals:{case_id}:{handling_region_code}",
        )
        .order_by("-pk")
        .first()
    )
    if shipment is None:
        return None
    return OriginalsStatus(
        is_received=shipment.state == ShipmentState.DELIVERED,
        state=shipment.state,
        state_label=shipment.get_state_display(),
        waybill_no=shipment.waybill_no,
    )


def originals_to_post(case: Case, staff: Staff | None) -> list[str]:
    """The handling regions of an accepted 异地代收代办 case whose paper originals ``staff``
    (the receiving hall's, with ``SHIPMENT_HANDLE``) may post and nobody has posted yet."""
    if not staff_may_handle(staff, case.region_code):
        return []
    codes = sorted(
        {
            code
            for code, mode in case.tasks.values_list("region_code", "mode")
            if mode in TASK_CROSS_REGION_MODES and not case.region_code.startswith(code)
        }
    )
    posted = set(
        Shipment.objects.filter(
            case=case,
            kind=ShipmentKind.MATERIALS_TO_HANDLING,
            request_key__in=[f"originals:{case.pk}:{code}" for code in codes],
        ).values_list("request_key", flat=True)
    )
    return [code for code in codes if f"originals:{case.pk}:{code}" not in posted]
