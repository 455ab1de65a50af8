"""Forms of the rating pages: each parses one POST into what a rating service takes; the
rules stay in the services, whose ``DomainError`` is put back at the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import DomainError
from onestop.evaluations.states import RatingChannel, RatingLevel, RectificationRating, Triage

TEXT_MAX = 500


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("满意度"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。")},
    )
    indicators = forms.MultipleChoiceField(
        label=_("评价内容（差评须至少选一项）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("文字评价（选填）"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = indicators

    def put_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class RecordForm(RatingForm):
    """A clerk records a rating given by phone or on paper."""

    case_number = forms.CharField(label=_("办件编号"), max_length=40)
    channel = forms.ChoiceField(
        label=_("评价渠道"),
        choices=[
            (RatingChannel.PHONE.value, RatingChannel.PHONE.label),
            (RatingChannel.PAPER.value, RatingChannel.PAPER.label),
        ],
        widget=forms.RadioSelect,
    )
    field_order = ["case_number", "channel", "level", "indicators", "text"]


class PairForm(forms.Form):
    window = forms.TypedChoiceField(label=_("窗口"), coerce=int)

    def __init__(self, *args: Any, windows: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window"].choices = windows


class VerifyForm(forms.Form):
    finding = forms.CharField(
        label=_("核实情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    triage = forms.ChoiceField(
        label=_("处置方式"), choices=Triage.choices, widget=forms.RadioSelect
    )
    reform_on = forms.DateField(label=_("整改期限（限期整改）"), required=False)


class FeedbackForm(forms.Form):
    reform_content = forms.CharField(
        label=_("整改回复内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("您对整改情况的评价"),
        choices=RectificationRating.choices,
        widget=forms.RadioSelect,
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("回访记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由及证据"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[(1, _("申诉成立，差评无效")), (0, _("申诉不成立，继续整改"))],
        coerce=lambda v: v in ("1", 1, True),
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=_("复核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
