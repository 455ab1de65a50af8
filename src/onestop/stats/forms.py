"""The forms of the stats pages: the consultation register and the dashboard's filters.

Forms check shapes; the rules stay in ``stats.services`` and ``stats.selectors``, whose
``DomainError`` is put back at the field it names.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.catalog.models import ServiceItem
from onestop.core.errors import DomainError
from onestop.stats.models import ConsultationChannel
from onestop.stats.selectors import Period, period_clean, service_item_by_code


class _DomainErrors(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class ConsultationForm(_DomainErrors):
    """登记咨询: one enquiry answered by phone, online or at the window."""

    channel = forms.ChoiceField(
        label=_("咨询渠道"),
        choices=ConsultationChannel.choices,
        initial=ConsultationChannel.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择咨询渠道。"), "invalid_choice": _("请选择咨询渠道。")},
    )
    topic = forms.CharField(
        label=_("咨询内容"),
        max_length=200,
        error_messages={
            "required": _("请填写咨询内容。"),
            "max_length": _("咨询内容不能超过200个字。"),
        },
    )
    item = forms.CharField(
        label=_("相关事项基本编码（可不填）"),
        required=False,
        max_length=32,
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=128)

    def clean_item(self) -> ServiceItem | None:
        code = "".join(self.cleaned_data["item"].split())
        if not code:
            return None
        item = service_item_by_code(code)
        if item is None:
            raise forms.ValidationError(_("没有基本编码为“%(code)s”的事项。") % {"code": code})
        return item

    @staticmethod
    def fresh_key() -> str:
        return uuid.uuid4().hex


class FilterForm(_DomainErrors):
    """The dashboard's region, period and trend step (GET)."""

    region = forms.CharField(label=_("区划代码"), required=False, max_length=12)
    start = forms.DateField(
        label=_("开始日期"), required=False, error_messages={"invalid": _("请填写有效日期。")}
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, error_messages={"invalid": _("请填写有效日期。")}
    )
    step = forms.ChoiceField(
        label=_("趋势粒度"),
        required=False,
        choices=[("day", _("按日")), ("week", _("按周")), ("month", _("按月"))],
        error_messages={"invalid_choice": _("请选择按日、按周或按月。")},
    )

    def clean_region(self) -> str:
        code = "".join(self.cleaned_data["region"].split())
        if code and not code.isdigit():
            raise forms.ValidationError(_("区划代码应为数字。"))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "start" in cleaned and "end" in cleaned:
            try:
                cleaned["period"] = period_clean(cleaned.get("start"), cleaned.get("end"))
            except DomainError as exc:
                self.add_domain_error(exc)
        if not cleaned.get("step"):
            cleaned["step"] = "month"
        return cleaned

    @property
    def period(self) -> Period:
        period = self.cleaned_data.get("period")
        return period if isinstance(period, Period) else period_clean(None, None)
