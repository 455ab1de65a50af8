"""Every desk page refuses whoever may not see it: login redirect, 403 or 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.regions.models import RegionLevel
from tests.factories.accounts import StaffFactory
from tests.factories.regions import DepartmentFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(setup):
    """(method, url) of every desk page, with a case and a task to point at."""
    case = setup.accepted()
    waiting = setup.submit()
    task = setup.task(case, "licence")
    return {
        "window_queue": ("get", reverse("workbench:window_queue")),
        "window_case": ("get", reverse("workbench:window_case", args=[waiting.number])),
        "window_accept": ("post", reverse("workbench:window_accept", args=[waiting.number])),
        "window_correction": (
            "post",
            reverse("workbench:window_correction", args=[waiting.number]),
        ),
        "window_reject": ("post", reverse("workbench:window_reject", args=[waiting.number])),
        "window_pre_review": (
            "post",
            reverse("workbench:window_pre_review", args=[waiting.number]),
        ),
        "intake": ("get", reverse("workbench:intake")),
        "intake_apply": ("get", reverse("workbench:intake_apply")),
        "handout": ("get", reverse("workbench:handout")),
        "handout_deliver": ("post", reverse("workbench:handout_deliver", args=[case.number])),
        "material_file": (
            "get",
            reverse("workbench:material_file", args=[case.number, "id_card"]),
        ),
        "inbox": ("get", reverse("workbench:inbox")),
        "task": ("get", reverse("workbench:task", args=[task.pk])),
        "task_action": ("post", reverse("workbench:task_action", args=[task.pk, "claim"])),
        "extension_approve": ("post", reverse("workbench:extension_approve", args=[1])),
    }


WINDOW = {
    "window_queue",
    "window_case",
    "window_accept",
    "window_correction",
    "window_reject",
    "window_pre_review",
    "handout",
    "handout_deliver",
}
INTAKE = {"intake", "intake_apply"}
INBOX = {"inbox", "task", "task_action"}
ALL = WINDOW | INTAKE | INBOX | {"material_file", "extension_approve"}


def call(client, spec):
    method, url = spec
    return getattr(client, method)(url)


@pytest.mark.parametrize("name", sorted(ALL))
def test_anonymous_is_sent_to_login(client, pages, name):
    response = call(client, pages[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(ALL))
def test_an_applicant_is_forbidden(client, setup, pages, name):
    client.force_login(setup.applicant.user)
    assert call(client, pages[name]).status_code == 403


@pytest.mark.parametrize("name", sorted(WINDOW | INTAKE | {"extension_approve"}))
def test_an_officer_may_not_use_the_window(client, setup, pages, name):
    client.force_login(setup.officers["licence"].user)
    assert call(client, pages[name]).status_code == 403


@pytest.mark.parametrize("name", sorted(INBOX | {"extension_approve"}))
def test_a_clerk_may_not_use_the_inbox(client, setup, pages, name):
    client.force_login(setup.clerk.user)
    assert call(client, pages[name]).status_code == 403


@pytest.mark.parametrize("name", sorted(WINDOW | INBOX))
def test_an_agent_may_only_enter_cases(client, setup, pages, name):
    client.force_login(StaffFactory(agent=True, region=setup.county).user)
    assert call(client, pages[name]).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "catalog_admin"])
def test_other_roles_have_no_desk(client, setup, pages, role):
    client.force_login(StaffFactory(**{role: True}, region=setup.county).user)
    for name in sorted(WINDOW | INBOX | INTAKE):
        assert call(client, pages[name]).status_code == 403, name


def test_an_officer_of_another_department_gets_404_on_the_task(client, setup, pages):
    # the tax officer has a task on the same case, but not this one
    client.force_login(setup.officers["invoice"].user)
    assert call(client, pages["task"]).status_code == 404
    assert call(client, pages["task_action"]).status_code == 404
    stranger = StaffFactory(officer=True, department=DepartmentFactory(region=setup.county))
    client.force_login(stranger.user)
    assert call(client, pages["task"]).status_code == 404


def test_a_clerk_of_another_region_gets_404_on_the_case(client, setup, pages):
    ziyang = RegionFactory(
        code="430902", name="资阳区", level=RegionLevel.COUNTY, parent=setup.city
    )
    client.force_login(StaffFactory(region=ziyang).user)
    assert call(client, pages["window_case"]).status_code == 404
    assert call(client, pages["window_accept"]).status_code == 404


def test_a_chief_may_not_approve_another_departments_extension(client, setup, pages):
    client.force_login(setup.chief.user)
    assert call(client, pages["extension_approve"]).status_code == 404
