"""Drafts (草稿) of the calling applicant: save for later, read back, delete.

A draft is checked only when it is submitted: ``POST /api/cases`` with ``draft_id`` turns it
into the case (same id). Only its author ever sees it; anyone else gets 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from onestop.accounts.auth import api_auth
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS, Json
from onestop.cases.api.schemas import DraftIn, DraftOut
from onestop.cases.models import Case
from onestop.cases.services import case_draft_discard, case_draft_save
from onestop.cases.services.drafts import draft_files, draft_get, drafts_of

router = Router(tags=["草稿"], auth=api_auth)


def _out(draft: Case) -> Json:
    return {
        "id": draft.pk,
        "title": draft.title,
        "package_code": draft.package_version.package.code if draft.package_version else None,
        "item_code": draft.item_version.item.basic_code if draft.item_version else None,
        "answers": draft.answers,
        "form_data": draft.form_data,
        "region_code": draft.region_code,
        "channel": draft.channel,
        "files": {key: m.sha256 for key, m in draft_files(draft).items()},
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _save(request: HttpRequest, payload: DraftIn, draft_id: int | None) -> Case:
    applicant = common.applicant_only(request)
    package, item = common.application_target(payload)
    return case_draft_save(
        created_by=request.auth,
        applicant=applicant,
        package_version=package,
        item_version=item,
        answers=payload.answers,
        form_data=payload.form_data,
        accepting_region=common.region_by_code(payload.region_code),
        channel=payload.channel,
        draft_id=draft_id,
        files=common.material_inputs(payload.materials),
    )


@router.get("/drafts", response={200: list[DraftOut], **PROBLEMS}, summary="我的草稿")
def draft_list(request: HttpRequest) -> list[Json]:
    common.applicant_only(request)
    return [_out(d) for d in drafts_of(request.auth)]


@router.post(
    "/drafts",
    response={201: DraftOut, **PROBLEMS},
    summary="保存草稿",
    description="保存尚未提交的申请：情形须答全，表单内容原样保存，不保存材料文件。",
)
def draft_create(request: HttpRequest, payload: DraftIn) -> Status:
    return Status(201, _out(_save(request, payload, None)))


@router.get("/drafts/{int:draft_id}", response={200: DraftOut, **PROBLEMS}, summary="草稿内容")
def draft_detail(request: HttpRequest, draft_id: int) -> Json:
    common.applicant_only(request)
    return _out(draft_get(user=request.auth, draft_id=draft_id))


@router.put("/drafts/{int:draft_id}", response={200: DraftOut, **PROBLEMS}, summary="更新草稿")
def draft_update(request: HttpRequest, draft_id: int, payload: DraftIn) -> Json:
    return _out(_save(request, payload, draft_id))


@router.delete("/drafts/{int:draft_id}", response={204: None, **PROBLEMS}, summary="删除草稿")
def draft_delete(request: HttpRequest, draft_id: int) -> Status:
    common.applicant_only(request)
    case_draft_discard(created_by=request.auth, draft_id=draft_id)
    return Status(204, None)
