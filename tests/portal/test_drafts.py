"""Saving an application as a draft on the portal, continuing it later, submitting or deleting it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from onestop.cases.models import Case
from onestop.cases.states import CaseState
from tests.portal.test_apply import ANSWERS, URL, valid_post


def _save_draft(client, **fields):
    data = {**ANSWERS, "f-enterprise_name": "益阳市草稿餐饮有限公司", "intent": "draft", **fields}
    return client.post(URL, data)


def test_save_draft_keeps_what_was_typed_and_reopens_on_it(as_user, demo):
    client = as_user("enterprise")
    response = _save_draft(client, **{"f-contact_phone": "not checked yet"})
    assert response.status_code == 302
    draft = Case.objects.get(state=CaseState.DRAFT)
    assert draft.number is None
    assert draft.form_data["enterprise_name"] == "益阳市草稿餐饮有限公司"
    location = urlsplit(response["Location"])
    assert location.path == URL
    query = parse_qs(location.query)
    assert query["draft"] == [str(draft.pk)]
    assert query["a-needs_seal"] == ["yes"]

    html = client.get(response["Location"]).content.decode()
    assert "草稿已保存" in html
    assert 'value="益阳市草稿餐饮有限公司"' in html  # the draft's value, not the profile's
    assert 'value="not checked yet"' in html
    assert f'name="draft" value="{draft.pk}"' in html


def test_saving_again_updates_the_draft_and_submitting_turns_it_into_the_case(as_user, demo):
    client = as_user("enterprise")
    _save_draft(client)
    draft = Case.objects.get(state=CaseState.DRAFT)
    _save_draft(client, draft=str(draft.pk), **{"f-business_scope": "餐饮服务"})
    assert Case.objects.filter(state=CaseState.DRAFT).count() == 1

    response = client.post(URL, valid_post(draft=str(draft.pk), intent="submit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(pk=draft.pk)
    assert case.state == CaseState.PRE_REVIEW
    assert response["Location"] == f"/my/cases/{case.number}/"
    assert not Case.objects.filter(state=CaseState.DRAFT).exists()


def test_my_cases_lists_drafts_with_continue_and_delete(as_user, demo):
    client = as_user("enterprise")
    _save_draft(client)
    draft = Case.objects.get(state=CaseState.DRAFT)
    html = client.get("/my/cases/").content.decode()
    assert "继续填写" in html
    assert f"draft={draft.pk}" in html
    assert f"/my/drafts/{draft.pk}/discard/" in html

    response = client.post(f"/my/drafts/{draft.pk}/discard/")
    assert response.status_code == 302
    assert not Case.objects.filter(pk=draft.pk).exists()
    assert "草稿已删除" in client.get("/my/cases/").content.decode()


def test_nobody_else_can_open_or_delete_a_draft(as_user, demo):
    _save_draft(as_user("enterprise"))
    draft = Case.objects.get(state=CaseState.DRAFT)
    other = as_user("zhaolei")
    other.post(f"/my/drafts/{draft.pk}/discard/")
    assert Case.objects.filter(pk=draft.pk).exists()
    assert "草稿不存在" in other.get("/my/cases/").content.decode()
    html = as_user("enterprise").get(URL, {**ANSWERS, "draft": str(draft.pk)}).content.decode()
    assert "益阳市草稿餐饮有限公司" in html  # the author still has it


def test_staff_cannot_open_a_draft(as_user, demo):
    _save_draft(as_user("enterprise"))
    draft = Case.objects.get(state=CaseState.DRAFT)
    assert as_user("clerk").get(f"/api/cases/{draft.pk}").status_code == 404
    assert as_user("enterprise").get(f"/api/cases/{draft.pk}").status_code == 404  # not a case yet


def test_files_chosen_before_saving_the_draft_need_not_be_chosen_again(as_user, demo):
    from tests.portal.test_apply import pdf

    client = as_user("enterprise")
    response = _save_draft(client, **{"m-company_registration_form": pdf("form.pdf")})
    draft = Case.objects.get(state=CaseState.DRAFT)
    assert draft.materials.get(key="company_registration_form").file
    html = client.get(response["Location"]).content.decode()
    assert "草稿中已保存文件" in html

    post = valid_post(draft=str(draft.pk), intent="submit")
    del post["m-company_registration_form"]  # kept in the draft
    response = client.post(URL, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(pk=draft.pk)
    material = case.materials.get(key="company_registration_form")
    assert material.status == "submitted"
    assert material.file.name.startswith(f"cases/drafts/{draft.pk}/")


def test_a_wrong_file_in_a_draft_is_shown_next_to_the_material(as_user, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user("enterprise")
    bad = SimpleUploadedFile("form.exe", b"MZ...", content_type="application/octet-stream")
    response = _save_draft(client, **{"m-company_registration_form": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "草稿未保存" in html
    assert "不被接受" in html
    assert not Case.objects.filter(state=CaseState.DRAFT).exists()
