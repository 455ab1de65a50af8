"""Domain errors raised by the catalogue services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from onestop.core.errors import Conflict, ValidationFailed


class VersionImmutable(Conflict):
    """A published or retired version was asked to change; only drafts may."""

    code = "version_immutable"
    title = gettext_lazy("已发布或已废止的版本不可修改")


class DependencyCycle(ValidationFailed):
    code = "dependency_cycle"
    title = gettext_lazy("前置关系形成循环")


class PublishRefused(ValidationFailed):
    """The quality checker found errors; ``details["findings"]`` lists them."""

    code = "publish_refused"
    title = gettext_lazy("质量检查未通过，不能发布")
