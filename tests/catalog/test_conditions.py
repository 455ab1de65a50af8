from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.catalog.conditions import (
    ConditionError,
    QuestionSpec,
    answers_clean,
    condition_evaluate,
    condition_problems,
    condition_question_keys,
)
from onestop.core.errors import ValidationFailed

SPECS = {
    "area_sqm": QuestionSpec("area_sqm", "number"),
    "sells_food": QuestionSpec("sells_food", "yes_no"),
    "venue": QuestionSpec("venue", "choice", frozenset({"street", "mall"})),
}
ANSWERS = {"area_sqm": Decimal("60"), "sells_food": True, "venue": "mall"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, True),
        ({}, True),
        ({"question": "area_sqm", "op": ">=", "value": 50}, True),
        ({"question": "area_sqm", "op": "<", "value": 50}, False),
        ({"question": "area_sqm", "op": "==", "value": 60.0}, True),
        ({"question": "area_sqm", "op": "in", "value": [10, 60]}, True),
        ({"question": "sells_food", "op": "!=", "value": True}, False),
        ({"question": "venue", "op": "in", "value": ["mall"]}, True),
        (
            {
                "all": [
                    {"question": "sells_food", "op": "==", "value": True},
                    {"question": "venue", "op": "==", "value": "street"},
                ]
            },
            False,
        ),
        (
            {
                "any": [
                    {"question": "sells_food", "op": "==", "value": False},
                    {"question": "venue", "op": "==", "value": "mall"},
                ]
            },
            True,
        ),
        ({"not": {"question": "area_sqm", "op": "<=", "value": 50}}, True),
    ],
)
def test_evaluate(condition, expected):
    assert condition_problems(condition, SPECS) == []
    assert condition_evaluate(condition, ANSWERS) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"question": "floors", "op": ">", "value": 1}, "不存在的情形问题“floors”"),
        ({"question": "area_sqm", "op": "=~", "value": 1}, "运算符“=~”无效"),
        ({"question": "area_sqm", "op": ">"}, "缺少比较值"),
        ({"question": "area_sqm", "op": "in", "value": 5}, "非空列表"),
        ({"question": "area_sqm", "op": ">", "value": "大"}, "不是数字"),
        ({"question": "sells_food", "op": ">", "value": True}, "不支持运算符"),
        ({"question": "sells_food", "op": "==", "value": "yes"}, "true 或 false"),
        ({"question": "venue", "op": "==", "value": "moon"}, "没有选项“moon”"),
        ({"all": []}, "非空的条件列表"),
        ({"all": [{}]}, "空条件"),
        ({"not": 3}, "需要一个条件对象"),
        ({"all": [], "question": "x"}, "单独使用"),
        ({"op": "=="}, "缺少情形问题标识"),
        ([1, 2], "JSON 对象"),
        ({"question": "area_sqm", "op": ">", "value": 1, "unit": "㎡"}, "无法识别的键"),
    ],
)
def test_problems_are_explained(condition, message):
    assert message in "；".join(condition_problems(condition, SPECS))


def test_structure_only_check_accepts_unknown_question():
    assert condition_problems({"question": "floors", "op": ">", "value": 1}) == []


def test_evaluating_unknown_question_is_an_error():
    with pytest.raises(ConditionError, match="floors"):
        condition_evaluate({"question": "floors", "op": ">", "value": 1}, ANSWERS)


def test_question_keys():
    condition = {
        "all": [
            {"question": "a", "op": "==", "value": 1},
            {"not": {"question": "b", "op": "==", "value": 1}},
        ]
    }
    assert condition_question_keys(condition) == {"a", "b"}


def test_answers_are_typed_by_kind():
    specs = [(SPECS["area_sqm"], "面积"), (SPECS["sells_food"], "食品"), (SPECS["venue"], "场所")]
    cleaned = answers_clean(specs, {"area_sqm": " 49.5 ", "sells_food": "是", "venue": "street"})
    assert cleaned == {"area_sqm": Decimal("49.5"), "sells_food": True, "venue": "street"}


def test_boolean_is_not_a_number():
    with pytest.raises(ValidationFailed, match="面积"):
        answers_clean([(SPECS["area_sqm"], "面积")], {"area_sqm": True})


@given(
    area=st.decimals(allow_nan=False, allow_infinity=False, places=2),
    threshold=st.integers(-1000, 1000),
)
def test_not_is_the_negation(area, threshold):
    leaf = {"question": "area_sqm", "op": ">=", "value": threshold}
    answers = {"area_sqm": area}
    assert condition_evaluate({"not": leaf}, answers) is (not condition_evaluate(leaf, answers))
    assert condition_evaluate(leaf, answers) is (area >= threshold)
