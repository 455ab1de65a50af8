"""帮代办 authorisations: an applicant's authorisation of an agent, granted one of three ways
(a signed 授权委托书, an in-person confirmation recorded by staff, the applicant's online
consent) and revoked; and the one the intake service finds for an agent's application.

Who may record: a signed letter or an in-person confirmation is recorded by a member of
staff who enters cases (a window clerk covering the agent's region, or the agent themself
at the applicant's home — 上门服务); online consent is the applicant's own act. Revoking:
the applicant, the agent (renouncing), or a window clerk covering the agent's region.
See docs/agents.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import agent_find
from onestop.cases.actions import (
    AuthorisationStatus,
    authorisation_may_revoke_as,
    authorisation_refusal,
    authorisation_status,
)
from onestop.cases.models import AgentAuthorisation, AuthorisationMethod
from onestop.cases.selectors import authorisation_latest, authorisations_current
from onestop.catalog.models import Package, PackageVersion, ServiceItem, ServiceItemVersion
from onestop.core import clock
from onestop.core.errors import Conflict, PermissionDenied, ValidationFailed

# A letter of authorisation typed in at intake without its own period is valid this long.
DEFAULT_VALIDITY = dt.timedelta(days=365)
# No authorisation runs longer than this (a new one is given after).
LONGEST_VALIDITY = dt.timedelta(days=3 * 366)
DOCUMENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _require_agent(agent: Staff | None) -> Staff:
    if agent is None or not agent.has_permission(Permission.AGENT_ACT):
        raise ValidationFailed(_("找不到该帮代办员，请核对其提供的编号或手机号。"), field="agent")
    return agent


def _require_recorder(staff: Staff, agent: Staff) -> None:
    """A clerk covering the agent's region, or the agent themself, records a letter or an
    in-person confirmation."""
    if staff.pk == agent.pk and staff.has_permission(Permission.AGENT_ACT):
        return
    if staff.has_permission(Permission.CASE_INTAKE) and staff.covers(agent.region.code):
        return
    raise PermissionDenied(_("只有帮代办员本人或其辖区的窗口人员可以登记代办授权。"))


def _period(
    valid_from: dt.datetime | None, valid_until: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    start = valid_from or clock.now()
    end = valid_until or start + DEFAULT_VALIDITY
    if end <= start:
        raise ValidationFailed(_("失效时间须晚于生效时间。"), field="valid_until")
    if end - start > LONGEST_VALIDITY:
        raise ValidationFailed(_("代办授权的有效期最长三年。"), field="valid_until")
    return start, end


def _grant(
    *,
    applicant: Applicant,
    agent: Staff,
    method: AuthorisationMethod,
    recorded_by: User | None,
    all_items: bool,
    packages: Sequence[Package],
    items: Sequence[ServiceItem],
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    document_number: str = "",
    document: UploadedFile | None = None,
) -> AgentAuthorisation:
    if applicant.user_id is not None and applicant.user_id == agent.user_id:
        raise ValidationFailed(_("不能授权给自己。"), field="agent")
    if not all_items and not packages and not items:
        raise ValidationFailed(
            _("请选择授权的范围：全部事项，或列出一件事、事项。"), field="packages"
        )
    start, end = _period(valid_from, valid_until)
    authorisation = AgentAuthorisation(
        applicant=applicant,
        agent=agent,
        method=method,
        recorded_by=recorded_by,
        all_items=all_items,
        valid_from=start,
        valid_until=end,
        document_number=document_number.strip(),
    )
    if document is not None:
        authorisation.document.save(_document_name(document), document, save=False)
    authorisation.save()
    if not all_items:
        authorisation.packages.set(list(packages))
        authorisation.items.set(list(items))
    return authorisation


def _document_name(document: UploadedFile) -> str:
    if document.content_type not in DOCUMENT_TYPES:
        raise ValidationFailed(_("授权委托书须为 PDF、JPG 或 PNG 扫描件。"), field="document")
    if document.size is None or document.size > DOCUMENT_MAX_BYTES:
        raise ValidationFailed(_("授权委托书文件不能超过 10 MB。"), field="document")
    digest = hashlib.sha256()
    for chunk in document.chunks():
        digest.update(chunk)
    document.seek(0)
    ext = posixpath.splitext(document.name or "")[1].lower()[:8] or ".pdf"
    return f"{digest.hexdigest()[:16]}{ext}"


@transaction.atomic
def authorisation_grant_document(
    *,
    applicant: Applicant,
    agent: Staff,
    recorded_by: Staff,
    document_number: str = "",
    document: UploadedFile | None = None,
    all_items: bool = False,
    packages: Sequence[Package] = (),
    items: Sequence[ServiceItem] = (),
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> AgentAuthorisation:
    """A signed 授权委托书: its number, its scan, or both, recorded by staff."""
    _require_agent(agent)
    _require_recorder(recorded_by, agent)
    if not document_number.strip() and document is None:
        raise ValidationFailed(
            _("请填写授权委托书编号或上传已签署的授权委托书。"), field="document_number"
        )
    return _grant(
        applicant=applicant,
        agent=agent,
        method=AuthorisationMethod.DOCUMENT,
        recorded_by=recorded_by.user,
        all_items=all_items,
        packages=packages,
        items=items,
        valid_from=valid_from,
        valid_until=valid_until,
        document_number=document_number,
        document=document,
    )


@transaction.atomic
def authorisation_grant_in_person(
    *,
    applicant: Applicant,
    agent: Staff,
    recorded_by: Staff,
    all_items: bool = False,
    packages: Sequence[Package] = (),
    items: Sequence[ServiceItem] = (),
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> AgentAuthorisation:
    """The applicant, present, confirmed the authorisation to the member of staff recording it."""
    _require_agent(agent)
    _require_recorder(recorded_by, agent)
    return _grant(
        applicant=applicant,
        agent=agent,
        method=AuthorisationMethod.IN_PERSON,
        recorded_by=recorded_by.user,
        all_items=all_items,
        packages=packages,
        items=items,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@transaction.atomic
def authorisation_grant_online(
    *,
    applicant: Applicant,
    agent_code: str,
    all_items: bool = False,
    packages: Sequence[Package] = (),
    items: Sequence[ServiceItem] = (),
    valid_until: dt.datetime | None = None,
) -> AgentAuthorisation:
    """The applicant's own online consent to the agent who gave them ``agent_code`` (their
    工号 or mobile number), from now."""
    agent = _require_agent(agent_find(code=agent_code))
    return _grant(
        applicant=applicant,
        agent=agent,
        method=AuthorisationMethod.ONLINE,
        recorded_by=applicant.user,
        all_items=all_items,
        packages=packages,
        items=items,
        valid_from=None,
        valid_until=valid_until,
    )


@transaction.atomic
def authorisation_revoke(
    *, authorisation_id: int, by: Applicant | Staff, reason: str = ""
) -> AgentAuthorisation:
    """Revoke from now: the agent may no longer enter or act on cases under it (revoking twice
    keeps the first moment)."""
    authorisation = (
        AgentAuthorisation.objects.select_for_update()
        .select_related("agent__region")
        .filter(pk=authorisation_id)
        .first()
    )
    if authorisation is None or not authorisation_may_revoke_as(authorisation, by):
        raise PermissionDenied(_("只有委托人、帮代办员本人或其辖区的窗口人员可以撤销代办授权。"))
    if authorisation_status(authorisation) == AuthorisationStatus.REVOKED:
        return authorisation
    if authorisation_status(authorisation) == AuthorisationStatus.EXPIRED:
        raise Conflict(_("该代办授权已到期，无需撤销。"))
    authorisation.revoked_at = clock.now()
    authorisation.revoked_by = by.user
    authorisation.revoke_reason = reason.strip()[:200]
    authorisation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    return authorisation


def authorisation_for_intake(
    *,
    agent: Staff,
    applicant: Applicant,
    package_version: PackageVersion | None,
    item_version: ServiceItemVersion | None,
    document_number: str = "",
    in_person: bool = False,
) -> AgentAuthorisation:
    """The authorisation an agent's application goes in under, inside the intake transaction.

    A valid authorisation already on record that covers the package or item is used. Else
    the agent records one now for this package or item: the applicant's in-person
    confirmation (``in_person``) or the signed 授权委托书 they hold (``document_number``).
    Else a 422 on ``agent_authorisation`` that says why (none, expired, revoked, out of scope).
    """
    package_id = package_version.package_id if package_version is not None else None
    item_id = item_version.item_id if item_version is not None and package_id is None else None
    current = authorisations_current(agent, applicant)
    for authorisation in current:
        if not authorisation_refusal(
            authorisation,
            agent=agent,
            applicant_id=applicant.pk,
            package_id=package_id,
            item_id=item_id,
        ):
            return authorisation
    packages = [package_version.package] if package_version is not None else []
    items = [item_version.item] if item_version is not None and package_id is None else []
    if in_person:
        return authorisation_grant_in_person(
            applicant=applicant, agent=agent, recorded_by=agent, packages=packages, items=items
        )
    if document_number.strip():
        return authorisation_grant_document(
            applicant=applicant,
            agent=agent,
            recorded_by=agent,
            document_number=document_number,
            packages=packages,
            items=items,
        )
    raise ValidationFailed(
        _intake_refusal(agent, applicant, package_id, item_id, current),
        field="agent_authorisation",
    )


def _intake_refusal(
    agent: Staff,
    applicant: Applicant,
    package_id: int | None,
    item_id: int | None,
    current: list[AgentAuthorisation],
) -> str:
    last = current[0] if current else authorisation_latest(agent, applicant)
    why = (
        authorisation_refusal(
            last, agent=agent, applicant_id=applicant.pk, package_id=package_id, item_id=item_id
        )
        if last is not None
        else _("没有申请人对您的代办授权。")
    )
    return _("%(why)s请填写代办授权（已签署的授权委托书编号），或由申请人当面确认授权。") % {
        "why": why
    }
