"""The indicator set in force: 二级 indicators for online and on-site service (DOMAIN.md §1.4).

Codes are ours (the national code table of ``evalDetail`` was not found): 1xx online,
2xx on-site. A later version is a new migration adding a set and making it current. The
migration that seeds it and ``services.indicators_ensure`` (after a flush: tests, a demo
reload) both write it through ``indicator_set_2020``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

INDICATORS_2020 = [
    ("101", "办事效率", "online"),
    ("102", "办事指南精确度", "online"),
    ("103", "办事便捷度", "online"),
    ("104", "平台操作性", "online"),
    ("201", "服务效率", "onsite"),
    ("202", "服务水平", "onsite"),
    ("203", "服务态度", "onsite"),
]


def indicator_set_2020(indicator_set_model: Any, indicator_model: Any) -> bool:
    """Create the 2020.1 set with its indicators if it is missing; True when created."""
    indicator_set, created = indicator_set_model.objects.get_or_create(
        version="2020.1",
        defaults={
            "name": "政务服务好差评评价指标",
            "is_current": True,
            "valid_from": dt.date(2020, 12, 1),
        },
    )
    if created:
        indicator_model.objects.bulk_create(
            indicator_model(indicator_set=indicator_set, code=code, name=name, scope=scope, order=i)
            for i, (code, name, scope) in enumerate(INDICATORS_2020)
        )
    return bool(created)
