"""``onestop workdays add|between|seed`` as an operator types it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from onestop.cli import main

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("add", "2026-09-30", "3"), "2026-10-10\n"),
        (("add", "2026-09-30", "0"), "2026-09-30\n"),
        (("add", "2026-02-13", "2"), "2026-02-24\n"),
        (("add", "2026-12-30", "3"), "2027-01-04 provisional\n"),
        (("between", "2026-09-30", "2026-10-12"), "4\n"),
        (("between", "2026-10-12", "2026-09-30"), "-4\n"),
        (("between", "2026-12-30", "2027-01-04"), "3 provisional\n"),
    ],
)
def test_the_command_prints_one_line(args, expected):
    assert run(*args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-13-01", "3"), "不是有效日期"),
        (("add", "30/09/2026", "3"), "不是有效日期"),
        (("add", "2026-09-30", "-1"), "不能为负数"),
        (("add", "2026-09-30", "three"), "非负整数"),
        (("add", "9999-12-30", "5"), "超出"),
        (("between", "2026-09-30", "tomorrow"), "不是有效日期"),
        (("add", "2026-09-30"), "required"),
        ((), "required"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_input_on_the_console_exits_non_zero_with_a_message_and_no_traceback(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["workdays", "add", "2026-09-31", "3"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert "不是有效日期" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_the_console_command_prints_the_date(capsys):
    main(["workdays", "add", "2026-09-30", "3"])
    assert capsys.readouterr().out == "2026-10-10\n"


def test_seed_reports_that_nothing_is_missing():
    assert "没有需要导入的年度" in run("seed")
