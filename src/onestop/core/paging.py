"""Keyset paging: a page of a list after the last row of the previous one, by an opaque cursor.

A list's order ends with its primary key, so every row has one place in it; the cursor holds
the order's values of the last row shown, and the next page is the rows after them. A page
costs the same however deep it is (the index that serves the order is entered at the cursor,
``WHERE first >= value AND (…)``), and no count of the whole match is made: where a total is
shown it is counted up to ``COUNT_CAP`` (and shown as "1000+" above it).

A cursor is base64 of a JSON list; anything else, or values that do not fit the order's
fields, is ``CursorInvalid`` (a 422 naming ``cursor`` in the API; the pages show the first
page instead).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ValidationFailed

PAGE_ROWS = 50
COUNT_CAP = 1000


class CursorInvalid(ValidationFailed):
    """A cursor this application did not hand out (or one of another list)."""

    def __init__(self) -> None:
        super().__init__(
            _("游标无效：请使用上一页返回的 next，或不带 cursor 从第一页开始。"), field="cursor"
        )


@dataclass(frozen=True)
class ListPage:
    """One page of a list, and the cursor of the next ("" on the last page)."""

    rows: list[Any]
    next: str


def cursor_encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def cursor_decode(cursor: str, kinds: tuple[type, ...]) -> list[Any]:
    """The values of a cursor made by ``cursor_encode``, each of its kind (``None`` allowed);
    ``CursorInvalid`` for anything else."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=="))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise CursorInvalid
        decoded: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if value is None:
                decoded.append(None)
            elif kind is dt.datetime and isinstance(value, str):
                moment = dt.datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    raise CursorInvalid
                decoded.append(moment)
            elif kind is int and isinstance(value, int) and not isinstance(value, bool):
                if not -(2**63) <= value < 2**63:  # would overflow a 64-bit column
                    raise CursorInvalid
                decoded.append(value)
            elif kind is str and isinstance(value, str) and len(value) <= 200:
                decoded.append(value)
            else:
                raise CursorInvalid
        return decoded
    except (ValueError, TypeError, UnicodeError, binascii.Error, OverflowError):
        raise CursorInvalid from None


def after(order: list[str], last: list[Any]) -> Q:
    """The rows after ``last`` in ``order`` (field names, "-" for descending; no NULLs).

    ``a > x OR (a = x AND b > y) OR …``, and ``a >= x`` beside it so that the database
    enters the index at the cursor instead of filtering from the start of the list.
    """
    names = [name.lstrip("-") for name in order]
    ops = ["lt" if name.startswith("-") else "gt" for name in order]
    later = Q()
    for i in range(len(order) - 1, -1, -1):
        step = Q(**{f"{names[i]}__{ops[i]}": last[i]})
        later = step if i == len(order) - 1 else step | (Q(**{names[i]: last[i]}) & later)
    return Q(**{f"{names[0]}__{ops[0]}e": last[0]}) & later


def _kind(qs: QuerySet[Any], name: str) -> type:
    field = qs.model._meta.pk if name == "pk" else qs.model._meta.get_field(name)
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return dt.datetime
    if internal in {"AutoField", "BigAutoField", "IntegerField", "PositiveIntegerField"}:
        return int
    return str


def _value(row: Any, name: str) -> Any:
    return row.pk if name == "pk" else getattr(row, name)


def keyset_page(qs: QuerySet[Any], order: list[str], cursor: str, limit: int | None) -> ListPage:
    """One page of ``qs`` in ``order`` (which must end with "pk" or "-pk") after ``cursor``."""
    names = [name.lstrip("-") for name in order]
    qs = qs.order_by(*order)
    if cursor:
        last = cursor_decode(cursor, tuple(_kind(qs, name) for name in names))
        if any(value is None for value in last):
            raise CursorInvalid
        try:
            qs = qs.filter(after(order, last))
        except ValidationError:
            raise CursorInvalid from None
    return page_of(qs, lambda row: [_value(row, name) for name in names], limit)


def page_of(qs: QuerySet[Any], key: Any, limit: int | None) -> ListPage:
    """The first ``limit`` rows of ``qs`` and the cursor after them if there are more."""
    limit = limit or PAGE_ROWS
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return ListPage(rows, cursor_encode(key(rows[-1])) if more and rows else "")


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``qs`` has, counted up to ``cap``; and whether there are more."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
