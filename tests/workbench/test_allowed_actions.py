"""The desks draw a button only when ``cases.actions`` allows it for the viewer, and a POST
of an action it excludes is refused with the engine's message — never a 500 or a bare 403."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from onestop.cases import services
from onestop.cases.states import CaseState, Channel, MaterialStatus, TaskState
from onestop.workbench.access import desk_nav
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
APPROVE = "通过</button>"


def task_url(task, action=""):
    if action:
        return reverse("workbench:task_action", args=[task.pk, action])
    return reverse("workbench:task", args=[task.pk])


def test_an_officer_who_did_not_claim_sees_no_decision_and_a_forced_one_is_refused(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    services.task_claim(task_id=task.pk, officer=setup.chief)
    client = as_user(setup.officers["licence"])
    page = client.get(task_url(task)).content.decode()
    assert APPROVE not in page and 'id="decide-form"' not in page
    forced = client.post(task_url(task, "approve"), {"opinion": "准予"}, **HX)
    assert forced.status_code == 200
    body = forced.content.decode()
    assert 'role="alert"' in body and "承办" in body
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED and task.assignee_id == setup.chief.pk


def test_approving_a_ready_task_is_refused_with_a_message(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    page = client.get(task_url(task)).content.decode()
    assert "认领</button>" in page and APPROVE not in page
    response = client.post(task_url(task, "approve"), {"opinion": "准予"}, follow=True)
    assert response.status_code == 200
    assert "不能" in response.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.READY


def test_the_holder_sees_the_decision_buttons(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    client.post(task_url(task, "claim"))
    page = client.get(task_url(task)).content.decode()
    assert APPROVE in page and "不予许可</button>" in page and "启动特别程序</button>" in page
    assert "认领</button>" not in page


def test_a_clerk_on_a_completed_case_sees_no_accept_and_a_forced_accept_is_refused(setup, as_user):
    case = setup.completed()
    client = as_user(setup.clerk)
    desk = reverse("workbench:window_case", args=[case.number])
    page = client.get(desk).content.decode()
    assert 'id="accept-form"' not in page and 'id="reject-form"' not in page
    assert 'id="handout-form"' in page  # what a completed case allows the window
    forced = client.post(reverse("workbench:window_accept", args=[case.number]))
    assert forced.status_code == 200
    body = forced.content.decode()
    assert 'class="msg msg-error" role="alert"' in body and "不能受理" in body
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED


def test_the_handout_list_offers_hand_out_and_a_delivered_case_offers_nothing(setup, as_user):
    case = setup.completed()
    client = as_user(setup.clerk)
    page = client.get(reverse("workbench:handout")).content.decode()
    assert reverse("workbench:handout_deliver", args=[case.number]) in page
    client.post(reverse("workbench:handout_deliver", args=[case.number]))
    again = client.post(reverse("workbench:handout_deliver", args=[case.number]), follow=True)
    assert again.status_code == 200 and "不能" in again.content.decode()
    desk = client.get(reverse("workbench:window_case", args=[case.number])).content.decode()
    assert "窗口无需操作" in desk and 'id="handout-form"' not in desk


def test_the_window_records_originals_seen_for_an_online_case(setup, as_user):
    case = setup.submit(channel=Channel.ONLINE)
    client = as_user(setup.clerk)
    desk = reverse("workbench:window_case", args=[case.number])
    page = client.get(desk).content.decode()
    assert 'id="originals-form"' in page and 'name="keys" value="id_card"' in page
    empty = client.post(reverse("workbench:window_verify_originals", args=[case.number]), {})
    assert empty.status_code == 200 and "请勾选已核验原件的材料" in empty.content.decode()
    done = client.post(
        reverse("workbench:window_verify_originals", args=[case.number]),
        {"keys": ["id_card"]},
        follow=True,
    )
    assert done.status_code == 200
    material = case.materials.get(key="id_card")
    assert material.status == MaterialStatus.ORIGINAL_VERIFIED
    assert "原件已核验" in done.content.decode()


def test_navigation_follows_permissions(setup, as_user):
    assert [link.key for link in desk_nav(setup.clerk)] == [
        "queue",
        "intake",
        "handout",
        "post",
        "consultations",
        "ratings_record",
        "evaluator",
    ]
    assert [link.key for link in desk_nav(setup.officers["licence"])] == [
        "inbox",
        "orders",
        "rectifications",
    ]
    agent = StaffFactory(agent=True, region=setup.county)
    assert [str(link.label) for link in desk_nav(agent)] == ["帮代办录入"]
    page = as_user(setup.chief).get(reverse("workbench:inbox")).content.decode()
    assert 'id="extensions"' in page  # the chief approves extensions
    page = as_user(setup.officers["licence"]).get(reverse("workbench:inbox")).content.decode()
    assert 'id="extensions"' not in page and reverse("workbench:window_queue") not in page


def test_done_messages_are_in_the_language_of_the_request_not_of_the_first_import(setup, as_user):
    from onestop.workbench.views import inbox, window

    with translation.override("en"):
        importlib.reload(inbox)
        importlib.reload(window)
    case = setup.accepted()
    task = setup.task(case, "licence")
    # the URLconf holds the views of the first import; the reloaded module's table is read
    # through them at request time, so the Chinese request below shows Chinese.
    body = as_user(setup.officers["licence"]).post(task_url(task, "claim"), **HX).content
    assert "已认领。" in body.decode()
    assert "Claimed" not in body.decode()
