"""Validation of the merged application form (一表申请) against the applicable form fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from onestop.accounts.validators import validate_mobile, validate_resident_id, validate_uscc
from onestop.catalog.models import FieldKind, FormField
from onestop.core.errors import ValidationFailed

_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_TEXT_KINDS = {FieldKind.TEXT, FieldKind.TEXTAREA, FieldKind.ADDRESS}


def _fail(form_field: FormField, message: str) -> ValidationFailed:
    return ValidationFailed(
        _("“%(label)s”：%(message)s") % {"label": form_field.label, "message": message},
        field=f"form_data.{form_field.key}",
    )


def _validator_message(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


# Defaults where a field definition carries no range: 数值 fields are counts (整数, 非负),
# 金额 fields are amounts in yuan (非负, 至多一万亿元 1e13 — above any registered capital).
NUMBER_MAX = Decimal(10**9)
MONEY_MAX = Decimal(10**13)


def number_range(form_field: FormField) -> tuple[Decimal, Decimal]:
    """The accepted range of a 数值/金额 field: its own ``min``/``max`` if set, else the defaults."""
    default_high = MONEY_MAX if form_field.kind == FieldKind.MONEY else NUMBER_MAX
    low = getattr(form_field, "min_value", None)
    high = getattr(form_field, "max_value", None)
    return (
        Decimal(0) if low is None else Decimal(str(low)),
        default_high if high is None else Decimal(str(high)),
    )


def _clean_value(form_field: FormField, raw: Any) -> Any:
    kind = form_field.kind
    if kind == FieldKind.YES_NO:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "yes", "1", "是"}:
            return True
        if text in {"false", "no", "0", "否"}:
            return False
        raise _fail(form_field, _("请选择是或否。"))
    if isinstance(raw, (dict, list)):
        raise _fail(form_field, _("格式不正确。"))
    text = str(raw).strip()
    if kind in _TEXT_KINDS:
        limit = form_field.max_length
        if limit and len(text) > limit:
            raise _fail(
                form_field, _("最多 %(n)d 个字，当前 %(len)d 个。") % {"n": limit, "len": len(text)}
            )
        return text
    if kind in (FieldKind.NUMBER, FieldKind.MONEY):
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _fail(form_field, _("请填写数字。")) from None
        if not number.is_finite():
            raise _fail(form_field, _("请填写数字。"))
        low, high = number_range(form_field)
        if kind == FieldKind.MONEY:
            if number < 0:
                raise _fail(form_field, _("金额不能为负数。"))
            if number.as_tuple().exponent < -2:  # type: ignore[operator]
                raise _fail(form_field, _("金额最多保留两位小数。"))
        elif number != number.to_integral_value():
            raise _fail(form_field, _("请填写整数。"))
        if not low <= number <= high:
            raise _fail(
                form_field,
                _("应在 %(low)s 至 %(high)s 之间。") % {"low": f"{low:f}", "high": f"{high:f}"},
            )
        return text
    if kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _fail(form_field, _("请按 YYYY-MM-DD 填写日期。")) from None
    if kind == FieldKind.CHOICE:
        values = {str(c.get("value")) for c in form_field.choices or [] if isinstance(c, dict)}
        if text not in values:
            raise _fail(form_field, _("选项“%(v)s”无效。") % {"v": text})
        return text
    validators: dict[str, Callable[[str], object]] = {
        FieldKind.ID_NUMBER: validate_resident_id,
        FieldKind.USCC: validate_uscc,
        FieldKind.EMAIL: validate_email,
    }
    if kind == FieldKind.PHONE:
        if _LANDLINE.fullmatch(text):
            return text
        validators[FieldKind.PHONE] = validate_mobile
    validator = validators.get(kind)
    if validator is not None:
        try:
            validator(text.upper() if kind in (FieldKind.ID_NUMBER, FieldKind.USCC) else text)
        except ValidationError as exc:
            raise _fail(form_field, _validator_message(exc)) from None
        return text.upper() if kind in (FieldKind.ID_NUMBER, FieldKind.USCC) else text
    return text


def form_data_clean(fields: Iterable[FormField], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check every applicable field (required, type, choices, identifiers); refuse unknown keys."""
    if not isinstance(raw, Mapping):
        raise ValidationFailed(_("申请表内容必须是键值对。"), field="form_data")
    fields = list(fields)
    cleaned: dict[str, Any] = {}
    for form_field in fields:
        value = raw.get(form_field.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if form_field.required:
                raise _fail(form_field, _("此项为必填项。"))
            continue
        cleaned[form_field.key] = _clean_value(form_field, value)
    unknown = sorted(set(raw) - {f.key for f in fields})
    if unknown:
        raise ValidationFailed(
            _("申请表中有不适用的字段：%(keys)s。") % {"keys": "、".join(unknown)},
            field=f"form_data.{unknown[0]}",
        )
    return cleaned
