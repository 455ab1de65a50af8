"""帮代办 authorisations over the API: list, grant, revoke (docs/agents.md).

``GET /api/agent-authorisations``: the applicant's own, the agent's held ones, or those of
the agents in a clerk's region. ``POST`` grants: an applicant gives online consent to the
agent named by ``agent_code`` (their 工号 or mobile number); a clerk or the agent records a
signed letter (``document``) or an in-person confirmation (``in_person``) for the applicant
named by ``applicant_identifier``. ``POST …/{id}/revoke`` revokes from now. Errors are
problem+json: 403 who, 404 not in the caller's sight, 409 already expired, 422 the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from onestop.accounts.auth import api_auth
from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import agent_find, applicant_find
from onestop.cases import selectors, services
from onestop.cases.actions import authorisation_may_revoke, authorisation_status
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS, Json
from onestop.cases.models import AgentAuthorisation
from onestop.catalog.models import Package, ServiceItem
from onestop.catalog.selectors import item_version_by_code, package_version_by_code
from onestop.core.errors import PermissionDenied, ValidationFailed
from onestop.core.masking import mask_id_number

router = Router(tags=["帮代办"], auth=api_auth)


class AuthorisationIn(Schema):
    method: Literal["document", "in_person", "online"] = Field(
        description="document 签署授权委托书 / in_person 当面确认 / online 网上授权（申请人本人）"
    )
    agent_code: str = Field(description="帮代办员的工号或手机号")
    applicant_identifier: str = Field(
        "", description="工作人员登记时：申请人的身份证号码或统一社会信用代码"
    )
    document_number: str = Field("", max_length=100, description="授权委托书编号")
    all_items: bool = False
    package_codes: list[str] = Field(default_factory=list, description="授权的一件事编码")
    item_codes: list[str] = Field(default_factory=list, description="授权的事项基本编码")
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = Field(None, description="缺省为生效后一年")


class RevokeIn(Schema):
    reason: str = Field("", max_length=200)


class AuthorisationOut(Schema):
    id: int
    applicant: dict
    agent: dict
    method: str
    method_label: str
    document_number: str
    has_document: bool
    all_items: bool
    package_codes: list[str]
    item_codes: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    revoked_at: dt.datetime | None
    status: str
    status_label: str
    may_revoke: bool


def _out(authorisation: AgentAuthorisation, viewer: Staff | Applicant) -> Json:
    status = authorisation_status(authorisation)
    applicant = authorisation.applicant
    return {
        "id": authorisation.pk,
        "applicant": {
            "id": applicant.pk,
            "name": applicant.name,
            "identifier": mask_id_number(applicant.id_number or applicant.uscc or ""),
        },
        "agent": {"id": authorisation.agent_id, "name": authorisation.agent.name},
        "method": authorisation.method,
        "method_label": str(authorisation.get_method_display()),
        "document_number": authorisation.document_number,
        "has_document": bool(authorisation.document),
        "all_items": authorisation.all_items,
        "package_codes": [p.code for p in authorisation.packages.all()],
        "item_codes": [i.basic_code for i in authorisation.items.all()],
        "valid_from": authorisation.valid_from,
        "valid_until": authorisation.valid_until,
        "revoked_at": authorisation.revoked_at,
        "status": str(status),
        "status_label": str(status.label),
        "may_revoke": authorisation_may_revoke(authorisation, viewer),
    }


def _viewer(request: HttpRequest) -> Staff | Applicant:
    who = common.caller(request).viewer
    if isinstance(who, Staff) and not (
        who.has_permission(Permission.AGENT_ACT) or who.has_permission(Permission.CASE_INTAKE)
    ):
        raise PermissionDenied(_("只有申请人、帮代办员和窗口人员可以查看代办授权。"))
    return who


def _scope(payload: AuthorisationIn) -> tuple[list[Package], list[ServiceItem]]:
    packages, items = [], []
    for code in dict.fromkeys(payload.package_codes):
        version = package_version_by_code(code)
        if version is None:
            raise ValidationFailed(
                _("没有编码为%(c)s的一件事。") % {"c": code}, field="package_codes"
            )
        packages.append(version.package)
    for code in dict.fromkeys(payload.item_codes):
        item_version = item_version_by_code(code)
        if item_version is None:
            raise ValidationFailed(
                _("没有基本编码为%(c)s的事项。") % {"c": code}, field="item_codes"
            )
        items.append(item_version.item)
    return packages, items


@router.get(
    "/agent-authorisations",
    response={200: list[AuthorisationOut], **PROBLEMS},
    summary="代办授权列表",
)
def authorisation_list(request: HttpRequest) -> list[Json]:
    viewer = _viewer(request)
    if isinstance(viewer, Applicant):
        rows = selectors.authorisations_of_applicant(viewer)
    elif viewer.has_permission(Permission.AGENT_ACT):
        rows = selectors.authorisations_held_by(viewer)
    else:
        rows = selectors.authorisations_in_region(viewer)
    return [_out(a, viewer) for a in rows.select_related("applicant", "agent__region")[:500]]


@router.post(
    "/agent-authorisations",
    response={201: AuthorisationOut, **PROBLEMS},
    summary="登记或给予代办授权",
    description="申请人本人：网上授权（method=online）；窗口人员或帮代办员：登记已签署的授权委托书或当面确认。",
)
def authorisation_grant(request: HttpRequest, payload: AuthorisationIn) -> Status:
    viewer = _viewer(request)
    packages, items = _scope(payload)
    scope = {"all_items": payload.all_items, "packages": packages, "items": items}
    if isinstance(viewer, Applicant):
        if payload.method != "online":
            raise ValidationFailed(_("申请人本人只能网上授权（method=online）。"), field="method")
        granted = services.authorisation_grant_online(
            applicant=viewer,
            agent_code=payload.agent_code,
            valid_until=payload.valid_until,
            **scope,
        )
        return Status(201, _out(granted, viewer))
    if payload.method == "online":
        raise ValidationFailed(_("网上授权须由申请人本人给予。"), field="method")
    applicant = applicant_find(identifier=payload.applicant_identifier)
    if applicant is None:
        raise ValidationFailed(
            _("没有该身份证号码或统一社会信用代码的申请人。"), field="applicant_identifier"
        )
    agent = agent_find(code=payload.agent_code)
    if agent is None:
        raise ValidationFailed(_("找不到该帮代办员，请核对其工号或手机号。"), field="agent_code")
    period = {"valid_from": payload.valid_from, "valid_until": payload.valid_until}
    if payload.method == "document":
        granted = services.authorisation_grant_document(
            applicant=applicant,
            agent=agent,
            recorded_by=viewer,
            document_number=payload.document_number,
            **scope,
            **period,
        )
    else:
        granted = services.authorisation_grant_in_person(
            applicant=applicant, agent=agent, recorded_by=viewer, **scope, **period
        )
    return Status(201, _out(granted, viewer))


@router.post(
    "/agent-authorisations/{int:authorisation_id}/revoke",
    response={200: AuthorisationOut, **PROBLEMS},
    summary="撤销代办授权",
)
def authorisation_revoke(request: HttpRequest, authorisation_id: int, payload: RevokeIn) -> Json:
    viewer = _viewer(request)
    selectors.authorisation_get_for(viewer, authorisation_id)  # 404 outside the caller's sight
    revoked = services.authorisation_revoke(
        authorisation_id=authorisation_id, by=viewer, reason=payload.reason
    )
    return _out(revoked, viewer)
