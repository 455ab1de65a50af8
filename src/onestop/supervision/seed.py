"""The 监察规则 of DOMAIN §6.4 as seeded: (code, name, kind, trigger, parameters, active, note).

Migration 0002 writes them; ``services.rules_ensure`` puts back any that are missing (after a
test database flush, say) without touching rules a supervisor has edited.
"""

from __future__ import annotations

from typing import Any

RULES: list[tuple[str, str, str, str, dict[str, Any], bool, str]] = [
    (
        "JC-YJ-01",
        "办件承诺时限即将到期",
        "warning",
        "case_near_limit",
        {},
        True,
        "剩余工作日不超过 ONESTOP_WARN_REMAINING_WORKDAYS 或承诺时限的 ONESTOP_WARN_REMAINING_RATIO"
        "（与办件黄灯同一规则）。",
    ),
    ("JC-JC-01", "办件超过承诺时限", "correction", "case_overdue", {}, True, "办件红灯：已超期。"),
    (
        "JC-YJ-02",
        "子件办理时限即将到期",
        "warning",
        "task_near_limit",
        {},
        True,
        "子件黄灯（特别程序中的子件暂停计时，不预警）。",
    ),
    ("JC-JC-02", "子件超过办理时限", "correction", "task_overdue", {}, True, "子件红灯：已超期。"),
    (
        "JC-JC-03",
        "办件未超期但环节超时",
        "correction",
        "step_overdue",
        {"steps": ["accept", "review", "decision", "certificate", "delivery"]},
        True,
        "受理、审查、决定、制证、送达各环节按事项办理流程的环节时限计；环节起止由办件事件"
        "（制证：子件决定至其证照、决定书签发）推得（见 docs/supervision.md）。"
        "办件本身已超期时由 JC-JC-01 代替。",
    ),
    (
        "JC-JC-04",
        "网上预审超期未处理",
        "correction",
        "pre_review_overdue",
        {"limit_days": 1, "unit": "workday"},
        True,
        "网上、移动端、自助终端提交的申请在预审中超过 limit_days 未作处理。",
    ),
    (
        "JC-JC-05",
        "不予受理、不予许可未说明理由",
        "correction",
        "reason_missing",
        {},
        True,
        "不予受理的办件没有理由，或不予许可的子件没有办理意见。",
    ),
    (
        "JC-JC-06",
        "延期未经首席审批员批准",
        "correction",
        "extension_unapproved",
        {},
        True,
        "已生效的延期没有批准人，或批准人不是该部门有延期审批权限的首席审批员。",
    ),
    (
        "JC-JC-07",
        "超标准收费",
        "correction",
        "fee_over_standard",
        {},
        False,
        "未启用：系统尚未记录实际收取的费用（缴款单号、金额），无从与事项的收费标准比对。"
        "收费记录建成后启用。",
    ),
    (
        "JC-JC-08",
        "异地收件超期未转寄原件",
        "correction",
        "originals_forward_overdue",
        {"limit_days": 2, "unit": "workday"},
        True,
        "异地代收代办（收受分离）：收件地受理后 limit_days 内未将纸质原件寄往办理地"
        "（见 docs/cross_domain.md）。收件地的责任，与办理地的办理时限分别监察。",
    ),
]
