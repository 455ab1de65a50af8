"""Drafts over the API: save, read back, update, submit as the case, delete; errors are problems."""

from __future__ import annotations

from onestop.cases.models import Case
from onestop.cases.states import CaseState
from tests.cases.api.conftest import application, assert_problem, file_material
from tests.cases.api.scenarios import draft_body


def test_save_update_and_submit_a_draft(setup, people):
    api = people.api("owner")
    created = api.post("/api/drafts", draft_body(setup))
    assert created.status_code == 201, created.content.decode()
    draft = created.json()
    assert draft["package_code"] == setup.package.package.code
    assert draft["form_data"] == {"company_name": "益阳市赫山区好味道餐饮有限公司"}

    body = draft_body(setup) | {"form_data": {"phone": "13807371234"}}
    updated = api.put(f"/api/drafts/{draft['id']}", body)
    assert updated.status_code == 200
    assert updated.json()["form_data"] == {"phone": "13807371234"}
    assert [d["id"] for d in api.get("/api/drafts").json()] == [draft["id"]]

    submitted = api.post("/api/cases", application(setup, draft_id=draft["id"]))
    assert submitted.status_code == 201, submitted.content.decode()
    assert submitted.json()["id"] == draft["id"]
    assert submitted.json()["number"]
    assert api.get("/api/drafts").json() == []
    assert_problem(api.get(f"/api/drafts/{draft['id']}"), 404)
    again = api.post("/api/cases", application(setup, draft_id=draft["id"]))
    assert_problem(again, 404)
    assert Case.objects.count() == 1


def test_a_draft_with_unanswered_questions_is_422_naming_the_question(setup, people):
    response = people.api("owner").post("/api/drafts", draft_body(setup) | {"answers": {}})
    problem = assert_problem(response, 422)
    assert problem.get("field")
    assert not Case.objects.exists()


def test_deleting_a_draft_removes_it_and_it_never_shows_as_a_case(setup, people):
    api = people.api("owner")
    draft = api.post("/api/drafts", draft_body(setup)).json()
    assert api.get("/api/cases/mine").json()["count"] == 0
    assert_problem(people.api("clerk").get(f"/api/cases/{draft['id']}"), 404)
    assert api.delete(f"/api/drafts/{draft['id']}").status_code == 204
    assert not Case.objects.filter(state=CaseState.DRAFT).exists()
    assert_problem(api.delete(f"/api/drafts/{draft['id']}"), 404)


def test_a_draft_keeps_files_sent_inline_and_the_submission_carries_them(setup, people):
    api = people.api("owner")
    body = draft_body(setup) | {"materials": [file_material("lease")]}
    draft = api.post("/api/drafts", body).json()
    assert list(draft["files"]) == ["lease"]
    application_body = application(setup, draft_id=draft["id"])
    application_body["materials"] = [
        m for m in application_body["materials"] if m["key"] != "lease"
    ]
    submitted = api.post("/api/cases", application_body)
    assert submitted.status_code == 201, submitted.content.decode()
    lease = next(m for m in submitted.json()["materials"] if m["key"] == "lease")
    assert lease["status"] == "submitted"


def test_a_draft_refuses_a_commitment_or_an_unknown_material(setup, people):
    api = people.api("owner")
    commitment = {"key": "residence_proof", "commitment": "本人承诺"}
    response = api.post("/api/drafts", draft_body(setup) | {"materials": [commitment]})
    assert_problem(response, 422, "materials.residence_proof")
    unknown = file_material("not_on_the_list")
    response = api.post("/api/drafts", draft_body(setup) | {"materials": [unknown]})
    assert_problem(response, 422, "materials.not_on_the_list")
    assert not Case.objects.exists()
