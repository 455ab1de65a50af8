"""Case services: every write to a case, its tasks, materials, clock and event log.

Each public function is one transaction: it opens the case's unit of work (``cases.unit``:
the row lock, one moment, the pending events and changed fields, written once on exit),
asks ``cases.actions`` whether the actor may take the action now, applies its rule and
returns the changed object.
"""

from onestop.cases.services.agents import (
    authorisation_grant_document,
    authorisation_grant_in_person,
    authorisation_grant_online,
    authorisation_revoke,
)
from onestop.cases.services.cases import (
    case_accept,
    case_hand_out,
    case_intake,
    case_pre_review_pass,
    case_reject,
    case_request_correction,
    case_submit,
    case_supplement,
    case_supply_tolerated,
    case_terminate_overdue_tolerated,
    case_verify_originals,
    case_withdraw,
)
from onestop.cases.services.crossdomain import case_receiving_check
from onestop.cases.services.drafts import case_draft_discard, case_draft_save
from onestop.cases.services.materials import MaterialInput
from onestop.cases.services.tasks import (
    task_approve,
    task_claim,
    task_deny,
    task_reassign,
    task_return,
    verification_record,
)
from onestop.cases.services.timing import (
    dues_refresh_locked,
    extension_approve,
    extension_request,
    task_pause,
    task_resume,
)

__all__ = [
    "MaterialInput",
    "authorisation_grant_document",
    "authorisation_grant_in_person",
    "authorisation_grant_online",
    "authorisation_revoke",
    "case_accept",
    "case_draft_discard",
    "case_draft_save",
    "case_hand_out",
    "case_intake",
    "case_pre_review_pass",
    "case_receiving_check",
    "case_reject",
    "case_request_correction",
    "case_submit",
    "case_supplement",
    "case_supply_tolerated",
    "case_terminate_overdue_tolerated",
    "case_verify_originals",
    "case_withdraw",
    "dues_refresh_locked",
    "extension_approve",
    "extension_request",
    "task_approve",
    "task_claim",
    "task_deny",
    "task_pause",
    "task_reassign",
    "task_resume",
    "task_return",
    "verification_record",
]
