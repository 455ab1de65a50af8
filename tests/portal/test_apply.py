from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.cases.models import Case
from onestop.cases.states import CaseState, MaterialStatus

OPEN_BUSINESS = "4309YJS0101"
URL = f"/packages/{OPEN_BUSINESS}/apply/"
ANSWERS = {
    "a-enterprise_type": "company",
    "a-needs_seal": "yes",
    "a-needs_invoices": "no",
    "a-sells_food": "no",
    "a-hires_staff": "no",
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FORM = {
    "f-enterprise_name": "益阳市新桥餐饮有限公司",
    "f-registered_capital": "50",
    "f-business_scope": "餐饮服务",
    "f-business_address": "益阳市赫山区康富路1号",
    "f-legal_representative": "赵磊",
    "f-legal_representative_id_number": "",  # filled from the demo applicant below
    "f-contact_phone": "13807372001",
    "f-seal_kinds": "basic",
}


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def valid_post(key: str = "k-1", **overrides) -> dict:
    from onestop.accounts.models import Applicant

    enterprise = Applicant.objects.get(user__username="enterprise")
    data = {
        **ANSWERS,
        **FORM,
        "f-legal_representative_id_number": enterprise.legal_representative_id_number,
        "idempotency_key": key,
        "m-company_registration_form": pdf("form.pdf"),
        "m-articles_of_association": pdf("articles.pdf"),
        "c-lease_contract": "on",  # 告知承诺 instead of the lease
        # officer_appointment (容缺) left out on purpose
        "m-seal_application": pdf("seal.pdf"),
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(URL, ANSWERS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["clerk", "officer_market", "admin"])
def test_staff_may_not_apply(as_user, demo, username):
    assert as_user(username).get(URL, ANSWERS).status_code == 403


def test_without_answers_back_to_the_questions(as_user, demo):
    response = as_user("enterprise").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/packages/{OPEN_BUSINESS}/")


def test_form_carries_answers_prefills_and_explains_materials(as_user, demo):
    html = as_user("enterprise").get(URL, ANSWERS).content.decode()
    assert 'name="a-needs_seal" value="yes"' in html
    assert 'value="益阳市资江食品有限公司"' in html  # enterprise name from the profile
    assert 'name="idempotency_key"' in html
    assert "本人承诺" in html
    assert "可容缺后补" in html
    assert "将由办理部门自动调取" in html  # 营业执照 / 身份证 are e-licences


def test_mistakes_show_next_to_their_fields_and_nothing_is_created(as_user, demo):
    client = as_user("enterprise")
    before = Case.objects.exclude(state=CaseState.DRAFT).count()
    data = valid_post(
        **{
            "f-enterprise_name": "",
            "f-contact_phone": "12345",
            "m-articles_of_association": SimpleUploadedFile("a.exe", b"MZ..."),
        }
    )
    del data["m-company_registration_form"]
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    # No application: at most a draft keeping the files that passed their checks.
    assert Case.objects.exclude(state=CaseState.DRAFT).count() == before
    field = html.split('id="field-enterprise_name"')[1].split('class="field')[0]
    assert "此项为必填项" in field
    phone = html.split('id="field-contact_phone"')[1].split('class="field')[0]
    assert 'class="error"' in phone
    articles = html.split('id="material-articles_of_association"')[1].split("</li>")[0]
    assert "不被接受" in articles
    form = html.split('id="material-company_registration_form"')[1].split("</li>")[0]
    assert "请上传" in form
    assert 'value="k-1"' in html  # the same key on the corrected form


def test_files_chosen_before_a_mistake_are_kept_for_the_corrected_form(as_user, demo):
    client = as_user("enterprise")
    response = client.post(URL, valid_post("keep", **{"f-contact_phone": "12345"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已选择的文件已保存在草稿中，无需重新选择" in html
    seal = html.split('id="material-seal_application"')[1].split("</li>")[0]
    assert "草稿中已保存文件" in seal
    draft_id = html.split('name="draft" value="')[1].split('"')[0]

    corrected = valid_post("keep", draft=draft_id)
    for key in ("m-company_registration_form", "m-articles_of_association", "m-seal_application"):
        del corrected[key]  # not chosen again
    response = client.post(URL, corrected)
    assert response.status_code == 302
    case = Case.objects.get(idempotency_key="keep")
    assert case.pk == int(draft_id)
    assert case.state == CaseState.PRE_REVIEW
    files = dict(case.materials.exclude(file="").values_list("key", "sha256"))
    assert {"company_registration_form", "articles_of_association", "seal_application"} <= set(
        files
    )


def test_the_form_states_the_file_limits_before_upload(as_user, demo, settings):
    settings.ONESTOP_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    html = as_user("enterprise").get(URL, ANSWERS).content.decode()
    assert "每个文件不超过 5.0" in html
    assert 'accept=".pdf,.jpg,.jpeg,.png,.ofd"' in html


def test_apply_with_a_tolerable_material_missing(as_user, demo):
    client = as_user("enterprise")
    response = client.post(URL, valid_post())
    case = Case.objects.get(idempotency_key="k-1")
    assert response.status_code == 302
    assert response["Location"] == f"/my/cases/{case.number}/"
    assert case.state == CaseState.PRE_REVIEW
    statuses = dict(case.materials.values_list("key", "status"))
    assert statuses["officer_appointment"] == MaterialStatus.MISSING
    assert statuses["lease_contract"] == MaterialStatus.COMMITMENT_SIGNED
    assert statuses["business_licence"] == MaterialStatus.LICENCE_REFERENCE
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "申请已提交" in page


def test_submitting_twice_with_the_same_key_creates_one_case(as_user, demo):
    client = as_user("enterprise")
    before = Case.objects.count()
    first = client.post(URL, valid_post("double"))
    second = client.post(URL, valid_post("double"))
    assert Case.objects.count() == before + 1
    assert first["Location"] == second["Location"]


def test_a_new_form_gets_a_new_key(as_user, demo):
    client = as_user("enterprise")
    one = client.get(URL, ANSWERS).content.decode().split('name="idempotency_key" value="')[1]
    two = client.get(URL, ANSWERS).content.decode().split('name="idempotency_key" value="')[1]
    assert one[:32] != two[:32]


def test_apply_page_in_english(as_user, demo):
    client = as_user("enterprise")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(URL, ANSWERS).content.decode()
    assert 'lang="en"' in html
    assert "Application form (one form)" in html and "Submit application" in html


def _company_registration():
    from onestop.catalog.selectors import item_search_queryset

    return item_search_queryset("企业设立登记").select_related("item").get()


def test_single_item_apply_is_for_applicants_only(as_user, client, demo):
    url = f"/items/{_company_registration().item.basic_code}/apply/"
    assert client.get(url).status_code == 302
    assert as_user("clerk").get(url).status_code == 403
    html = as_user("enterprise").get(url).content.decode()
    assert "企业设立登记申请书" in html and 'name="idempotency_key"' in html


def test_apply_for_a_single_item(as_user, demo):
    from onestop.cases.services.plans import case_plan_for_submit

    item_version = _company_registration()
    plan = case_plan_for_submit(package_version=None, item_version=item_version, answers={})
    data = {"idempotency_key": "item-1"}
    for material in plan.materials:
        if not material.is_held_by_government and material.necessity != "tolerable":
            if material.necessity == "commitment":
                data[f"c-{material.key}"] = "on"
            else:
                data[f"m-{material.key}"] = pdf(f"{material.key}.pdf")
    client = as_user("enterprise")
    response = client.post(f"/items/{item_version.item.basic_code}/apply/", data)
    assert response.status_code == 302
    case = Case.objects.get(idempotency_key="item-1")
    assert case.item_version == item_version
    assert case.package_version is None


@pytest.mark.parametrize("value", ["-1", "1e309", "9" * 400])
def test_an_absurd_capital_shows_next_to_its_field(as_user, demo, value):
    before = Case.objects.exclude(state=CaseState.DRAFT).count()
    response = as_user("enterprise").post(URL, valid_post(**{"f-registered_capital": value}))
    assert response.status_code == 200
    assert Case.objects.exclude(state=CaseState.DRAFT).count() == before
    field = response.content.decode().split('id="field-registered_capital"')[1]
    assert 'class="error"' in field.split('class="field')[0]


def test_an_item_below_depth_three_offers_the_window_not_an_online_form(as_user, client, demo):
    from onestop.catalog.models import OnlineDepth, ServiceItemVersion

    version = _company_registration()
    ServiceItemVersion.objects.filter(pk=version.pk).update(online_depth=OnlineDepth.LEVEL_2)
    code = version.item.basic_code
    guide = client.get(f"/items/{code}/").content.decode()
    assert "不受理网上申请" in guide
    assert f"/items/{code}/apply/" not in guide

    applicant = as_user("enterprise")
    response = applicant.get(f"/items/{code}/apply/")
    assert response.status_code == 302 and response["Location"] == f"/items/{code}/"
    # Posting to the apply URL anyway creates nothing either: the engine refuses it.
    before = Case.objects.count()
    assert applicant.post(f"/items/{code}/apply/", {"idempotency_key": "x"}).status_code == 302
    assert Case.objects.count() == before
