"""Who may do what to a case or a task now: the one answer pages, the API and services share.

An action is allowed when three things hold, each read from its single source:

* **the state**: the action's move is in the transition table of ``cases.states`` (an action
  that changes no state names the states it works in, here and nowhere else);
* **the permission**: the viewer's role carries it (``accounts.roles``), or the viewer is
  the case's own applicant (or the agent who entered it, while the applicant's
  authorisation is valid and covers the case: ``authorisation_refusal``);
* **the scope and the holder**: the case's accepting region (window actions) or the task's
  department and handling region (department actions) lie in the viewer's scope; a claimed
  task is decided only by the officer holding it.

``case_actions`` / ``task_actions`` list the allowed actions (for buttons, and the
``actions`` list of the API's JSON); ``case_action_require`` / ``task_action_require`` refuse
one with the reason (``PermissionDenied`` 403 or ``IllegalTransition`` 409) and are what the
services call before they change anything. Nothing here reads the database (everything is on
the rows the caller already holds) except whether a task's extension request is pending
and the packages or items an agent's authorisation lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import Permission
from onestop.cases.models import AgentAuthorisation, Case, Extension, ItemTask
from onestop.cases.states import (
    CASE_TRANSITIONS,
    TASK_HELD_STATES,
    TASK_TRANSITIONS,
    CaseState,
    ExtensionState,
    TaskState,
    refuse_state,
)
from onestop.core import clock
from onestop.core.errors import Conflict, PermissionDenied

Viewer = Staff | Applicant | None


class CaseAction(models.TextChoices):
    PRE_REVIEW_PASS = "pre_review_pass", _("预审通过")
    ACCEPT = "accept", _("受理")
    REQUEST_CORRECTION = "request_correction", _("一次性告知补正")
    REJECT = "reject", _("不予受理")
    VERIFY_ORIGINAL = "verify_original", _("核验原件")
    SUPPLEMENT = "supplement", _("补正材料")
    SUPPLY_TOLERATED = "supply_tolerated", _("补交容缺材料")
    WITHDRAW = "withdraw", _("撤回申请")
    HAND_OUT = "hand_out", _("统一出件")
    RECEIVING_CHECK = "receiving_check", _("形式审查和身份核验")


class TaskAction(models.TextChoices):
    CLAIM = "claim", _("认领")
    APPROVE = "approve", _("通过")
    DENY = "deny", _("不予许可")
    RETURN = "return", _("退回窗口")
    PAUSE = "pause", _("启动特别程序")
    RESUME = "resume", _("结束特别程序")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    REASSIGN = "reassign", _("改派")


class ExtensionAction(models.TextChoices):
    APPROVE = "approve", _("批准延期")


# Who acts: a permission of the viewer's role, or the case's owner (the applicant, the agent
# who entered it, or a window clerk acting on the applicant's written request).
OWNER = None


@dataclass(frozen=True)
class _Rule:
    permission: Permission | None
    # The states the action starts from: those from which the table allows ``to``, narrowed
    # to ``only`` where the action is one particular way of reaching ``to``.
    to: CaseState | TaskState | None = None
    only: frozenset[str] | None = None
    # Actions that change no state: the states they work in.
    within: frozenset[str] | None = None
    # A claimed task: only the officer who holds it.
    holder: bool = False

    def states(self, table: dict) -> frozenset[str]:
        if self.within is not None:
            return self.within
        sources = frozenset(str(s) for s, targets in table.items() if self.to in targets)
        return sources & self.only if self.only is not None else sources


_CS = CaseState
_TS = TaskState

CASE_RULES: dict[CaseAction, _Rule] = {
    CaseAction.PRE_REVIEW_PASS: _Rule(
        Permission.CASE_ACCEPT, to=_CS.SUBMITTED, only=frozenset({_CS.PRE_REVIEW})
    ),
    CaseAction.ACCEPT: _Rule(Permission.CASE_ACCEPT, to=_CS.ACCEPTED),
    CaseAction.REQUEST_CORRECTION: _Rule(Permission.CASE_ACCEPT, to=_CS.CORRECTION_REQUESTED),
    CaseAction.REJECT: _Rule(Permission.CASE_ACCEPT, to=_CS.REJECTED),
    CaseAction.VERIFY_ORIGINAL: _Rule(
        Permission.CASE_ACCEPT,
        within=frozenset({_CS.PRE_REVIEW, _CS.SUBMITTED, _CS.CORRECTION_REQUESTED}),
    ),
    # 收件地: the window's form check and identity check of a case handled elsewhere.
    CaseAction.RECEIVING_CHECK: _Rule(
        Permission.CASE_ACCEPT, within=frozenset({_CS.SUBMITTED, _CS.CORRECTION_REQUESTED})
    ),
    CaseAction.SUPPLEMENT: _Rule(
        OWNER, to=_CS.SUBMITTED, only=frozenset({_CS.CORRECTION_REQUESTED})
    ),
    CaseAction.SUPPLY_TOLERATED: _Rule(OWNER, within=frozenset({_CS.IN_PROGRESS, _CS.COMPLETED})),
    # A draft is discarded, not withdrawn.
    CaseAction.WITHDRAW: _Rule(
        OWNER, to=_CS.WITHDRAWN, only=frozenset(CASE_TRANSITIONS) - {_CS.DRAFT}
    ),
    CaseAction.HAND_OUT: _Rule(Permission.CASE_HAND_OUT, to=_CS.DELIVERED),
}

TASK_RULES: dict[TaskAction, _Rule] = {
    TaskAction.CLAIM: _Rule(Permission.TASK_HANDLE, to=_TS.CLAIMED, only=frozenset({_TS.READY})),
    TaskAction.APPROVE: _Rule(Permission.TASK_DECIDE, to=_TS.APPROVED, holder=True),
    TaskAction.DENY: _Rule(Permission.TASK_DECIDE, to=_TS.DENIED, holder=True),
    # Pending tasks are returned with the case, never on their own.
    TaskAction.RETURN: _Rule(
        Permission.TASK_HANDLE,
        to=_TS.RETURNED,
        only=frozenset({_TS.READY, _TS.CLAIMED}),
        holder=True,
    ),
    TaskAction.PAUSE: _Rule(Permission.TASK_PAUSE, to=_TS.PAUSED, holder=True),
    # Any officer of the department may record the end of a special procedure.
    TaskAction.RESUME: _Rule(Permission.TASK_PAUSE, to=_TS.CLAIMED, only=frozenset({_TS.PAUSED})),
    TaskAction.REQUEST_EXTENSION: _Rule(
        Permission.TASK_HANDLE, within=frozenset({_TS.CLAIMED, _TS.PAUSED}), holder=True
    ),
    TaskAction.REASSIGN: _Rule(Permission.TASK_HANDLE, within=frozenset({_TS.READY, _TS.CLAIMED})),
}
del _CS, _TS


# ----------------------------------------------------------------- 帮代办 authorisations


def authorisation_refusal(
    authorisation: AgentAuthorisation | None,
    *,
    agent: Staff,
    applicant_id: int,
    package_id: int | None,
    item_id: int | None,
) -> str:
    """'' when ``authorisation`` lets ``agent`` act for the applicant on this package or item
    now; else why not. The one check of an agent's authorisation (docs/agents.md): the
    agent's role carries 帮代办, the authorisation is the applicant's to this agent, neither
    revoked nor outside its period, and names the package (or the single item) or all items.
    Reads the authorisation's listed packages or items (prefetch them to spare it)."""
    if not agent.has_permission(Permission.AGENT_ACT):
        return _gettext("%(name)s不是帮代办员。") % {"name": agent.name}
    if authorisation is None:
        return _gettext("没有申请人对您的代办授权。")
    if authorisation.agent_id != agent.pk or authorisation.applicant_id != applicant_id:
        return _gettext("该代办授权不是申请人给您的。")
    now = clock.now()
    if authorisation.revoked_at is not None and authorisation.revoked_at <= now:
        return _gettext("申请人已于%(at)s撤销该代办授权。") % {
            "at": clock.local(authorisation.revoked_at).strftime("%Y-%m-%d")
        }
    if now < authorisation.valid_from:
        return _gettext("该代办授权自%(at)s起生效。") % {
            "at": clock.local(authorisation.valid_from).strftime("%Y-%m-%d")
        }
    if now >= authorisation.valid_until:
        return _gettext("该代办授权已于%(at)s到期。") % {
            "at": clock.local(authorisation.valid_until).strftime("%Y-%m-%d")
        }
    if authorisation.all_items:
        return ""
    if package_id is not None:
        if package_id in {p.pk for p in authorisation.packages.all()}:
            return ""
    elif item_id is not None and item_id in {i.pk for i in authorisation.items.all()}:
        return ""
    return _gettext("该代办授权不包括本事项。")


class AuthorisationStatus(models.TextChoices):
    PENDING = "pending", _("未生效")
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("已到期")
    REVOKED = "revoked", _("已撤销")


def authorisation_status(authorisation: AgentAuthorisation) -> AuthorisationStatus:
    """Where an authorisation stands now (what the lists show)."""
    now = clock.now()
    if authorisation.revoked_at is not None and authorisation.revoked_at <= now:
        return AuthorisationStatus.REVOKED
    if now < authorisation.valid_from:
        return AuthorisationStatus.PENDING
    if now >= authorisation.valid_until:
        return AuthorisationStatus.EXPIRED
    return AuthorisationStatus.VALID


def authorisation_may_revoke_as(authorisation: AgentAuthorisation, viewer: Viewer) -> bool:
    """Who may revoke: the applicant who gave it, the agent who holds it (renouncing), or a
    window clerk covering the agent's region."""
    if isinstance(viewer, Applicant):
        return authorisation.applicant_id == viewer.pk
    if isinstance(viewer, Staff):
        if viewer.pk == authorisation.agent_id:
            return True
        return viewer.has_permission(Permission.CASE_ACCEPT) and viewer.covers(
            authorisation.agent.region.code
        )
    return False


def authorisation_may_revoke(authorisation: AgentAuthorisation, viewer: Viewer) -> bool:
    """Whether to offer 撤销: who (``authorisation_may_revoke_as``), while pending or valid."""
    return authorisation_status(authorisation) in (
        AuthorisationStatus.PENDING,
        AuthorisationStatus.VALID,
    ) and authorisation_may_revoke_as(authorisation, viewer)


def case_target_ids(case: Case) -> tuple[int | None, int | None]:
    """The package and the single item (identities, not versions) a case applies for."""
    if case.package_version_id is not None:
        return case.package_version.package_id, None
    if case.item_version_id is not None:
        return None, case.item_version.item_id
    return None, None


def agent_case_refusal(case: Case, agent: Staff) -> str:
    """'' when ``agent`` may act on ``case`` for its applicant now (the authorisation it was
    entered under is still valid and covers it); else why not."""
    if case.agent_id != agent.pk:
        return _gettext("这不是您代办的办件。")
    package_id, item_id = case_target_ids(case)
    return authorisation_refusal(
        case.authorisation if case.authorisation_id else None,
        agent=agent,
        applicant_id=case.applicant_id,
        package_id=package_id,
        item_id=item_id,
    )


def _owner_refusal(case: Case, viewer: Viewer) -> str:
    if isinstance(viewer, Applicant) and case.applicant_id == viewer.pk:
        return ""
    if isinstance(viewer, Staff):
        if case.agent_id == viewer.pk and viewer.has_permission(Permission.AGENT_ACT):
            return agent_case_refusal(case, viewer)
        if viewer.has_permission(Permission.CASE_ACCEPT) and viewer.covers(case.region_code):
            return ""
    return _gettext("这不是您的办件。")


def _may_act_on_case(case: Case, viewer: Viewer, rule: _Rule) -> str:
    """'' when the viewer may act on the case by role and scope; else why not."""
    if rule.permission is OWNER:
        return _owner_refusal(case, viewer)
    if not isinstance(viewer, Staff) or not viewer.has_permission(rule.permission):
        return _no_permission(viewer, rule.permission)
    if not viewer.covers(case.region_code):
        return _gettext("该办件的收件地不在您的管辖范围内。")
    return ""


def _no_permission(viewer: Viewer, permission: Permission) -> str:
    if isinstance(viewer, Staff):
        return _gettext("%(role)s无权执行此操作（需要“%(perm)s”权限）。") % {
            "role": viewer.get_role_display(),
            "perm": permission.label,
        }
    return _gettext("无权执行此操作（需要“%(perm)s”权限）。") % {"perm": permission.label}


def _may_act_on_task(task: ItemTask, viewer: Viewer, rule: _Rule) -> str:
    assert rule.permission is not None
    if not isinstance(viewer, Staff) or not viewer.has_permission(rule.permission):
        return _no_permission(viewer, rule.permission)
    if viewer.department_id != task.department_id or not viewer.covers(task.region_code):
        return _gettext("该子件不属于您所在部门或管辖区划。")
    return ""


def _holder_refusal(task: ItemTask, viewer: Staff, rule: _Rule, *, named: bool = False) -> str:
    """Why ``viewer`` may not act on a task someone else holds ('' if they may)."""
    if not rule.holder or task.state not in TASK_HELD_STATES or task.assignee_id == viewer.pk:
        return ""
    holder = task.assignee.name if named and task.assignee_id else _gettext("他人")
    return _gettext("该子件由%(name)s承办，您不能代为办理。") % {"name": holder}


def _extra_task_refusal(task: ItemTask, viewer: Staff, action: TaskAction) -> str:
    if (
        action == TaskAction.REASSIGN
        and task.assignee_id not in (None, viewer.pk)
        and not viewer.has_permission(Permission.TASK_REASSIGN_ANY)
    ):
        return _gettext("只有当前承办人或本部门首席审批员可以改派。")
    return ""


def case_actions(case: Case, viewer: Viewer) -> frozenset[CaseAction]:
    """The actions ``viewer`` may take on ``case`` now."""
    state = str(case.state)
    return frozenset(
        action
        for action, rule in CASE_RULES.items()
        if state in rule.states(CASE_TRANSITIONS) and not _may_act_on_case(case, viewer, rule)
    )


def case_action_require(case: Case, viewer: Viewer, action: CaseAction) -> None:
    """Refuse ``action`` unless allowed: 403 for who (checked first), 409 for the state."""
    rule = CASE_RULES[action]
    why = _may_act_on_case(case, viewer, rule)
    if why:
        raise PermissionDenied(why)
    if str(case.state) not in rule.states(CASE_TRANSITIONS):
        refuse_state(case, action=action.label)


def task_actions(task: ItemTask, viewer: Viewer) -> frozenset[TaskAction]:
    """The actions ``viewer`` may take on ``task`` now."""
    if not isinstance(viewer, Staff):
        return frozenset()
    state = str(task.state)
    allowed = []
    for action, rule in TASK_RULES.items():
        if state not in rule.states(TASK_TRANSITIONS):
            continue
        if _may_act_on_task(task, viewer, rule) or _holder_refusal(task, viewer, rule):
            continue
        if _extra_task_refusal(task, viewer, action):
            continue
        if action == TaskAction.REQUEST_EXTENSION and (
            _is_overdue(task) or _has_pending_extension(task)
        ):
            continue
        allowed.append(action)
    return frozenset(allowed)


def _is_overdue(task: ItemTask) -> bool:
    return task.due_at is not None and clock.now() > task.due_at


def _has_pending_extension(task: ItemTask) -> bool:
    """Whether an extension request waits for the chief approver (one per task at a time).

    The one read of this module, and only for the holder of a claimed or paused task:
    prefetch ``extensions`` to spare it."""
    cache = getattr(task, "_prefetched_objects_cache", {})
    if "extensions" in cache:
        return any(e.state == ExtensionState.REQUESTED for e in cache["extensions"])
    return task.extensions.filter(state=ExtensionState.REQUESTED).exists()


def task_action_require(task: ItemTask, viewer: Viewer, action: TaskAction) -> None:
    """Refuse ``action`` unless allowed: who first (403), then the state (409), then the
    holder of a claimed task (403)."""
    rule = TASK_RULES[action]
    why = _may_act_on_task(task, viewer, rule)
    if why:
        raise PermissionDenied(why)
    assert isinstance(viewer, Staff)
    if str(task.state) not in rule.states(TASK_TRANSITIONS):
        refuse_state(task, action=action.label)
    why = _holder_refusal(task, viewer, rule, named=True) or _extra_task_refusal(
        task, viewer, action
    )
    if why:
        raise PermissionDenied(why)


def _may_approve_extension(extension: Extension, viewer: Viewer) -> bool:
    task = extension.task
    return (
        isinstance(viewer, Staff)
        and viewer.has_permission(Permission.EXTENSION_APPROVE)
        and viewer.department_id == task.department_id
        and viewer.covers(task.region_code)
    )


def extension_actions(extension: Extension, viewer: Viewer) -> frozenset[ExtensionAction]:
    """The chief approver of the task's department approves a requested extension."""
    if extension.state == ExtensionState.REQUESTED and _may_approve_extension(extension, viewer):
        return frozenset({ExtensionAction.APPROVE})
    return frozenset()


def extension_action_require(extension: Extension, viewer: Viewer, action: ExtensionAction) -> None:
    """Refuse approving an extension: 403 unless the department's chief approver, 409 once
    it has been decided."""
    if not _may_approve_extension(extension, viewer):
        raise PermissionDenied(_gettext("只有该部门的首席审批员可以批准延期。"))
    if extension.state != ExtensionState.REQUESTED:
        raise Conflict(_gettext("该延期申请已处理。"))
