"""Forms of the certificates pages (the public upload to verify)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("上传 PDF 文件核验"),
        help_text=_("选择您手中的电子证照或决定书 PDF，核验是否真实、是否被改动、是否仍然有效。"),
    )
