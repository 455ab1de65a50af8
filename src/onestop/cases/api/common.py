"""Who is calling, turning request bodies into service inputs, and viewer-aware output.

Who may do what lives in the services and selectors; this module only orders the checks so
that the answer leaks nothing: a role that never may do an action gets 403 before the id is
looked at, an id outside the caller's scope gets 404, the service decides the rest.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from onestop.accounts.auth import ClientCall
from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import DEPARTMENT_ROLES, Permission, Role
from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user, staff_require
from onestop.cases import api_queries, selectors
from onestop.cases.actions import case_actions, task_actions
from onestop.cases.api.schemas import ApplicationIn, DraftIn, MaterialIn
from onestop.cases.deadlines import Due, TrafficLight
from onestop.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Extension,
    ItemTask,
    VerificationTask,
)
from onestop.cases.results import case_results
from onestop.cases.services import MaterialInput
from onestop.cases.states import (
    CaseOutcome,
    CaseState,
    Channel,
    EventKind,
    ExtensionState,
    MaterialStatus,
    TaskState,
    VerificationState,
)
from onestop.catalog.models import FieldKind, PackageVersion, ServiceItemVersion
from onestop.catalog.selectors import item_version_by_code, package_version_by_code
from onestop.core import clock
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from onestop.core.masking import mask_id_number, mask_phone
from onestop.core.paging import COUNT_CAP, ListPage, capped_count
from onestop.regions.models import Region
from onestop.regions.selectors import region_get

Json = dict[str, Any]

# ------------------------------------------------------------------------------ callers


# The problem+json answers every case endpoint may give besides its own success.
PROBLEMS = {401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


@dataclass(frozen=True)
class Caller:
    user: Any
    staff: Staff | None
    applicant: Applicant | None

    @property
    def viewer(self) -> Staff | Applicant:
        """The profile scopes are computed for; a login with neither profile may do nothing."""
        if self.staff is not None:
            return self.staff
        if self.applicant is not None:
            return self.applicant
        raise PermissionDenied(_("该账号既不是申请人也不是在岗工作人员。"))


def caller(request: HttpRequest) -> Caller:
    user = request.auth  # type: ignore[attr-defined]
    if isinstance(user, ClientCall):  # a docking system: a supervisor's scope of its region
        return Caller(None, user.client.viewer(), None)
    staff = staff_get_for_user(user)
    return Caller(user, staff, None if staff else applicant_get_for_user(user))


def staff_with(request: HttpRequest, permission: Permission) -> Staff:
    """The calling member of staff if their role carries ``permission``; 403 otherwise."""
    return staff_require(caller(request).staff, permission)


def applicant_only(request: HttpRequest) -> Applicant:
    applicant = caller(request).applicant
    if applicant is None:
        raise PermissionDenied(_("只有申请人本人可以进行此操作。"))
    return applicant


def owner_or_window(request: HttpRequest) -> Applicant | Staff:
    """For actions on the applicant's behalf: the applicant, a window clerk or an agent."""
    who = caller(request)
    if who.applicant is not None:
        return who.applicant
    if who.staff is not None and (
        who.staff.has_permission(Permission.CASE_ACCEPT)
        or who.staff.has_permission(Permission.AGENT_ACT)
    ):
        return who.staff
    raise PermissionDenied(_("只有申请人本人、窗口人员或其帮代办员可以进行此操作。"))


# ------------------------------------------------------------------------------- inputs


def application_target(
    body: ApplicationIn | DraftIn,
) -> tuple[PackageVersion | None, ServiceItemVersion | None]:
    """The published package or item a body names by ``package_code`` or ``item_code``."""
    if bool(body.package_code) == bool(body.item_code):
        raise ValidationFailed(
            _("请填写一件事编码 package_code 或事项编码 item_code（二者选一）。"),
            field="package_code",
        )
    if body.package_code:
        package = package_version_by_code(body.package_code)
        if package is None:
            raise ValidationFailed(
                _("没有编码为“%(code)s”的已发布一件事。") % {"code": body.package_code},
                field="package_code",
            )
        return package, None
    item = item_version_by_code(body.item_code or "")
    if item is None:
        raise ValidationFailed(
            _("没有基本编码为“%(code)s”的已发布事项。") % {"code": body.item_code},
            field="item_code",
        )
    return None, item


def region_by_code(code: str) -> Region:
    """The region of a body's ``region_code`` (422 naming the field when there is none)."""
    try:
        return region_get(code=code)
    except NotFound as exc:
        raise ValidationFailed(exc.message, field="region_code") from None


def material_bytes(material: MaterialIn, *, prefix: str = "materials") -> bytes | None:
    if material.file is None:
        return None
    try:
        return base64.b64decode(material.file.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("“%(key)s”的文件内容不是有效的 base64 编码。") % {"key": material.key},
            field=f"{prefix}.{material.key}.file.content_base64",
        ) from None


def material_inputs(materials: Iterable[MaterialIn]) -> list[MaterialInput]:
    """Body materials as service inputs (inline files decoded into in-memory uploads)."""
    inputs = []
    for material in materials:
        body = material_bytes(material)
        upload = (
            SimpleUploadedFile(material.file.filename, body)
            if material.file is not None and body is not None
            else None
        )
        inputs.append(
            MaterialInput(
                key=material.key,
                file=upload,
                licence_reference=material.licence_reference,
                commitment=material.commitment,
            )
        )
    return inputs


# ------------------------------------------------------------------------------ outputs


def _light(light: TrafficLight | None) -> dict[str, Any] | None:
    if light is None:
        return None
    return {
        "colour": light.colour,
        "label": light.label,
        "remaining_days": light.remaining_days,
        "limit_days": light.limit_days,
        "due_at": light.due_at,
        "is_provisional": light.is_provisional,
        "is_paused": light.is_paused,
        "unit": light.unit,
    }


def _due(due: Due | None) -> dict[str, Any] | None:
    if due is None:
        return None
    return {
        "start_at": due.start_at,
        "due_at": due.at,
        "promised_days": due.promised_days,
        "unit": due.unit,
        "paused_days": due.paused_days,
        "extension_days": due.extension_days,
        "limit_days": due.limit_days,
        "is_provisional": due.is_provisional,
        "is_paused": due.is_paused,
        "legal_due_at": due.legal.at if due.legal else None,
        "is_past_legal": due.is_past_legal(clock.now()),
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _staff_ref(staff: Staff | None) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def sees_personal_data(viewer: Staff | Applicant, case: Case) -> bool:
    """Full ID numbers and phones: the applicant themself, and staff who handle the case
    (the window checks identity, the agent entered it, officers decide on it). Supervisors
    and everyone else see them masked."""
    if isinstance(viewer, Applicant):
        return viewer.pk == case.applicant_id
    if viewer.role == Role.AGENT:
        return case.agent_id == viewer.pk
    return viewer.role in {Role.WINDOW_CLERK, *DEPARTMENT_ROLES}


def _applicant(applicant: Applicant, *, full: bool) -> dict[str, Any]:
    return {
        "id": applicant.pk,
        "kind": applicant.kind,
        "name": applicant.name,
        "identifier": applicant.identifier if full else applicant.masked_identifier,
        "phone": applicant.phone if full else applicant.masked_phone,
    }


def _masked_form(case: Case) -> dict[str, Any]:
    kinds: dict[str, str] = {}
    if case.package_version_id is not None:
        kinds = dict(case.package_version.form_fields.values_list("key", "kind"))
    masked: dict[str, Any] = {}
    for key, value in case.form_data.items():
        kind = kinds.get(key)
        if kind == FieldKind.ID_NUMBER:
            masked[key] = mask_id_number(str(value))
        elif kind == FieldKind.PHONE:
            masked[key] = mask_phone(str(value))
        else:
            masked[key] = value
    return masked


def _material(material: CaseMaterial) -> dict[str, Any]:
    return {
        "key": material.key,
        "name": material.name,
        "necessity": material.necessity,
        "source": material.source,
        "status": material.status,
        "status_label": _label(MaterialStatus, material.status),
        "item_names": list(material.item_names or []),
        "file_size": material.file_size,
        "content_type": material.content_type,
        "sha256": material.sha256,
        "licence_reference": material.licence_reference,
        "has_commitment": bool(material.commitment_text),
        "supplement_due_on": material.supplement_due_on,
        "supplied_at": material.supplied_at,
    }


def task_out(
    task: ItemTask,
    *,
    viewer: Staff | Applicant | None = None,
    for_applicant: bool = False,
    due: Due | None = None,
    depends_on: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "actions": sorted(task_actions(task, viewer)),
        "id": task.pk,
        "case_id": task.case_id,
        "case_number": task.case.number,
        "title": task.title,
        "item_code": task.item_code,
        "state": task.state,
        "state_label": _label(TaskState, task.state),
        "department": {"id": task.department_id, "name": task.department.name},
        "region_code": task.region_code,
        "handling_region": task.region_code,
        "mode": task.mode,
        "assignee": None if for_applicant else _staff_ref(task.assignee),
        "round": task.round,
        "depends_on": (
            depends_on
            if depends_on is not None
            else list(task.depends_on.values_list("pk", flat=True))
        ),
        "promised_days": task.promised_days,
        "ready_at": task.ready_at,
        "due_at": task.due_at,
        "due_is_provisional": task.due_is_provisional,
        "decided_at": task.decided_at,
        "opinion": task.opinion,
        "due": _due(due),
        "traffic_light": _light(selectors.task_traffic_light(task)),
    }


def event_out(event: CaseEvent, *, for_applicant: bool) -> dict[str, Any]:
    staff = getattr(event.actor, "staff", None) if event.actor_id else None
    department = staff.department.name if staff is not None and staff.department else None
    if for_applicant:
        actor = None
        if staff is None and event.actor_id:
            actor = _("申请人")
        elif staff is not None and department is None:
            actor = _label(Role, staff.role)
        payload: dict[str, Any] = {}
    else:
        actor = staff.name if staff is not None else (str(event.actor) if event.actor else None)
        payload = event.payload
    return {
        "seq": event.seq,
        "kind": event.kind,
        "kind_label": _label(EventKind, event.kind),
        "at": event.at,
        "actor": actor,
        "actor_role": event.actor_role,
        "department": department,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "payload": payload,
    }


def case_out(case: Case, viewer: Staff | Applicant) -> dict[str, Any]:
    """The case as this viewer may see it: tasks, materials, timeline, due dates, lights."""
    case.refresh_from_db()
    for_applicant = isinstance(viewer, Applicant)
    full = sees_personal_data(viewer, case)
    dues = selectors.case_due_dates(case)
    tasks = list(selectors.task_list_for_case(case))
    notice = dict(case.correction_notice) if case.correction_notice else None
    if notice is not None and for_applicant:
        notice.pop("issued_by", None)
    return {
        "actions": sorted(case_actions(case, viewer)),
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": _label(CaseState, case.state),
        "outcome": case.outcome,
        "outcome_label": _label(CaseOutcome, case.outcome) if case.outcome else "",
        "channel": case.channel,
        "channel_label": _label(Channel, case.channel),
        "package_code": case.package_version.package.code if case.package_version_id else None,
        "item_code": case.item_version.item.basic_code if case.item_version_id else None,
        "applicant": _applicant(case.applicant, full=full),
        "has_agent": case.agent_id is not None,
        "agent": None if for_applicant else _staff_ref(case.agent),
        "accepting_region": {
            "code": case.accepting_region.code,
            "name": case.accepting_region.name,
        },
        "receiving_region": case.region_code,
        "hall": case.hall.name if case.hall_id else None,
        "answers": case.answers,
        "form_data": case.form_data if full else _masked_form(case),
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_at": case.due_at,
        "is_provisional": case.due_is_provisional,
        "completed_at": case.completed_at,
        "delivered_at": case.delivered_at,
        "closed_at": case.closed_at,
        "promised_days": case.promised_days,
        "promised_unit": case.promised_unit,
        "correction_notice": notice,
        "rejection_reason": case.rejection_reason,
        "due": _due(dues.case),
        "traffic_light": _light(selectors.case_traffic_light(case)),
        "materials": [_material(m) for m in case.materials.order_by("pk")],
        "tasks": [
            task_out(
                t,
                viewer=viewer,
                for_applicant=for_applicant,
                due=dues.tasks.get(t.pk),
                depends_on=[d.pk for d in t.depends_on.all()],
            )
            for t in tasks
        ],
        "timeline": [
            event_out(e, for_applicant=for_applicant)
            for e in api_queries.case_events_for_timeline(case)
        ],
        "results": [asdict(r) for r in case_results(case, viewer)],
    }


def case_row(case: Case, *, waiting_for_tolerated: bool = False) -> dict[str, Any]:
    applicant = case.applicant
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": _label(CaseState, case.state),
        "outcome": case.outcome,
        "channel": case.channel,
        "applicant_name": applicant.name,
        "applicant_identifier": applicant.masked_identifier,
        "applicant_phone": applicant.masked_phone,
        "region_code": case.region_code,
        "hall": case.hall.name if case.hall_id else None,
        "submitted_at": case.submitted_at,
        "completed_at": case.completed_at,
        "due_at": case.due_at,
        "is_provisional": case.due_is_provisional,
        "traffic_light": _light(api_queries.case_list_light(case)),
        "waiting_for_tolerated": waiting_for_tolerated,
    }


def inbox_row(task: ItemTask, officer: Staff) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "state": task.state,
        "state_label": _label(TaskState, task.state),
        "case_id": task.case_id,
        "case_number": task.case.number,
        "case_title": task.case.title,
        "applicant_name": task.case.applicant.name,
        "assignee": _staff_ref(task.assignee),
        "is_mine": task.assignee_id == officer.pk,
        "ready_at": task.ready_at,
        "due_at": task.due_at,
        "due_is_provisional": task.due_is_provisional,
        "traffic_light": _light(selectors.task_traffic_light(task)),
    }


def extension_out(extension: Extension, *, refresh: bool = True) -> dict[str, Any]:
    """``refresh``: after a service moved the due dates under the objects it returned."""
    if refresh:
        extension.task.refresh_from_db(fields=["due_at"])
        extension.case.refresh_from_db(fields=["due_at"])
    return {
        "id": extension.pk,
        "task_id": extension.task_id,
        "case_id": extension.case_id,
        "days": extension.days,
        "reason": extension.reason,
        "state": extension.state,
        "state_label": _label(ExtensionState, extension.state),
        "requested_by": _staff_ref(extension.requested_by),
        "requested_at": extension.requested_at,
        "approved_by": _staff_ref(extension.approved_by),
        "approved_at": extension.approved_at,
        "task_due_at": extension.task.due_at,
        "case_due_at": extension.case.due_at,
    }


def verification_out(verification: VerificationTask) -> dict[str, Any]:
    return {
        "id": verification.pk,
        "case_id": verification.case_id,
        "case_number": verification.case.number,
        "task_id": verification.task_id,
        "task_title": verification.task.title,
        "department": {"id": verification.department_id, "name": verification.department.name},
        "material_keys": list(verification.material_keys or []),
        "state": verification.state,
        "state_label": _label(VerificationState, verification.state),
        "decided_by": _staff_ref(verification.decided_by),
        "decided_at": verification.decided_at,
        "note": verification.note,
        "created_at": verification.created_at,
    }


# ------------------------------------------------------------------------------ paging

# Every paged list takes ``limit`` (1..PAGE_LIMIT_MAX, default PAGE_LIMIT_DEFAULT) and
# ``cursor`` (the ``next`` of the page before; none for the first page) and answers
# ``items``, ``next`` (null on the last page) and ``count``, counted up to ``COUNT_CAP``
# (``count_capped`` says there are more): keyset paging (``core.paging``), so a page costs
# the same however deep it is and no request counts the whole match. The bounds are in the
# schema, so OpenAPI shows them and a value outside is 422 naming the parameter; a cursor
# this API did not hand out is 422 naming ``cursor``.
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200
CURSOR_MAX_LENGTH = 200


def limit_param() -> Any:
    """The ``limit`` query parameter of a paged list."""
    return Query(
        PAGE_LIMIT_DEFAULT,
        ge=1,
        le=PAGE_LIMIT_MAX,
        description=f"每页条数，1～{PAGE_LIMIT_MAX}。",
    )


def cursor_param() -> Any:
    """The ``cursor`` query parameter of a paged list."""
    return Query(
        "",
        max_length=CURSOR_MAX_LENGTH,
        description="上一页返回的 next；不带则从第一页开始。",
    )


def paged(page: ListPage, items: list[Any], match: QuerySet) -> dict[str, Any]:
    """A page's answer: its items, the cursor of the next, and ``match`` counted up to the cap."""
    count, capped = capped_count(match, COUNT_CAP)
    return {"count": count, "count_capped": capped, "items": items, "next": page.next or None}
