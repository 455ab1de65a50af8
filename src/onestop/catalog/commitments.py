"""告知承诺书: the default text an applicant signs when a commitment replaces a material.

A package or item version may set its own (``commitment_text``); blank means this default.
Translated lazily: the text is read when a page is drawn, in that request's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DEFAULT_COMMITMENT_TEXT = _(
    "本人承诺：已经知晓告知的全部内容，自身已符合规定的条件，所填报的信息和提交的材料"
    "真实、准确、完整；愿意承担不实承诺的法律责任，接受事中事后核查。"
)
