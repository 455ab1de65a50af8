"""Portal template helpers."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from onestop.catalog.selectors import material_form_text
from onestop.portal.guide import answer_label as guide_answer_label
from onestop.workdays.units import time_limit_text, time_limit_within_text

register = template.Library()


@register.simple_tag
def time_limit(days: int, unit: str) -> str:
    """{% time_limit iv.promised_days iv.promised_unit %} → 2 个工作日 / 即办."""
    return time_limit_text(days, unit)


@register.simple_tag
def time_limit_within(days: int, unit: str) -> str:
    """{% time_limit_within pv.promised_days pv.promised_unit %} → 2 个工作日内办结."""
    return time_limit_within_text(days, unit)


@register.simple_tag
def notice_url(number: str, kind: str) -> str:
    """The notice PDF's URL, or "" while the notices are not wired up (the link is hidden)."""
    try:
        return reverse("cases:notice", args=[number, kind])
    except NoReverseMatch:
        return ""


@register.filter
def get(mapping: dict, key: str):  # noqa: ANN201 - any value
    return mapping.get(key, "") if mapping else ""


@register.filter
def material_form(material) -> str:  # noqa: ANN001 - a material or a merged material
    """纸质 · 原件 × 1 / 电子 for a material."""
    return material_form_text(material)


@register.filter
def answer_label(question) -> str:  # noqa: ANN001 - guide.Question
    """The label of a situation answer (是/否, the choice's label, the number with its unit)."""
    return guide_answer_label(question)
