from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories.catalog import PackageVersionFactory, ServiceItemVersionFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("catalog", "check", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_clean_catalogue_exits_zero():
    ServiceItemVersionFactory(published=True, item__basic_code="0100001000")
    code, output = _run()
    assert code == 0
    assert "未发现问题" in output


def test_errors_exit_non_zero_and_are_listed():
    ServiceItemVersionFactory(item__basic_code="0100009000", complaint_phone="")
    code, output = _run()
    assert code == 1
    assert "事项 0100009000 v1" in output
    assert "错误 | complaint_phone_missing | 缺少监督投诉电话" in output
    assert "1 个错误" in output


def test_warnings_only_exit_zero():
    ServiceItemVersionFactory(handling_forms=[])
    code, output = _run()
    assert code == 0
    assert "警告 | handling_forms_missing" in output
    assert "无错误，1 个警告" in output


def test_packages_are_checked():
    PackageVersionFactory(package__code="YJS0099")
    code, output = _run()
    assert code == 1
    assert "一件事 YJS0099 v1" in output
    assert "package_no_items" in output


def test_code_narrows_the_check():
    ServiceItemVersionFactory(item__basic_code="0100001000")
    ServiceItemVersionFactory(item__basic_code="0100002000", complaint_phone="")
    assert _run("--code", "0100001000")[0] == 0
    assert _run("--code", "0100002000")[0] == 1


def test_unknown_code_is_an_error():
    code, output = _run("--code", "nope")
    assert code == 1
    assert "没有编码为 nope" in output


def test_retired_versions_only_with_all_versions():
    ServiceItemVersionFactory(retired=True, complaint_phone="")
    assert _run()[0] == 0
    assert _run("--all-versions")[0] == 1


def test_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("catalog")
