"""Reads of cases and tasks. Who may see what is decided here and nowhere else.

Scope: an applicant sees their own cases (an agent those they entered for applicants under
an authorisation not revoked: ``agent_cases``); a
window clerk the cases accepted in their region subtree; an officer or chief approver the
cases with a task for their department in their region subtree; a supervisor every case
accepted or handled in their region subtree. Anything outside the scope is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import DEPARTMENT_ROLES, Role
from onestop.accounts.selectors import applicant_find
from onestop.cases import sql
from onestop.cases.deadlines import DueDates, TrafficLight, due_dates, traffic_light
from onestop.cases.models import (
    AgentAuthorisation,
    Case,
    CaseEvent,
    Extension,
    ItemTask,
    VerificationTask,
)
from onestop.cases.states import (
    CASE_CLOCK_STATES,
    CASE_QUEUE_STATES,
    TASK_INBOX_STATES,
    TASK_SET_ASIDE_STATES,
    CaseState,
    EventKind,
    ExtensionState,
    TaskState,
    VerificationState,
)
from onestop.core import clock, paging
from onestop.core.errors import NotFound
from onestop.core.paging import (
    CursorInvalid,
    ListPage,
    after,
    cursor_decode,
    cursor_encode,
    keyset_page,
    page_of,
)
from onestop.regions.models import Department

Viewer = Staff | Applicant


def _scope(viewer: Viewer, case: str = "") -> Q:
    """Who sees which case, as a condition on the case a row reaches by the path ``case``
    ("" for the case itself, "case__" from a row that belongs to one): every query that
    narrows to the viewer's cases (the lists, the search, the change feed) joins this to
    its own table, so it reads its own rows and never builds the whole scope."""
    pk = OuterRef(f"{case.removesuffix('__')}_id" if case else "pk")
    region = f"{case}region_code__startswith"
    visible = ~Q(**{f"{case}state": CaseState.DRAFT})
    if isinstance(viewer, Applicant):
        return visible & Q(**{f"{case}applicant": viewer})
    if not viewer.is_active:
        return Q(pk__in=[])
    code = viewer.region.code
    if viewer.role == Role.WINDOW_CLERK:
        return visible & Q(**{region: code})
    if viewer.role in DEPARTMENT_ROLES:
        return visible & Q(
            Exists(
                ItemTask.objects.filter(
                    case_id=pk, department=viewer.department, region_code__startswith=code
                )
            )
        )
    if viewer.role == Role.SUPERVISOR:
        handled = Exists(ItemTask.objects.filter(case_id=pk, region_code__startswith=code))
        return visible & (Q(**{region: code}) | Q(handled))
    if viewer.role == Role.AGENT:
        return visible & _agent_sees(viewer, case)
    return Q(pk__in=[])


def _agent_sees(agent: Staff, case: str = "") -> Q:
    """The cases an agent entered, each under an authorisation of its applicant that is not
    revoked (``agent_cases``)."""
    return Q(
        **{
            f"{case}agent": agent,
            f"{case}authorisation__isnull": False,
            f"{case}authorisation__revoked_at__isnull": True,
        }
    )


def case_scope_for(viewer: Viewer) -> QuerySet[Case]:
    """Every case the viewer may see (drafts are their author's alone: see ``drafts_of``)."""
    return Case.objects.filter(_scope(viewer))


def case_list_for(viewer: Viewer, *, states: list[str] | None = None) -> QuerySet[Case]:
    """The cases in the viewer's scope (optionally in some states), newest first."""
    cases = case_scope_for(viewer)
    if states:
        cases = cases.filter(state__in=states)
    return cases.select_related("applicant", "package_version", "item_version").order_by(
        "-submitted_at", "-pk"
    )


def case_get_for(viewer: Viewer, case_id: int) -> Case:
    """One case, if the viewer's scope includes it; otherwise ``NotFound`` (never 403: no leak)."""
    case = (
        case_scope_for(viewer)
        .select_related(
            "applicant",
            "agent",
            "authorisation",
            "accepting_region",
            "hall",
            "package_version",
            "item_version",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("办件不存在或不在您的查看范围内。")
    return case


def case_get_by_number_for(viewer: Viewer, number: str) -> Case:
    case_id = case_scope_for(viewer).filter(number=number).values_list("pk", flat=True).first()
    if case_id is None:
        raise NotFound("办件不存在或不在您的查看范围内。")
    return case_get_for(viewer, case_id)


def case_list_for_applicant(applicant: Applicant) -> QuerySet[Case]:
    """The applicant's cases, newest first."""
    return (
        Case.objects.filter(applicant=applicant)
        .exclude(state=CaseState.DRAFT)
        .select_related("package_version", "item_version", "accepting_region", "applicant", "hall")
        .order_by("-submitted_at", "-pk")
    )


def window_queue(clerk: Staff) -> QuerySet[Case]:
    """Cases waiting for the window in the clerk's region subtree, oldest first.

    Pre-review, submitted, supplemented (back in submitted) and returned-from-department
    (back in submitted) cases.
    """
    return (
        Case.objects.filter(
            state__in=list(CASE_QUEUE_STATES),
            region_code__startswith=clerk.region.code,
        )
        .select_related("applicant", "package_version", "item_version", "hall")
        .order_by("submitted_at", "pk")
    )


def handout_queue(clerk: Staff) -> QuerySet[Case]:
    """Completed cases waiting to be handed out in the clerk's region subtree, oldest first."""
    return (
        Case.objects.filter(state=CaseState.COMPLETED, region_code__startswith=clerk.region.code)
        .select_related("applicant", "hall")
        .order_by("completed_at", "pk")
    )


def inbox_for(officer: Staff) -> QuerySet[ItemTask]:
    """Ready, claimed and paused tasks of the officer's department and region, most urgent first."""
    if officer.department_id is None or not officer.is_active:
        return ItemTask.objects.none()
    return (
        ItemTask.objects.filter(
            department_id=officer.department_id,
            region_code__startswith=officer.region.code,
            state__in=TASK_INBOX_STATES,
        )
        .select_related("case", "case__applicant", "assignee", "department", "item_version")
        .order_by(F("due_at").asc(nulls_last=True), "ready_at", "pk")
    )


def task_list_for_case(case: Case) -> QuerySet[ItemTask]:
    return (
        case.tasks.select_related("department", "assignee", "region")
        .prefetch_related("depends_on")
        .order_by("round", "pk")
    )


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The case's events in order (the timeline, statistics and supervision read only these)."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("seq")


def case_due_dates(case: Case, *, now: dt.datetime | None = None) -> DueDates:
    """Due dates of the case and its tasks, recomputed from the events (what-if with ``now``)."""
    return due_dates(case, now=now)


def case_traffic_light(case: Case, *, now: dt.datetime | None = None) -> TrafficLight | None:
    """The case's light while its clock runs (None before acceptance and after completion)."""
    if case.state not in CASE_CLOCK_STATES or case.due_at is None:
        return None
    dues = due_dates(case, now=now)
    if dues.case is None:
        return None
    return traffic_light(
        due_at=dues.case.at,
        limit_days=dues.case.limit_days,
        is_provisional=dues.case.is_provisional,
        is_paused=dues.case.is_paused,
        now=now,
        unit=dues.case.unit,
    )


def task_traffic_light(task: ItemTask, *, now: dt.datetime | None = None) -> TrafficLight | None:
    """A task's light from its stored due date (no query; lists call this per row), except
    while a special procedure stops its clock: then from its history (the stored date does
    not move until the procedure ends)."""
    if task.state not in TASK_INBOX_STATES or task.due_at is None:
        return None
    due_at, is_provisional = task.due_at, task.due_is_provisional
    if task.state == TaskState.PAUSED:
        due = due_dates(task.case, now=now).tasks.get(task.pk)
        if due is not None:
            due_at, is_provisional = due.at, due.is_provisional
    return traffic_light(
        due_at=due_at,
        limit_days=task.promised_days,
        is_provisional=is_provisional,
        is_paused=task.state == TaskState.PAUSED,
        now=now,
        unit=task.promised_unit,
    )


def verification_list_for(officer: Staff) -> QuerySet[VerificationTask]:
    """Open 告知承诺 verification tasks of the officer's department."""
    return (
        VerificationTask.objects.filter(department=officer.department, state=VerificationState.OPEN)
        .select_related("case", "task", "department", "decided_by")
        .order_by("created_at", "pk")
    )


def extension_list_pending_for(chief: Staff) -> QuerySet[Extension]:
    """Extension requests waiting for this chief approver's department."""
    return (
        Extension.objects.filter(
            task__department=chief.department,
            task__region_code__startswith=chief.region.code,
            state=ExtensionState.REQUESTED,
        )
        .select_related("case", "task", "requested_by", "approved_by")
        .order_by("requested_at", "pk")
    )


# --- search and the change feed (docking systems) ------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    """What a staff search narrows by; every field is optional and they combine (AND)."""

    number: str = ""
    states: tuple[str, ...] = ()
    channel: str = ""
    item_code: str = ""  # a package code or an item's 基本编码
    applicant_identifier: str = ""  # 身份证号 / 统一社会信用代码, exact
    region: str = ""  # a region code prefix, inside the viewer's scope
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    changed_since: dt.datetime | None = None  # an event (of the case or a task) since then
    overdue: bool | None = None  # past the promised due date while the clock runs


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.SHANGHAI)


def case_search(
    viewer: Staff, where: CaseFilter, *, before_id: int | None = None, limit: int = 50
) -> list[Case]:
    """One page of the cases in the viewer's scope matching ``where``, newest first.

    Keyset paging: the page after one ending at case ``before_id`` starts below it, so a page
    costs the same however deep it is, and no count of the whole match is made.
    """
    cases = case_scope_for(viewer)
    if where.number:
        cases = cases.filter(number=where.number)
    if where.states:
        cases = cases.filter(state__in=list(where.states))
    if where.channel:
        cases = cases.filter(channel=where.channel)
    if where.item_code:
        cases = cases.filter(
            Q(package_version__package__code=where.item_code)
            | Q(item_version__item__basic_code=where.item_code)
            | Q(tasks__item_code=where.item_code)
        ).distinct()
    if where.applicant_identifier:
        applicant = applicant_find(identifier=where.applicant_identifier)
        cases = cases.filter(applicant=applicant) if applicant else cases.none()
    if where.region:
        cases = cases.filter(region_code__startswith=where.region)
    if where.submitted_from:
        cases = cases.filter(submitted_at__gte=_midnight(where.submitted_from))
    if where.submitted_to:
        cases = cases.filter(submitted_at__lt=_midnight(where.submitted_to + dt.timedelta(days=1)))
    if where.changed_since:
        cases = cases.filter(
            pk__in=CaseEvent.objects.filter(at__gte=where.changed_since).values("case_id")
        )
    if where.overdue is not None:
        late = Q(state__in=list(CASE_CLOCK_STATES), due_at__lt=clock.now())
        cases = cases.filter(late) if where.overdue else cases.exclude(late)
    if before_id is not None:
        cases = cases.filter(pk__lt=before_id)
    return list(
        cases.select_related("applicant", "hall").order_by("-pk")[: max(1, min(limit, 200))]
    )


@dataclass(frozen=True)
class FeedPage:
    """A page of the change feed and the id to ask from next."""

    events: list[CaseEvent]
    next_id: int


def event_feed_page(viewer: Staff, *, after_id: int = 0, limit: int = 100) -> FeedPage:
    """Events of the cases in the viewer's scope written after event ``after_id``, in order.

    A docking system keeps the last id it has seen and asks again from there: it learns of
    every change without reading every case. Ids are drawn at insert, not at commit, so the
    feed stops at the horizon (``sql.event_feed_horizon``: every event up to it committed or
    gone): an event that commits late is served before any larger id, never skipped. One
    query per page, along the event ids, with the viewer's scope checked on each event's
    case. A page that is not full has read every event up to the horizon, so the next one
    starts there (a viewer whose cases are rare does not read the same gap again).
    """
    limit = max(1, min(limit, 500))
    events = CaseEvent.objects.filter(pk__gt=after_id)
    horizon = sql.event_feed_horizon()
    if horizon is not None:
        events = events.filter(pk__lte=horizon)
    rows = list(
        events.filter(_scope(viewer, "case__"))
        .select_related("case", "actor__staff__department")
        .order_by("pk")[:limit]
    )
    if len(rows) == limit or horizon is None:
        return FeedPage(rows, rows[-1].pk if rows else after_id)
    return FeedPage(rows, max(after_id, horizon))


def event_feed(viewer: Staff, *, after_id: int = 0, limit: int = 100) -> list[CaseEvent]:
    """The events of ``event_feed_page``."""
    return event_feed_page(viewer, after_id=after_id, limit=limit).events


# --- pages of the long lists (keyset: a page costs the same however deep it is) ----------
#
# Each order ends with the id and has an index that yields it (cases migration 0013):
# ``task_inbox_order``, ``case_queue_order``, ``case_handout_order``, ``case_applicant_order``.
# A cursor that is not one of these lists' is ``CursorInvalid`` (422 in the API).


def inbox_page(officer: Staff, *, cursor: str = "", limit: int | None = None) -> ListPage:
    """One page of ``inbox_for`` in its order (due date, nulls last; ready; id).

    After a cursor with a due date, the rows with a later one come from the index's range
    and the ones with none (last in the order) from a second query if the page is not full.
    """
    tasks = inbox_for(officer)
    key = lambda t: [t.due_at, t.ready_at, t.pk]  # noqa: E731
    if not cursor:
        return page_of(tasks, key, limit)
    due, ready, pk = cursor_decode(cursor, (dt.datetime, dt.datetime, int))
    if ready is None or pk is None:
        raise CursorInvalid
    undated = tasks.filter(due_at__isnull=True)
    if due is None:
        return page_of(undated.filter(after(["ready_at", "pk"], [ready, pk])), key, limit)
    dated = tasks.filter(after(["due_at", "ready_at", "pk"], [due, ready, pk]))
    page = page_of(dated, key, limit)
    if page.next:
        return page
    want = (limit or paging.PAGE_ROWS) - len(page.rows)
    if want <= 0:  # the page is full with the last dated rows: the undated ones follow
        return ListPage(page.rows, cursor_encode(key(page.rows[-1])) if undated.exists() else "")
    rest = page_of(undated, key, want)
    return ListPage(page.rows + rest.rows, rest.next)


def window_queue_page(clerk: Staff, *, cursor: str = "", limit: int | None = None) -> ListPage:
    """One page of ``window_queue``, oldest first."""
    return keyset_page(window_queue(clerk), ["submitted_at", "pk"], cursor, limit)


def handout_queue_page(clerk: Staff, *, cursor: str = "", limit: int | None = None) -> ListPage:
    """One page of ``handout_queue``, oldest first."""
    return keyset_page(handout_queue(clerk), ["completed_at", "pk"], cursor, limit)


def applicant_cases_page(
    applicant: Applicant, *, cursor: str = "", limit: int | None = None
) -> ListPage:
    """One page of ``case_list_for_applicant``, newest first."""
    return keyset_page(case_list_for_applicant(applicant), ["-submitted_at", "-pk"], cursor, limit)


def verification_page(officer: Staff, *, cursor: str = "", limit: int | None = None) -> ListPage:
    """One page of ``verification_list_for``, oldest first."""
    return keyset_page(verification_list_for(officer), ["created_at", "pk"], cursor, limit)


def extension_pending_page(chief: Staff, *, cursor: str = "", limit: int | None = None) -> ListPage:
    """One page of ``extension_list_pending_for``, oldest first."""
    return keyset_page(extension_list_pending_for(chief), ["requested_at", "pk"], cursor, limit)


# ---------------------------------------------------------------- 帮代办 authorisations


def agent_cases(agent: Staff, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """What an agent sees: the cases they entered, each under an authorisation of its
    applicant. Once that authorisation is revoked the case is out of sight; once it has
    merely expired the case stays visible (the agent's own work, to answer the applicant's
    questions) but ``cases.actions`` allows nothing on it (docs/agents.md)."""
    base = Case.objects.exclude(state=CaseState.DRAFT) if cases is None else cases
    return base.filter(_agent_sees(agent))


def authorisations_of_applicant(applicant: Applicant) -> QuerySet[AgentAuthorisation]:
    """The applicant's authorisations, newest first, with their agents and scopes."""
    return (
        AgentAuthorisation.objects.filter(applicant=applicant)
        .select_related("agent", "agent__region", "recorded_by")
        .prefetch_related("packages", "items")
        .order_by("-valid_from", "-pk")
    )


def authorisations_held_by(agent: Staff) -> QuerySet[AgentAuthorisation]:
    """The authorisations an agent holds, newest first."""
    return (
        AgentAuthorisation.objects.filter(agent=agent)
        .select_related("applicant", "recorded_by")
        .prefetch_related("packages", "items")
        .order_by("-valid_from", "-pk")
    )


def authorisations_in_region(staff: Staff) -> QuerySet[AgentAuthorisation]:
    """The authorisations of the agents in a clerk's region subtree (the window records and
    revokes them)."""
    return (
        AgentAuthorisation.objects.filter(agent__region__code__startswith=staff.region.code)
        .select_related("applicant", "agent", "recorded_by")
        .prefetch_related("packages", "items")
        .order_by("-valid_from", "-pk")
    )


def authorisations_current(agent: Staff, applicant: Applicant) -> list[AgentAuthorisation]:
    """The agent's authorisations from the applicant that are valid now, newest first (the
    intake service picks the first that covers the application)."""
    now = clock.now()
    return list(
        AgentAuthorisation.objects.filter(
            agent=agent,
            applicant=applicant,
            revoked_at__isnull=True,
            valid_from__lte=now,
            valid_until__gt=now,
        )
        .prefetch_related("packages", "items")
        .order_by("-valid_from", "-pk")
    )


def authorisation_get_for(viewer: Staff | Applicant, authorisation_id: int) -> AgentAuthorisation:
    """One authorisation the viewer may see (the applicant's own, the agent's, or one of an
    agent in a clerk's region); otherwise ``NotFound``."""
    if isinstance(viewer, Applicant):
        rows = authorisations_of_applicant(viewer)
    elif viewer.role == Role.AGENT:
        rows = authorisations_held_by(viewer)
    elif viewer.role == Role.WINDOW_CLERK:
        rows = authorisations_in_region(viewer)
    else:
        rows = AgentAuthorisation.objects.none()
    found = rows.filter(pk=authorisation_id).first()
    if found is None:
        raise NotFound(_("代办授权不存在或不在您的查看范围内。"))
    return found


def authorisation_latest(agent: Staff, applicant: Applicant) -> AgentAuthorisation | None:
    """The agent's most recent authorisation from the applicant, whatever its state (to say
    why it no longer serves)."""
    return (
        AgentAuthorisation.objects.filter(agent=agent, applicant=applicant)
        .prefetch_related("packages", "items")
        .order_by("-valid_from", "-pk")
        .first()
    )


# ------------------------------------------------------------------------ 跨域通办


@dataclass(frozen=True)
class HandlingPlace:
    region_code: str
    region_name: str
    department_name: str
    mode: str  # a TaskMode value ("" before acceptance: not decided yet)
    mode_label: str


@dataclass(frozen=True)
class CrossDomainView:
    """Where a case was received and where its items are handled (docs/cross_domain.md)."""

    receiving_code: str
    receiving_name: str
    places: list[HandlingPlace]  # every handling place, the receiving region's own too
    elsewhere: list[HandlingPlace]  # handled in a region the receiving one is not inside
    is_checked: bool  # the receiving window's 形式审查 and 身份核验 are recorded

    @property
    def is_cross_domain(self) -> bool:
        return bool(self.elsewhere)


def case_cross_domain(case: Case) -> CrossDomainView:
    """The case's 收件地 and 办理地: from its tasks once accepted, else from the routing
    decided at submission. Three queries."""
    places: list[HandlingPlace] = []
    tasks = list(
        case.tasks.exclude(state__in=list(TASK_SET_ASIDE_STATES))
        .select_related("department", "region")
        .order_by("pk")
    )
    if tasks:
        places = [
            HandlingPlace(
                t.region_code, t.region.name, t.department.name, t.mode, t.get_mode_display()
            )
            for t in tasks
        ]
    elif case.dispatch_items:
        ids = [d["department"] for d in case.dispatch_items]
        departments = Department.objects.select_related("region").in_bulk(ids)
        places = [
            HandlingPlace(d.region.code, d.region.name, d.name, "", "")
            for d in (departments[i] for i in ids if i in departments)
        ]
    unique = list({(p.region_code, p.department_name): p for p in places}.values())
    return CrossDomainView(
        receiving_code=case.region_code,
        receiving_name=case.accepting_region.name,
        places=unique,
        elsewhere=[p for p in unique if not case.region_code.startswith(p.region_code)],
        is_checked=case.events.filter(kind=EventKind.RECEIVING_CHECKED).exists(),
    )


def agent_cases_for_applicant(applicant: Applicant) -> QuerySet[Case]:
    """The applicant's cases an agent entered for them, newest first (我的代办授权 lists them)."""
    return (
        Case.objects.filter(applicant=applicant, agent__isnull=False)
        .exclude(state=CaseState.DRAFT)
        .select_related("agent", "authorisation")
        .order_by("-submitted_at", "-pk")
    )
