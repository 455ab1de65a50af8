"""The forms of delivery's pages: each parses one POST into what its service takes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import DomainError
from onestop.delivery.states import DeliveryMethod


class DeliveryForm(forms.Form):
    """A form that also carries a service's refusal at the field the service names."""

    def add_domain_error(self, exc: DomainError) -> None:
        name = exc.field if exc.field in self.fields else None
        self.add_error(name, exc.message)

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class AddressForm(DeliveryForm):
    name = forms.CharField(label=_("收件人"), max_length=64)
    phone = forms.CharField(label=_("手机号码"), max_length=11, min_length=11)
    address = forms.CharField(label=_("详细地址"), max_length=255)
    postcode = forms.CharField(label=_("邮政编码"), max_length=6, required=False)
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)


class ChoiceForm(DeliveryForm):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    address = forms.IntegerField(label=_("收件地址"), required=False, min_value=1)
    authorisation = forms.BooleanField(label=_("委托书"), required=False)


class ShipForm(DeliveryForm):
    """寄出: the rendered form's key makes a double click one shipment."""

    key = forms.CharField(max_length=64)


class CancelForm(DeliveryForm):
    reason = forms.CharField(label=_("取消原因"), max_length=500, required=False)
