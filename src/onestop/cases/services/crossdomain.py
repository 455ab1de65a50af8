"""跨域通办 on the receiving side (docs/cross_domain.md): the window's 形式审查 and 身份核验
of a case another region handles, recorded before acceptance. The electronic copies go to
the handling side at dispatch (``tasks._files_forward``); the paper originals go by post
(``delivery.services.originals_forward``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.cases.actions import CaseAction, case_action_require
from onestop.cases.models import Case
from onestop.cases.states import EventKind, IdentityCheck
from onestop.cases.unit import case_work
from onestop.core.errors import ValidationFailed


@transaction.atomic
def case_receiving_check(
    *,
    case_id: int,
    clerk: Staff,
    form_checked: bool,
    identity_checked: bool,
    identity_method: IdentityCheck | str,
    note: str = "",
) -> Case:
    """收件地's duty: the form is complete and in order (形式审查) and the applicant is who
    they say (身份核验); both are required, and the record names what was checked and how."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.RECEIVING_CHECK)
        if not form_checked:
            raise ValidationFailed(
                _("请完成形式审查（申请表和材料齐全、符合法定形式）后再确认。"),
                field="form_checked",
            )
        if not identity_checked:
            raise ValidationFailed(_("请完成申请人身份核验后再确认。"), field="identity_checked")
        try:
            method = IdentityCheck(identity_method)
        except ValueError:
            raise ValidationFailed(
                _("未知的身份核验方式：%(m)s。") % {"m": identity_method},
                field="identity_method",
            ) from None
        if len(note) > 500:
            raise ValidationFailed(_("说明不能超过500字。"), field="note")
        work.record(
            EventKind.RECEIVING_CHECKED,
            actor=clerk,
            payload={
                "form_checked": True,
                "identity_checked": True,
                "identity_method": str(method),
                "hall": case.hall_id,
                "region": case.region_code,
                "note": note.strip(),
            },
        )
    return case
