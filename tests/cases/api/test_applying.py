"""Applying through the API: online by the applicant, at the window for them, idempotently."""

from __future__ import annotations

import pytest

from onestop.cases.models import Case
from onestop.cases.states import CaseState, MaterialStatus
from tests.cases.api.conftest import application, assert_problem, b64, file_material
from tests.factories.accounts import ApplicantFactory, UserFactory
from tests.factories.cases import PDF
from tests.factories.catalog import ServiceItemFactory, ServiceItemVersionFactory


def test_an_applicant_applies_online_and_the_case_waits_for_pre_review(setup, people):
    response = people.api("owner").post("/api/cases", application(setup))

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == CaseState.PRE_REVIEW
    assert body["number"].startswith("430903")
    assert body["package_code"] == setup.package.package.code
    statuses = {m["key"]: m["status"] for m in body["materials"]}
    assert statuses == {
        "id_card": MaterialStatus.SUBMITTED,
        "lease": MaterialStatus.SUBMITTED,
        "residence_proof": MaterialStatus.COMMITMENT_SIGNED,
        "business_licence": MaterialStatus.LICENCE_REFERENCE,
    }
    assert [e["kind"] for e in body["timeline"]] == ["submitted"]
    case = Case.objects.get(pk=body["id"])
    assert case.applicant == setup.applicant
    assert case.created_by == setup.applicant.user


def test_a_licence_reference_satisfies_a_material(setup, people):
    body = application(setup)
    body["materials"][0] = {"key": "id_card", "licence_reference": "DZZZ-430903-0001"}

    response = people.api("owner").post("/api/cases", body)

    material = next(m for m in response.json()["materials"] if m["key"] == "id_card")
    assert material["status"] == MaterialStatus.LICENCE_REFERENCE
    assert material["licence_reference"] == "DZZZ-430903-0001"


def test_a_single_item_can_be_applied_for_by_its_code(setup, people):
    version = ServiceItemVersionFactory(
        item=ServiceItemFactory(basic_code="000199009000", name="个体工商户登记"),
        department=setup.departments["licence"],
        published=True,
    )
    body = {
        "item_code": version.item.basic_code,
        "region_code": setup.county.code,
        "materials": [file_material("id_card")],
    }

    response = people.api("owner").post("/api/cases", body)

    assert response.status_code == 201, response.json()
    assert response.json()["item_code"] == "000199009000"
    assert response.json()["title"] == "个体工商户登记"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region_code": None}, "region_code"),
        ({"region_code": "439999"}, "region_code"),
        ({"package_code": "NOPE"}, "package_code"),
        ({"item_code": "000101001000"}, "package_code"),  # both named: one only
        ({"channel": "hall_window"}, "channel"),
        ({"form_data": {"company_name": "好味道", "phone": "12"}}, "form_data.legal_person_id"),
        ({"answers": {"needs_invoice": "maybe"}}, "needs_invoice"),
        ({"materials": [{"key": "id_card"}]}, "materials.id_card"),
        ({"materials": [{"key": "nope", "licence_reference": "x"}]}, "materials.nope"),
        (
            {
                "materials": [
                    {"key": "id_card", "file": {"filename": "a.pdf", "content_base64": "@@"}}
                ]
            },
            "materials.id_card.file.content_base64",
        ),
        ({"materials": [file_material("id_card", b"plain text", "a.pdf")]}, "materials.id_card"),
    ],
)
def test_bad_applications_are_422_naming_the_field(setup, people, change, field):
    body = application(setup)
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}

    response = people.api("owner").post("/api/cases", body)

    assert_problem(response, 422, field)
    assert not Case.objects.exists()


def test_a_body_that_is_not_json_is_400_problem_json(setup, people):
    api = people.api("owner")
    response = api.client.post(
        "/api/cases", "{not json", content_type="application/json", headers=api.headers
    )
    assert_problem(response, 400)


# ------------------------------------------------------------------------- idempotency


def test_a_retried_submission_returns_the_same_case(setup, people):
    api = people.api("owner")
    key = {"Idempotency-Key": "portal-7f3a"}

    first = api.post("/api/cases", application(setup), headers=key)
    again = api.post("/api/cases", application(setup), headers=key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_a_retry_after_the_window_acted_still_finds_the_case(setup, people):
    api = people.api("owner")
    key = {"Idempotency-Key": "portal-late"}
    first = api.post("/api/cases", application(setup), headers=key).json()
    people.api("clerk").post(f"/api/cases/{first['id']}/pre-review", {})

    again = api.post("/api/cases", application(setup), headers=key)

    assert again.status_code == 200
    assert again.json()["state"] == CaseState.SUBMITTED
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        ({"answers": {"needs_invoice": False}}, "answers"),
        ({"form_data": None}, "form_data"),
        ({"materials": [file_material("id_card", b"%PDF-1.7 another scan")]}, "materials"),
        ({"region_code": "430902"}, "region_code"),
    ],
)
def test_the_same_key_with_another_body_is_422(setup, people, change, difference):
    from onestop.regions.models import RegionLevel
    from tests.factories.regions import RegionFactory

    RegionFactory(code="430902", name="资阳区", level=RegionLevel.COUNTY, parent=setup.city)
    api = people.api("owner")
    key = {"Idempotency-Key": "portal-reuse"}
    api.post("/api/cases", application(setup), headers=key)
    body = application(setup)
    if change.get("form_data", 1) is None:
        change = {"form_data": setup.form(company_name="另一家公司")}
    body.update(change)

    response = api.post("/api/cases", body, headers=key)

    problem = assert_problem(response, 422, "Idempotency-Key")
    assert problem["code"] == "idempotency_key_reused"
    assert difference in problem["details"]["differences"]
    assert Case.objects.count() == 1


def test_a_changed_material_under_the_same_key_is_refused(setup, people):
    api = people.api("owner")
    key = {"Idempotency-Key": "portal-materials"}
    api.post("/api/cases", application(setup), headers=key)
    body = application(setup)
    body["materials"][0] = file_material("id_card", b"%PDF-1.7 a different scan\n")

    response = api.post("/api/cases", body, headers=key)

    problem = assert_problem(response, 422, "Idempotency-Key")
    assert problem["details"]["differences"] == ["materials.id_card"]


def test_keys_belong_to_their_user(setup, people):
    key = {"Idempotency-Key": "shared-key"}
    mine = people.api("owner").post("/api/cases", application(setup), headers=key)
    theirs = people.api("other_applicant").post("/api/cases", application(setup), headers=key)

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["number"] != theirs.json()["number"]
    assert theirs.json()["applicant"]["id"] == people.other_applicant.pk


def test_an_overlong_key_is_422(setup, people):
    response = people.api("owner").post(
        "/api/cases", application(setup), headers={"Idempotency-Key": "k" * 129}
    )
    assert_problem(response, 422, "idempotency_key")


# ------------------------------------------------------------------------------ intake


def test_a_clerk_enters_a_case_for_an_applicant_present(setup, people):
    body = application(setup, applicant_identifier=setup.applicant.id_number)
    body.pop("region_code")

    response = people.api("clerk").post("/api/cases/intake", body)

    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["state"] == CaseState.SUBMITTED  # no pre-review: the clerk saw the applicant
    assert case["channel"] == "hall_window"
    assert case["applicant"]["id"] == setup.applicant.pk
    assert case["has_agent"] is False


def test_an_enterprise_is_found_by_its_credit_code(setup, people):
    enterprise = ApplicantFactory(enterprise=True, user=UserFactory())
    body = application(setup, applicant_identifier=enterprise.uscc.lower())

    response = people.api("clerk").post("/api/cases/intake", body)

    assert response.status_code == 201, response.json()
    assert response.json()["applicant"]["name"] == enterprise.name


def test_an_agent_enters_a_case_with_the_authorisation_and_then_sees_it(setup, people):
    body = application(
        setup,
        applicant_identifier=setup.applicant.id_number,
        channel="village_centre",
        agent_authorisation="赫山委托〔2026〕18号",
    )
    agent = people.api("agent")

    response = agent.post("/api/cases/intake", body, headers={"Idempotency-Key": "v-1"})
    again = agent.post("/api/cases/intake", body, headers={"Idempotency-Key": "v-1"})

    assert response.status_code == 201, response.json()
    assert again.status_code == 200
    case = response.json()
    assert case["agent"]["name"] == "帮代办员"
    assert agent.get(f"/api/cases/{case['id']}").status_code == 200
    owner_view = people.api("owner").get(f"/api/cases/{case['id']}").json()
    assert owner_view["has_agent"] is True
    assert owner_view["agent"] is None


@pytest.mark.parametrize(
    ("role", "change", "field"),
    [
        ("clerk", {"applicant_identifier": "430903199001019999"}, "applicant_identifier"),
        ("clerk", {"applicant_identifier": None}, "applicant_identifier"),
        ("clerk", {"channel": "online"}, "channel"),
        ("clerk", {"region_code": "000000"}, "region_code"),
        ("agent", {"agent_authorisation": ""}, "agent_authorisation"),
    ],
)
def test_bad_intake_is_422_naming_the_field(setup, people, role, change, field):
    body = application(
        setup,
        applicant_identifier=setup.applicant.id_number,
        agent_authorisation="赫山委托〔2026〕18号",
    )
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}

    response = people.api(role).post("/api/cases/intake", body)

    assert_problem(response, 422, field)


def test_base64_helper_roundtrip():
    assert b64(b"%PDF") == "JVBERg=="


def test_a_body_over_the_json_limit_is_413_problem_json(setup, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = application(setup)
    body["materials"][0] = file_material("id_card", PDF + b"0" * 100_000)

    response = people.api("owner").post("/api/cases", body)

    problem = assert_problem(response, 413)
    assert problem["code"] == "request_too_large"
    assert not Case.objects.exists()


def test_the_city_itself_can_be_the_accepting_region(setup, people):
    """A package filed at the city (4309, its four significant digits) is applied for there."""
    response = people.api("owner").post(
        "/api/cases", application(setup, region_code=setup.city.code)
    )
    assert response.status_code == 201, response.content
    assert response.json()["accepting_region"]["code"] == setup.city.code


@pytest.mark.parametrize("code", ["4", "43a903", "4309031234567"])
def test_a_region_code_that_is_not_digits_of_a_region_length_is_422(setup, people, code):
    response = people.api("owner").post("/api/cases", application(setup, region_code=code))
    assert_problem(response, 422, "region_code")


def test_an_item_below_depth_three_is_refused_online_through_the_api(setup, people):
    from onestop.catalog.models import OnlineDepth, ServiceItemVersion

    ServiceItemVersion.objects.filter(pk=setup.versions["licence"].pk).update(
        online_depth=OnlineDepth.LEVEL_2
    )
    response = people.api("owner").post("/api/cases", application(setup))

    assert_problem(response, 422)
    assert "不受理网上申请" in response.json()["detail"]
    assert Case.objects.count() == 0
