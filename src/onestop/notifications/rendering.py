"""Message texts: one Django template per kind, rendered in the reader's language.

A message is rendered when it is delivered (SMS, e-mail: in the recipient's language from
their preferences, zh-hans by default) or displayed (the message box: in the reader's
page language), never when it is written: what the sender had active does not matter.
Templates are ``notifications/text/<kind>.txt`` (plain text; the message box shows it with
line breaks); the title is the kind's label.

Context values that are themselves Chinese source strings (a pause kind, an outcome) are
stored untranslated and translated by the template (``{% translate pause_kind %}``).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.template.loader import select_template
from django.utils import translation
from django.utils.translation import gettext as _

from onestop.notifications.models import Message, MessageKind


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str
    signature: str  # first in an SMS: Chinese gateways require a sender's signature

    @property
    def sms_text(self) -> str:
        return self.signature + self.text


def message_render(message: Message, *, language: str | None = None) -> Rendered:
    """Title and text of a message, in ``language`` (default: the active language)."""
    scope: Any = translation.override(language) if language else nullcontext()
    with scope:
        try:
            title = str(MessageKind(message.kind).label)
        except ValueError:
            title = message.kind
        template = select_template(
            [f"notifications/text/{message.kind}.txt", "notifications/text/_default.txt"]
        )
        context = {
            **(message.context or {}),
            "title": title,
            "case_number": message.case_number,
        }
        text = template.render(context).strip()
        signature = _("【一件事一次办】")
    return Rendered(title=title, text=text, signature=signature)
