"""The applicant's message preferences (the form only parses; the service saves)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    sms_enabled = forms.BooleanField(label=_("接收短信通知"), required=False)
    email_enabled = forms.BooleanField(label=_("接收电子邮件通知"), required=False)
    language = forms.ChoiceField(label=_("短信和邮件的语言"), choices=settings.LANGUAGES)
