"""Staff roles and the permissions each one carries — defined here and nowhere else."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    WINDOW_CLERK = "clerk", _("综合窗口受理人员")
    OFFICER = "officer", _("部门专人")
    CHIEF_APPROVER = "chief", _("首席审批员")
    SUPERVISOR = "supervisor", _("电子监察人员")
    CATALOG_ADMIN = "catalog_admin", _("事项管理员")
    AGENT = "agent", _("帮代办员")


class Permission(models.TextChoices):
    CASE_INTAKE = "case_intake", _("代为录入申请")
    CASE_ACCEPT = "case_accept", _("受理、补正、不予受理")
    CASE_HAND_OUT = "case_hand_out", _("统一出件")
    TASK_HANDLE = "task_handle", _("认领、办理部门子件")
    TASK_DECIDE = "task_decide", _("作出审批决定")
    TASK_PAUSE = "task_pause", _("启动特别程序")
    EXTENSION_APPROVE = "extension_approve", _("批准延期")
    TASK_REASSIGN_ANY = "task_reassign_any", _("改派本部门任何子件")
    CASE_VIEW_REGION = "case_view_region", _("查看辖区全部办件")
    SUPERVISE = "supervise", _("电子监察")
    CATALOG_EDIT = "catalog_edit", _("维护事项目录")
    CATALOG_PUBLISH = "catalog_publish", _("发布事项目录")
    CALENDAR_EDIT = "calendar_edit", _("维护工作日历")
    AGENT_ACT = "agent_act", _("帮代办")
    CONSULTATION_RECORD = "consultation_record", _("登记咨询")
    RATING_RECORD = "rating_record", _("代录评价（电话、纸质）")
    RECTIFICATION_HANDLE = "rectification_handle", _("核实、整改差评")
    RATING_APPEAL_REVIEW = "rating_appeal_review", _("复核差评申诉")
    SUPERVISION_ANSWER = "supervision_answer", _("答复督办")
    STATS_VIEW = "stats_view", _("查看统计分析")
    SEAL_USE = "seal_use", _("使用电子印章")
    SEAL_MANAGE = "seal_manage", _("管理电子印章")
    SHIPMENT_HANDLE = "shipment_handle", _("办理寄递")


_OFFICER = {
    Permission.TASK_HANDLE,
    Permission.TASK_DECIDE,
    Permission.TASK_PAUSE,
    Permission.RECTIFICATION_HANDLE,
    Permission.SUPERVISION_ANSWER,
    Permission.SEAL_USE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.WINDOW_CLERK: frozenset(
        {
            Permission.CASE_INTAKE,
            Permission.CASE_ACCEPT,
            Permission.CASE_HAND_OUT,
            Permission.CONSULTATION_RECORD,
            Permission.RATING_RECORD,
            Permission.SHIPMENT_HANDLE,
        }
    ),
    Role.OFFICER: frozenset(_OFFICER),
    # 首席审批员: an officer stationed in the hall with the department's delegated authority;
    # besides deciding, they approve extensions (延期) for their department.
    Role.CHIEF_APPROVER: frozenset(
        _OFFICER
        | {Permission.EXTENSION_APPROVE, Permission.TASK_REASSIGN_ANY, Permission.STATS_VIEW}
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.CASE_VIEW_REGION,
            Permission.SUPERVISE,
            Permission.RATING_APPEAL_REVIEW,
            Permission.STATS_VIEW,
        }
    ),
    Role.CATALOG_ADMIN: frozenset(
        {
            Permission.CATALOG_EDIT,
            Permission.CATALOG_PUBLISH,
            Permission.CALENDAR_EDIT,
            Permission.SEAL_MANAGE,
        }
    ),
    Role.AGENT: frozenset({Permission.CASE_INTAKE, Permission.AGENT_ACT}),
}

# Roles whose scope includes one department (the others act for the whole region subtree).
DEPARTMENT_ROLES = frozenset({Role.OFFICER, Role.CHIEF_APPROVER})


def permissions_of(role: str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role(role)]
