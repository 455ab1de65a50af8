"""States of a certificate (电子证照) and the one table of allowed transitions.

The codes follow the ministry interface of DOMAIN.md §7.3 (03 撤销, 04 注销, 05 失效); a
certificate superseded by a new version after a change (变更) is ``changed``. Only
``valid`` is current: every other state is final.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CertificateState(models.TextChoices):
    # A context of their own: other apps translate the same words (撤销 is a task's
    # "cancelled" in the cases app) differently.
    VALID = "valid", pgettext_lazy("certificate state", "有效")
    CHANGED = "changed", pgettext_lazy("certificate state", "已变更")
    REVOKED = "revoked", pgettext_lazy("certificate state", "撤销")
    CANCELLED = "cancelled", pgettext_lazy("certificate state", "注销")
    EXPIRED = "expired", pgettext_lazy("certificate state", "失效")


S = CertificateState
CERTIFICATE_TRANSITIONS: dict[CertificateState, frozenset[CertificateState]] = {
    S.VALID: frozenset({S.CHANGED, S.REVOKED, S.CANCELLED, S.EXPIRED}),
    S.CHANGED: frozenset(),
    S.REVOKED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}
del S

CERTIFICATE_CURRENT_STATES = frozenset({CertificateState.VALID})


class CertificateEventKind(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("certificate event", "签发")
    CHANGED = "changed", pgettext_lazy("certificate event", "变更")
    REVOKED = "revoked", pgettext_lazy("certificate event", "撤销")
    CANCELLED = "cancelled", pgettext_lazy("certificate event", "注销")
    EXPIRED = "expired", pgettext_lazy("certificate event", "失效")


EVENT_OF_STATE = {
    CertificateState.CHANGED: CertificateEventKind.CHANGED,
    CertificateState.REVOKED: CertificateEventKind.REVOKED,
    CertificateState.CANCELLED: CertificateEventKind.CANCELLED,
    CertificateState.EXPIRED: CertificateEventKind.EXPIRED,
}


class ResultKind(models.TextChoices):
    """What a task's result is: a licence-type certificate or a decision letter."""

    LICENCE = "licence", _("证照")
    APPROVAL_LETTER = "approval_letter", _("准予许可决定书")
    DENIAL_LETTER = "denial_letter", _("不予许可决定书")


class SealKind(models.TextChoices):
    NAME = "name", _("名称章")
    APPROVAL = "approval", _("行政审批专用章")
    INTAKE = "intake", _("受理专用章")
    BUSINESS = "business", _("业务专用章")
    PERSONAL = "personal", _("个人名章")


def transition_allowed(current: str, target: str) -> bool:
    return CertificateState(target) in CERTIFICATE_TRANSITIONS[CertificateState(current)]
