from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from onestop.cases.models import Case
from onestop.cases.states import CaseState, MaterialStatus

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def case_of(username: str, **filters) -> Case:
    return Case.objects.filter(applicant__user__username=username, **filters).order_by("pk").first()


def owner_of(case: Case) -> str:
    return case.applicant.user.username


def test_list_shows_the_applicants_own_cases(
    as_user, demo, django_assert_max_num_queries, calendar_steady
):
    client = as_user("enterprise")
    mine = list(Case.objects.filter(applicant__user__username="enterprise"))
    assert mine
    client.get("/my/cases/")  # the calendar, just invalidated by calendar_steady, is read once
    with django_assert_max_num_queries(8):
        html = client.get("/my/cases/").content.decode()
    for case in mine:
        assert case.number in html
    others = Case.objects.exclude(applicant__user__username="enterprise").first()
    assert others.number not in html


def test_case_page_shows_status_timeline_and_who_has_it(
    as_user, demo, django_assert_max_num_queries, calendar_steady
):
    case = Case.objects.filter(state=CaseState.IN_PROGRESS).order_by("pk").first()
    client = as_user(owner_of(case))
    client.get(f"/my/cases/{case.number}/")  # read the calendar once (calendar_steady)
    with django_assert_max_num_queries(20):
        response = client.get(f"/my/cases/{case.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "办理中" in html
    assert "办理进度" in html and "提交申请" in html and "受理" in html
    department = case.tasks.select_related("department").first().department.name
    assert department in html
    for task in case.tasks.select_related("assignee").exclude(assignee=None):
        assert task.assignee.name not in html  # never the officer's name


def test_case_page_query_count_does_not_grow_with_history(
    as_user, demo, django_assert_max_num_queries, calendar_steady
):
    cases = Case.objects.order_by("pk")
    busiest = max(cases, key=lambda c: c.events.count())
    client = as_user(owner_of(busiest))
    client.get(f"/my/cases/{busiest.number}/")  # read the calendar once (calendar_steady)
    with django_assert_max_num_queries(20):
        assert client.get(f"/my/cases/{busiest.number}/").status_code == 200


def test_notice_links_when_the_notices_exist(as_user, demo):
    case = Case.objects.exclude(accepted_at=None).order_by("pk").first()
    html = as_user(owner_of(case)).get(f"/my/cases/{case.number}/").content.decode()
    try:
        url = reverse("cases:notice", args=[case.number, "accepted"])
    except NoReverseMatch:
        pytest.skip("the notice URL is not wired up in this tree")
    assert url in html


def test_another_applicants_case_is_not_found(as_user, demo):
    case = case_of("enterprise")
    assert as_user("liming").get(f"/my/cases/{case.number}/").status_code == 404
    response = as_user("liming").post(f"/my/cases/{case.number}/withdraw/", {"confirm": "on"})
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["clerk", "officer_market", "admin"])
def test_staff_get_403_on_applicant_pages(as_user, demo, username):
    case = case_of("enterprise")
    client = as_user(username)
    assert client.get("/my/cases/").status_code == 403
    assert client.get(f"/my/cases/{case.number}/").status_code == 403


def test_anonymous_goes_to_login(client, demo):
    case = case_of("enterprise")
    for url in ("/my/cases/", f"/my/cases/{case.number}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_withdraw_needs_confirmation(as_user, demo):
    case = Case.objects.filter(state=CaseState.PRE_REVIEW).order_by("pk").first()
    client = as_user(owner_of(case))
    client.post(f"/my/cases/{case.number}/withdraw/", {})
    case.refresh_from_db()
    assert case.state == CaseState.PRE_REVIEW
    html = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "请勾选确认后再撤回" in html
    client.post(f"/my/cases/{case.number}/withdraw/", {"confirm": "on", "reason": "信息填错"})
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    html = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "撤回申请" in html and "信息填错" in html


def test_supplement_after_a_correction_notice(as_user, demo):
    case = Case.objects.filter(state=CaseState.CORRECTION_REQUESTED).order_by("pk").first()
    client = as_user(owner_of(case))
    html = client.get(f"/my/cases/{case.number}/").content.decode()
    listed = case.correction_notice["materials"]
    assert "请补正材料" in html
    for entry in listed:
        assert entry["name"] in html
    # Nothing uploaded: the service names what is still missing, on the page.
    client.post(f"/my/cases/{case.number}/supplement/", {})
    assert "尚未提交" in client.get(f"/my/cases/{case.number}/").content.decode()
    files = {f"m-{entry['key']}": pdf(f"{entry['key']}.pdf") for entry in listed}
    response = client.post(f"/my/cases/{case.number}/supplement/", files)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_supply_a_tolerated_material(as_user, demo):
    case = (
        Case.objects.filter(
            state=CaseState.IN_PROGRESS, materials__status=MaterialStatus.TOLERATED_MISSING
        )
        .order_by("pk")
        .first()
    )
    if case is None:
        pytest.skip("the demo has no case waiting for a tolerated material")
    material = case.materials.filter(status=MaterialStatus.TOLERATED_MISSING).first()
    client = as_user(owner_of(case))
    assert "待补交的容缺材料" in client.get(f"/my/cases/{case.number}/").content.decode()
    url = f"/my/cases/{case.number}/tolerated/{material.key}/"
    client.post(url, {f"m-{material.key}": SimpleUploadedFile("x.txt", b"hello")})
    material.refresh_from_db()
    assert material.status == MaterialStatus.TOLERATED_MISSING
    assert "不被接受" in client.get(f"/my/cases/{case.number}/").content.decode()
    client.post(url, {f"m-{material.key}": pdf()})
    material.refresh_from_db()
    assert material.status == MaterialStatus.SUBMITTED


def test_case_page_in_english(as_user, demo):
    case = case_of("enterprise")
    client = as_user("enterprise")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/my/cases/{case.number}/").content.decode()
    assert 'lang="en"' in html
    assert "Progress" in html and "Case number" in html
    assert "My cases" in client.get("/my/cases/").content.decode()


@pytest.mark.parametrize("action", ["supplement/", "tolerated/id_card/", "withdraw/"])
def test_case_actions_refuse_everyone_but_the_applicant(as_user, client, demo, action):
    case = case_of("enterprise", state=CaseState.IN_PROGRESS)
    url = f"/my/cases/{case.number}/{action}"
    anonymous = client.post(url, {"confirm": "on"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert as_user("clerk").post(url, {"confirm": "on"}).status_code == 403
    assert as_user("liming").post(url, {"confirm": "on"}).status_code == 404
    assert as_user("enterprise").get(url).status_code == 405  # actions are POST only
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_who_has_it_names_only_departments_working_on_it_now(as_user, demo):
    """A task waiting for its prerequisite (pending) is not shown as handling the case."""
    from onestop.accounts.models import Staff
    from onestop.cases import services
    from tests.browser.test_flow import apply_at_window

    case = apply_at_window(key="portal-who-has-it")  # 我要开办企业: licence first, then 4 more
    services.case_accept(case_id=case.pk, clerk=Staff.objects.get(user__username="clerk"))
    working = {t.department.name for t in case.tasks.filter(state__in=["ready", "claimed"])}
    waiting = {t.department.name for t in case.tasks.filter(state="pending")} - working
    assert working and waiting
    html = as_user(owner_of(case)).get(f"/my/cases/{case.number}/").content.decode()
    facts = html.split("当前办理", 1)[1].split("</div>", 1)[0]
    assert all(name in facts for name in working)
    assert not any(name in facts for name in waiting)


def test_a_completed_case_offers_its_rating_and_a_running_one_does_not(as_user, demo):
    # an applicant with a portal login (the 帮代办 villagers have none)
    done = Case.objects.filter(
        state=CaseState.DELIVERED, ratings__isnull=True, applicant__user__isnull=False
    ).first()
    running = Case.objects.filter(state=CaseState.IN_PROGRESS, applicant=done.applicant).first()
    client = as_user(done.applicant.user.username)
    page = client.get(f"/my/cases/{done.number}/").content.decode()
    assert 'id="rate"' in page and f"/ratings/case/{done.number}/" in page
    if running is not None:
        assert 'id="rate"' not in client.get(f"/my/cases/{running.number}/").content.decode()
