"""The rules a calendar row must satisfy, shared by the services and the admin forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from onestop.core.errors import ValidationFailed
from onestop.workdays.kinds import DayKind, DaySource
from onestop.workdays.seed import ScheduleDay

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def validate_year(year: int) -> None:
    if not 1900 <= year <= 2999:
        raise ValidationFailed(f"年度不正确：{year}。", field="year")


def validate_calendar_day(
    *, day: dt.date, kind: DayKind | str, source: DaySource | str, field: str = "kind"
) -> tuple[DayKind, DaySource]:
    """Check one exception row and return its kind and source as enums."""
    try:
        kind = DayKind(kind)
    except ValueError:
        raise ValidationFailed(f"日历类型不正确：{kind}。", field=field) from None
    try:
        source = DaySource(source)
    except ValueError:
        raise ValidationFailed(f"来源不正确：{source}。", field="source") from None
    validate_year(day.year)
    if kind == DayKind.CLOSURE and source != DaySource.LOCAL:
        raise ValidationFailed("临时停工只能作为本地调整登记，不能登记为国务院安排。", field=field)
    if source == DaySource.STATE_COUNCIL and kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationFailed(
            f"{day.isoformat()} 是{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日，"
            "无需登记为调休上班。",
            field=field,
        )
    return kind, source


def validate_schedule_days(*, year: int, days: Sequence[ScheduleDay]) -> None:
    """Check a whole State Council schedule for ``year`` before it replaces the old one."""
    validate_year(year)
    seen: set[dt.date] = set()
    for item in days:
        if item.day.year != year:
            raise ValidationFailed(f"{item.day.isoformat()} 不在 {year} 年度内。", field="days")
        if item.day in seen:
            raise ValidationFailed(f"{item.day.isoformat()} 重复登记。", field="days")
        seen.add(item.day)
        validate_calendar_day(
            day=item.day, kind=item.kind, source=DaySource.STATE_COUNCIL, field="days"
        )
