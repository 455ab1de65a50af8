"""Every reading of an applicant's personal data by staff is recorded, and the applicant sees it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.accounts.models import PersonalDataRead, PersonalDataReadKind
from tests.cases.api.conftest import application

pytestmark = pytest.mark.django_db


def _reads(applicant) -> list[tuple[str, str]]:
    return [
        (r.kind, r.staff.name)
        for r in PersonalDataRead.objects.filter(applicant=applicant).order_by("pk")
    ]


def test_the_window_page_the_task_page_and_a_material_file_are_recorded(setup, client):
    case = setup.accepted()
    client.force_login(setup.clerk.user)
    assert client.get(reverse("workbench:window_case", args=[case.number])).status_code == 200
    scan = client.get(reverse("workbench:material_file", args=[case.number, "id_card"]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")
    # Close the file only: response.close() would end the request, and with it the test's
    # database connection on PostgreSQL.
    for close in scan._resource_closers:
        close()
    officer = setup.officers["licence"]
    task = case.tasks.get(department=officer.department)
    client.force_login(officer.user)
    assert client.get(reverse("workbench:task", args=[task.pk])).status_code == 200

    assert _reads(case.applicant) == [
        (PersonalDataReadKind.CASE_DESK, setup.clerk.name),
        (PersonalDataReadKind.MATERIAL_FILE, setup.clerk.name),
        (PersonalDataReadKind.TASK_DESK, officer.name),
    ]
    read = PersonalDataRead.objects.filter(applicant=case.applicant).first()
    assert read.case_number == case.number and read.address == "127.0.0.1"


def test_the_api_records_staff_who_see_unmasked_data_but_not_the_applicant(setup, people):
    created = people.api("owner").post("/api/cases", application(setup)).json()
    people.api("owner").get(f"/api/cases/{created['id']}")
    assert _reads(setup.applicant) == []
    people.api("clerk").get(f"/api/cases/{created['id']}")
    assert _reads(setup.applicant) == [(PersonalDataReadKind.API_CASE, setup.clerk.name)]


def test_the_applicant_sees_who_read_their_data_without_staff_names(setup, client):
    case = setup.accepted()
    client.force_login(setup.clerk.user)
    client.get(reverse("workbench:window_case", args=[case.number]))
    client.force_login(setup.applicant.user)
    page = client.get(reverse("portal:my_data_reads")).content.decode()
    row = page.split('id="data-reads"')[1]
    assert case.number in row and "查看办件（窗口）" in row
    assert setup.clerk.name not in row


def test_the_log_cannot_be_edited_in_the_admin(setup, admin_client):
    case = setup.accepted()
    PersonalDataRead.objects.create(
        staff=setup.clerk, applicant=case.applicant, kind="case_desk", at=case.accepted_at
    )
    read = PersonalDataRead.objects.get()
    url = reverse("admin:accounts_personaldataread_change", args=[read.pk])
    assert admin_client.post(url, {"case_number": "x"}).status_code == 403
    delete = reverse("admin:accounts_personaldataread_delete", args=[read.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert PersonalDataRead.objects.get().case_number == ""
