"""One target per endpoint: the data it acts on, built through the services, and the request.

Used by the permission table and the OpenAPI completeness test, so every endpoint listed
here is exercised for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.cases import services
from onestop.cases.models import Case, ItemTask
from onestop.cases.states import CaseState
from onestop.delivery.states import ShipmentKind
from tests.cases.api.conftest import People, application, file_material
from tests.factories.accounts import StaffFactory
from tests.factories.cases import PDF, Setup
from tests.factories.delivery import choose_post, post_allowed


@dataclass(frozen=True)
class Request:
    method: str  # "get", "post", "put", "delete", "upload"
    url: str
    body: Any = None


def _claimed(setup: Setup) -> tuple[Case, ItemTask]:
    case = setup.case_in(CaseState.IN_PROGRESS)
    task = setup.task(case, "licence")
    services.task_claim(task_id=task.pk, officer=setup.officers["licence"])
    return case, task


def _case_action(state: str, action: str, body: Any = None) -> Callable[[Setup, People], Request]:
    def build(setup: Setup, people: People) -> Request:
        case = setup.case_in(state)
        return Request("post", f"/api/cases/{case.pk}/{action}", body or {})

    return build


def _task_action(action: str, body: Any = None, *, claimed: bool = True):
    def build(setup: Setup, people: People) -> Request:
        if claimed:
            _case, task = _claimed(setup)
        else:
            task = setup.task(setup.case_in(CaseState.IN_PROGRESS), "licence")
        return Request("post", f"/api/tasks/{task.pk}/{action}", body or {})

    return build


def apply(setup: Setup, people: People) -> Request:
    return Request("post", "/api/cases", application(setup))


def intake(setup: Setup, people: People) -> Request:
    body = application(
        setup,
        applicant_identifier=setup.applicant.id_number,
        channel="hall_window",
        agent_authorisation="赫山委托〔2026〕18号",
    )
    return Request("post", "/api/cases/intake", body)


def mine(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.SUBMITTED)
    return Request("get", "/api/cases/mine")


def detail(setup: Setup, people: People) -> Request:
    return Request("get", f"/api/cases/{setup.case_in(CaseState.IN_PROGRESS).pk}")


def by_number(setup: Setup, people: People) -> Request:
    return Request("get", f"/api/cases/by-number/{setup.case_in(CaseState.IN_PROGRESS).number}")


def search(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.SUBMITTED)
    return Request("get", "/api/cases?state=submitted")


def task_detail(setup: Setup, people: People) -> Request:
    task = setup.task(setup.case_in(CaseState.IN_PROGRESS), "licence")
    return Request("get", f"/api/tasks/{task.pk}")


def events(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.SUBMITTED)
    return Request("get", "/api/events")


def window_queue(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.SUBMITTED)
    return Request("get", "/api/window/queue")


def window_handout(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.COMPLETED)
    return Request("get", "/api/window/handout")


def inbox(setup: Setup, people: People) -> Request:
    setup.case_in(CaseState.IN_PROGRESS)
    return Request("get", "/api/inbox")


def supply_tolerated(setup: Setup, people: People) -> Request:
    case = setup.tolerated()
    return Request("post", f"/api/cases/{case.pk}/supply-tolerated", file_material("lease"))


def material_upload(setup: Setup, people: People) -> Request:
    case = setup.tolerated()
    upload = SimpleUploadedFile("租赁合同.pdf", PDF, content_type="application/pdf")
    return Request("upload", f"/api/cases/{case.pk}/materials/lease", {"file": upload})


def reassign(setup: Setup, people: People) -> Request:
    _case, task = _claimed(setup)
    colleague = StaffFactory(
        officer=True, department=task.department, region=setup.county, is_designated=False
    )
    return Request("post", f"/api/tasks/{task.pk}/reassign", {"to_staff_id": colleague.pk})


def resume(setup: Setup, people: People) -> Request:
    _case, task = _claimed(setup)
    services.task_pause(
        task_id=task.pk, officer=setup.officers["licence"], kind="hearing", reason="申请听证"
    )
    return Request("post", f"/api/tasks/{task.pk}/resume", {"result": "听证结束"})


def extension_approve(setup: Setup, people: People) -> Request:
    _case, task = _claimed(setup)
    extension = services.extension_request(
        task_id=task.pk, officer=setup.officers["licence"], days=3, reason="需补充现场核查"
    )
    return Request("post", f"/api/extensions/{extension.pk}/approve", {})


def extensions_pending(setup: Setup, people: People) -> Request:
    extension_approve(setup, people)
    return Request("get", "/api/extensions/pending")


def _verification(setup: Setup):
    case = setup.case_in(CaseState.IN_PROGRESS)  # with a signed 告知承诺 for the licence
    setup.decide(case, "licence")
    return case.verifications.get()


def verifications(setup: Setup, people: People) -> Request:
    _verification(setup)
    return Request("get", "/api/verifications")


def verification_record(setup: Setup, people: People) -> Request:
    verification = _verification(setup)
    return Request(
        "post",
        f"/api/verifications/{verification.pk}/record",
        {"is_true": True, "note": "现场核查属实"},
    )


def catalog_list(setup: Setup, people: People) -> Request:
    return Request("get", "/api/catalog/packages")


def catalog_detail(setup: Setup, people: People) -> Request:
    return Request("get", f"/api/catalog/packages/{setup.package.package.code}")


def catalog_plan(setup: Setup, people: People) -> Request:
    return Request(
        "post",
        f"/api/catalog/packages/{setup.package.package.code}/plan",
        {"answers": setup.answers()},
    )


def draft_body(setup: Setup) -> dict[str, Any]:
    return {
        "package_code": setup.package.package.code,
        "region_code": setup.county.code,
        "answers": setup.answers(),
        "form_data": {"company_name": "益阳市赫山区好味道餐饮有限公司"},
    }


def owners_draft(setup: Setup) -> Case:
    return services.case_draft_save(
        created_by=setup.applicant.user,
        applicant=setup.applicant,
        package_version=setup.package,
        answers=setup.answers(),
        accepting_region=setup.county,
    )


def _draft_request(method: str, body: bool = False) -> Callable[[Setup, People], Request]:
    def build(setup: Setup, people: People) -> Request:
        draft = owners_draft(setup)
        return Request(method, f"/api/drafts/{draft.pk}", draft_body(setup) if body else None)

    return build


def drafts_mine(setup: Setup, people: People) -> Request:
    owners_draft(setup)
    return Request("get", "/api/drafts")


def draft_create(setup: Setup, people: People) -> Request:
    return Request("post", "/api/drafts", draft_body(setup))


def shipments_list(setup: Setup, people: People) -> Request:
    return Request("get", f"/api/cases/{setup.case_in(CaseState.IN_PROGRESS).pk}/shipments")


def _post_chosen(setup: Setup, state: str) -> Case:
    """A case in ``state`` whose applicant chose 邮寄送达 (the items allow it)."""
    case = post_allowed(setup).case_in(state)
    choose_post(setup, case)
    return case


def shipment_results(setup: Setup, people: People) -> Request:
    case = _post_chosen(setup, CaseState.COMPLETED)
    return Request(
        "post", f"/api/cases/{case.pk}/shipments", {"kind": ShipmentKind.RESULTS_TO_APPLICANT}
    )


def delivery_choice(setup: Setup, people: People) -> Request:
    case = setup.case_in(CaseState.IN_PROGRESS)
    return Request("post", f"/api/cases/{case.pk}/delivery-choice", {"method": "window"})


# (method, OpenAPI path) → how to build a request for it.
SCENARIOS: dict[tuple[str, str], Callable[[Setup, People], Request]] = {
    ("post", "/api/cases"): apply,
    ("post", "/api/cases/intake"): intake,
    ("get", "/api/cases/mine"): mine,
    ("get", "/api/cases/{case_id}"): detail,
    ("get", "/api/cases"): search,
    ("get", "/api/cases/by-number/{number}"): by_number,
    ("get", "/api/tasks/{task_id}"): task_detail,
    ("get", "/api/events"): events,
    ("post", "/api/cases/{case_id}/pre-review"): _case_action(CaseState.PRE_REVIEW, "pre-review"),
    ("post", "/api/cases/{case_id}/accept"): _case_action(CaseState.SUBMITTED, "accept"),
    ("post", "/api/cases/{case_id}/receiving-check"): _case_action(
        CaseState.SUBMITTED,
        "receiving-check",
        {"form_checked": True, "identity_checked": True, "identity_method": "id_card_reader"},
    ),
    ("post", "/api/cases/{case_id}/request-correction"): _case_action(
        CaseState.SUBMITTED, "request-correction", {"missing": ["lease"], "note": "缺签字页"}
    ),
    ("post", "/api/cases/{case_id}/reject"): _case_action(
        CaseState.SUBMITTED, "reject", {"reason": "不属于本地管辖"}
    ),
    ("post", "/api/cases/{case_id}/hand-out"): _case_action(CaseState.COMPLETED, "hand-out"),
    ("post", "/api/cases/{case_id}/withdraw"): _case_action(
        CaseState.SUBMITTED, "withdraw", {"reason": "不再需要"}
    ),
    ("post", "/api/cases/{case_id}/supplement"): _case_action(
        CaseState.CORRECTION_REQUESTED, "supplement", {"materials": [file_material("lease")]}
    ),
    ("post", "/api/cases/{case_id}/supply-tolerated"): supply_tolerated,
    ("post", "/api/cases/{case_id}/materials/{key}"): material_upload,
    ("get", "/api/window/queue"): window_queue,
    ("get", "/api/window/handout"): window_handout,
    ("get", "/api/inbox"): inbox,
    ("post", "/api/tasks/{task_id}/claim"): _task_action("claim", claimed=False),
    ("post", "/api/tasks/{task_id}/reassign"): reassign,
    ("post", "/api/tasks/{task_id}/return"): _task_action("return", {"reason": "材料不符"}),
    ("post", "/api/tasks/{task_id}/approve"): _task_action("approve", {"opinion": "同意"}),
    ("post", "/api/tasks/{task_id}/deny"): _task_action("deny", {"opinion": "不符合条件"}),
    ("post", "/api/tasks/{task_id}/pause"): _task_action(
        "pause", {"kind": "expert_review", "reason": "需专家评审"}
    ),
    ("post", "/api/tasks/{task_id}/resume"): resume,
    ("post", "/api/tasks/{task_id}/extensions"): _task_action(
        "extensions", {"days": 3, "reason": "需补充现场核查"}
    ),
    ("post", "/api/extensions/{extension_id}/approve"): extension_approve,
    ("get", "/api/extensions/pending"): extensions_pending,
    ("get", "/api/verifications"): verifications,
    ("post", "/api/verifications/{verification_id}/record"): verification_record,
    ("get", "/api/catalog/packages"): catalog_list,
    ("get", "/api/catalog/packages/{code}"): catalog_detail,
    ("post", "/api/catalog/packages/{code}/plan"): catalog_plan,
    ("get", "/api/drafts"): drafts_mine,
    ("post", "/api/drafts"): draft_create,
    ("get", "/api/drafts/{draft_id}"): _draft_request("get"),
    ("put", "/api/drafts/{draft_id}"): _draft_request("put", body=True),
    ("delete", "/api/drafts/{draft_id}"): _draft_request("delete"),
    ("get", "/api/cases/{case_id}/shipments"): shipments_list,
    ("post", "/api/cases/{case_id}/shipments"): shipment_results,
    ("post", "/api/cases/{case_id}/delivery-choice"): delivery_choice,
}


def send(api: Any, request: Request):
    if request.method == "get":
        return api.get(request.url)
    if request.method == "upload":
        return api.upload(request.url, request.body)
    if request.method == "put":
        return api.put(request.url, request.body)
    if request.method == "delete":
        return api.delete(request.url)
    return api.post(request.url, request.body)
