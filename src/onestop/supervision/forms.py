"""The forms of the supervision desk: each parses one request into what its service or
selector takes; the rules stay in the services (a refusal comes back at its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import DomainError
from onestop.supervision.states import Colour, SignalState


class _Form(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class SignalFilterForm(forms.Form):
    """The desk's filters (GET): every field optional, anything unknown is ignored."""

    colour = forms.ChoiceField(
        label=_("信号"), required=False, choices=[("", _("红牌和黄牌")), *Colour.choices]
    )
    region = forms.ChoiceField(label=_("区划"), required=False)
    department = forms.TypedChoiceField(
        label=_("部门"), required=False, coerce=int, empty_value=None
    )
    item = forms.CharField(label=_("事项编码"), required=False, max_length=32)
    officer = forms.IntegerField(
        label=_("责任人"), required=False, min_value=1, widget=forms.HiddenInput
    )
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=SignalState.choices, initial=SignalState.OPEN
    )

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        departments: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部区划")), *regions]
        self.fields["department"].choices = [("", _("全部部门")), *departments]


class OrderIssueForm(_Form):
    content = forms.CharField(
        label=_("督办内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    respond_days = forms.IntegerField(
        label=_("答复时限（工作日）"), min_value=1, max_value=60, initial=3
    )
    department = forms.TypedChoiceField(
        label=_("责任部门"), required=False, coerce=int, empty_value=None
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("按办件确定")), *departments]


class OrderAnswerForm(_Form):
    answer = forms.CharField(
        label=_("答复内容"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OrderNoteForm(_Form):
    note = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
