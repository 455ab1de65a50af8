"""A small, safe JSON rule language for 情形 (situation) conditions.

A condition is ``None``/``{}`` (always applies) or one of::

    {"question": "area_sqm", "op": ">=", "value": 50}
    {"all": [cond, ...]}      {"any": [cond, ...]}      {"not": cond}

with ops ``== != > >= < <= in`` (``in`` takes a list). It is evaluated in Python against
answers already typed by question kind (yes_no → bool, number → Decimal, choice → str);
nothing is ever ``eval``-ed. ``condition_problems`` explains what is wrong with a condition
(unknown question, unknown op, value of the wrong type) so services and the checker can
refuse it with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.errors import ValidationFailed

OPS = ("==", "!=", ">", ">=", "<", "<=", "in")
ORDER_OPS = {">", ">=", "<", "<="}
_KINDS_OPS = {
    "yes_no": {"==", "!="},
    "choice": {"==", "!=", "in"},
    "number": set(OPS),
}


class ConditionError(ValidationFailed):
    code = "invalid_condition"
    title = gettext_lazy("适用情形条件有误")


@dataclass(frozen=True)
class QuestionSpec:
    """What a condition needs to know about a question: its kind and allowed choice values."""

    key: str
    kind: str
    choice_values: frozenset[str] = frozenset()


def is_always(condition: Any) -> bool:
    return condition is None or condition == {}


def condition_question_keys(condition: Any) -> set[str]:
    """Every question key a (well-formed) condition mentions."""
    if not isinstance(condition, dict) or is_always(condition):
        return set()
    if "question" in condition:
        return {str(condition["question"])}
    if "not" in condition:
        return condition_question_keys(condition["not"])
    keys: set[str] = set()
    for part in condition.get("all", condition.get("any", [])) or []:
        keys |= condition_question_keys(part)
    return keys


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _leaf_problems(cond: dict[str, Any], questions: Mapping[str, QuestionSpec] | None) -> list[str]:
    problems: list[str] = []
    extra = set(cond) - {"question", "op", "value"}
    if extra:
        problems.append(_("条件含有无法识别的键：%(names)s") % {"names": "、".join(sorted(extra))})
    key, op = cond.get("question"), cond.get("op")
    if not isinstance(key, str) or not key:
        return [*problems, _("条件缺少情形问题标识（question）")]
    if op not in OPS:
        return [
            *problems,
            _("情形“%(key)s”的运算符“%(op)s”无效，可用：%(names)s")
            % {"key": key, "op": op, "names": " ".join(OPS)},
        ]
    if "value" not in cond:
        return [*problems, _("情形“%(key)s”的条件缺少比较值（value）") % {"key": key}]
    value = cond["value"]
    if op == "in" and (not isinstance(value, list) or not value):
        return [*problems, _("情形“%(key)s”使用 in 时比较值必须是非空列表") % {"key": key}]
    if questions is None:
        return problems
    spec = questions.get(key)
    if spec is None:
        return [*problems, _("条件引用了不存在的情形问题“%(key)s”") % {"key": key}]
    if op not in _KINDS_OPS.get(spec.kind, set()):
        return [
            *problems,
            _("情形“%(key)s”（%(kind)s）不支持运算符“%(op)s”")
            % {"key": key, "kind": spec.kind, "op": op},
        ]
    values = value if op == "in" else [value]
    for one in values:
        if spec.kind == "yes_no" and not isinstance(one, bool):
            problems.append(
                _("情形“%(key)s”是是/否问题，比较值必须是 true 或 false") % {"key": key}
            )
        elif spec.kind == "number" and _as_number(one) is None:
            problems.append(
                _("情形“%(key)s”是数值问题，比较值“%(one)s”不是数字") % {"key": key, "one": one}
            )
        elif spec.kind == "choice" and str(one) not in spec.choice_values:
            problems.append(_("情形“%(key)s”没有选项“%(one)s”") % {"key": key, "one": one})
    return problems


def condition_problems(
    condition: Any, questions: Mapping[str, QuestionSpec] | None = None
) -> list[str]:
    """What is wrong with a condition; empty when it is valid.

    With ``questions`` the keys, ops and value types are checked against the questions too;
    without, only the structure (used for item materials, whose questions live in packages).
    """
    if is_always(condition):
        return []
    if not isinstance(condition, dict):
        return [_("条件必须是 JSON 对象")]
    combinators = [k for k in ("all", "any", "not") if k in condition]
    if combinators:
        if len(condition) != 1:
            return [_("all、any、not 必须单独使用，不能与其他键并列")]
        name = combinators[0]
        if name == "not":
            if not isinstance(condition["not"], dict) or is_always(condition["not"]):
                return [_("not 需要一个条件对象")]
            return condition_problems(condition["not"], questions)
        parts = condition[name]
        if not isinstance(parts, list) or not parts:
            return [_("%(name)s 需要非空的条件列表") % {"name": name}]
        problems: list[str] = []
        for part in parts:
            if is_always(part):
                problems.append(_("%(name)s 中不能有空条件") % {"name": name})
            else:
                problems.extend(condition_problems(part, questions))
        return problems
    return _leaf_problems(condition, questions)


def condition_require_valid(
    condition: Any, questions: Mapping[str, QuestionSpec] | None = None, *, field: str = ""
) -> None:
    """Raise ``ConditionError`` listing the problems of an invalid condition."""
    problems = condition_problems(condition, questions)
    if problems:
        raise ConditionError("；".join(problems), field=field or None)


def _compare(answer: Any, op: str, value: Any) -> bool:
    if isinstance(answer, Decimal):
        if op == "in":
            return any(answer == _as_number(v) for v in value)
        target = _as_number(value)
        if target is None:
            raise ConditionError(_("比较值“%(value)s”不是数字") % {"value": value})
        left, right = answer, target
    else:
        if op == "in":
            return answer in value
        if op in ORDER_OPS:
            raise ConditionError(_("运算符“%(op)s”只能用于数值问题") % {"op": op})
        left, right = answer, value
    match op:
        case "==":
            return left == right
        case "!=":
            return left != right
        case ">":
            return left > right
        case ">=":
            return left >= right
        case "<":
            return left < right
        case "<=":
            return left <= right
    raise ConditionError(_("运算符“%(op)s”无效") % {"op": op})


def condition_evaluate(condition: Any, answers: Mapping[str, Any]) -> bool:
    """Whether a condition holds for typed answers; an unknown question key is an error."""
    if is_always(condition):
        return True
    if not isinstance(condition, dict):
        raise ConditionError(_("条件必须是 JSON 对象"))
    if "all" in condition:
        return all(condition_evaluate(part, answers) for part in condition["all"])
    if "any" in condition:
        return any(condition_evaluate(part, answers) for part in condition["any"])
    if "not" in condition:
        return not condition_evaluate(condition["not"], answers)
    key, op = condition.get("question"), condition.get("op")
    if op not in OPS:
        raise ConditionError(
            _("运算符“%(op)s”无效，可用：%(names)s") % {"op": op, "names": " ".join(OPS)}
        )
    if key not in answers:
        raise ConditionError(
            _("条件引用了不存在的情形问题“%(key)s”") % {"key": key}, field=str(key)
        )
    return _compare(answers[key], op, condition.get("value"))


_YES = {"yes", "true", "1", "y", "是", "on"}
_NO = {"no", "false", "0", "n", "否", "off"}


def answer_clean(spec: QuestionSpec, raw: Any, *, label: str = "") -> bool | Decimal | str:
    """Type one raw answer by its question kind, or raise ``ValidationFailed`` naming it."""
    name = label or spec.key
    if spec.kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise ValidationFailed(_("“%(name)s”请回答是或否") % {"name": name}, field=spec.key)
    if spec.kind == "number":
        number = _as_number(raw.strip() if isinstance(raw, str) else raw)
        if number is None:
            raise ValidationFailed(_("“%(name)s”请填写数字") % {"name": name}, field=spec.key)
        return number
    value = str(raw)
    if value not in spec.choice_values:
        raise ValidationFailed(
            _("“%(name)s”的选项“%(value)s”无效") % {"name": name, "value": value}, field=spec.key
        )
    return value


def answers_clean(
    specs: Iterable[tuple[QuestionSpec, str]], raw: Mapping[str, Any]
) -> dict[str, bool | Decimal | str]:
    """Type every answer; every question must be answered and unknown keys are refused."""
    known: dict[str, bool | Decimal | str] = {}
    keys = set()
    for spec, label in specs:
        keys.add(spec.key)
        value = raw.get(spec.key)
        if value is None or value == "":
            raise ValidationFailed(
                _("请回答情形问题“%(question)s”") % {"question": label or spec.key}, field=spec.key
            )
        known[spec.key] = answer_clean(spec, value, label=label)
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise ValidationFailed(
            _("未知的情形问题：%(names)s") % {"names": "、".join(unknown)}, field=unknown[0]
        )
    return known
