from __future__ import annotations

import pytest

from onestop.accounts.roles import (
    DEPARTMENT_ROLES,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    permissions_of,
)


def test_every_role_has_permissions():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert all(ROLE_PERMISSIONS[role] for role in Role)


def test_every_permission_is_held_by_some_role():
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)


def test_chief_approver_has_the_officers_permissions_plus_extension_approval():
    officer, chief = permissions_of(Role.OFFICER), permissions_of(Role.CHIEF_APPROVER)
    assert chief == officer | {
        Permission.EXTENSION_APPROVE,
        Permission.TASK_REASSIGN_ANY,
        Permission.STATS_VIEW,
    }
    assert Permission.EXTENSION_APPROVE not in officer


def test_a_clerk_accepts_but_cannot_decide_tasks():
    clerk = permissions_of(Role.WINDOW_CLERK)
    assert Permission.CASE_ACCEPT in clerk
    assert Permission.TASK_DECIDE not in clerk
    assert Permission.TASK_HANDLE not in clerk


@pytest.mark.parametrize("role", sorted(set(Role) - DEPARTMENT_ROLES))
def test_only_department_roles_decide(role):
    assert Permission.TASK_DECIDE not in permissions_of(role)


def test_roles_and_permissions_have_chinese_labels():
    assert Role.CHIEF_APPROVER.label == "首席审批员"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(p.label)) for p in Permission)


def test_permissions_of_accepts_the_stored_string():
    assert permissions_of("officer") == ROLE_PERMISSIONS[Role.OFFICER]
