"""The message box (/messages/): what applicants and officers read after a case's lifecycle."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.cases import services
from onestop.cases.models import Case, CaseEvent
from onestop.cases.notify import case_events_notify
from onestop.core import clock
from onestop.notifications.models import Channel, Message, MessageKind, NotificationPreference
from onestop.notifications.rendering import message_render
from onestop.notifications.selectors import message_unread_count
from onestop.notifications.services import Notice, applicant_recipient, messages_enqueue
from tests.notifications.conftest import MONDAY, told

APPLICANT_KINDS = [
    MessageKind.CASE_SUBMITTED,
    MessageKind.CORRECTION_REQUESTED,
    MessageKind.CASE_ACCEPTED,
    MessageKind.TASK_PAUSED,
    MessageKind.EXTENSION_APPROVED,
    MessageKind.CASE_COMPLETED,
    MessageKind.HANDED_OUT,
]


def _texts(response) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(
            r'<p class="message-text">(.*?)</p>', response.content.decode(), flags=re.S
        )
    ]


def _inbox(client, user, **headers):
    client.force_login(user)
    response = client.get(reverse("notifications:inbox"), **headers)
    assert response.status_code == 200
    return response


def test_the_applicant_reads_the_whole_lifecycle_in_chinese(client, lifecycle):
    case = lifecycle.run()
    response = _inbox(client, lifecycle.setup.applicant.user)
    texts = _texts(response)
    page = response.content.decode()
    # newest first, one message per step the applicant is told about
    assert len(texts) == len(APPLICANT_KINDS)
    assert "办理结果已领取" in page and "申请已提交" in page
    handed_out, completed, extended, paused, accepted, correction, submitted = texts
    assert submitted == f"您的申请“我要开办企业”已提交，办件编号 {case.number}。"
    assert "需要补正" in correction and "1. 租赁合同" in correction
    assert "租赁合同缺少签字页" in correction
    due_on = clock.local(case.due_at).date().isoformat()
    assert "已受理" in accepted and re.search(r"承诺办结日期为 \d{4}-\d{2}-\d{2}", accepted)
    assert "企业设立登记" in paused and "现场踏勘" in paused
    assert "延长 2 个工作日" in extended and due_on in extended
    assert "已办结，结果为准予许可，可领取" in completed and "出件窗口" in completed
    assert "已于 2026-11-02 领取" in handed_out
    assert "7 条未读" in page


def test_an_english_reader_gets_the_same_messages_in_english(client, lifecycle):
    case = lifecycle.run()
    response = _inbox(client, lifecycle.setup.applicant.user, HTTP_ACCEPT_LANGUAGE="en")
    texts = _texts(response)
    page = response.content.decode()
    assert "My messages" in page and "7 unread" in page
    handed_out, completed, extended, paused, accepted, correction, submitted = texts
    assert submitted == (
        f"Your application “我要开办企业” has been submitted; case number {case.number}."
    )
    assert "needs correction" in correction and "1. 租赁合同" in correction
    assert "has been accepted" in accepted
    assert "special procedure (Site survey)" in paused
    assert "extended by 2 working days" in extended
    assert "approved" in completed.lower() and "collect" in completed
    assert "collected on 2026-11-02" in handed_out
    assert not re.search(r"[已您的办件]{2}", " ".join(texts).replace("我要开办企业", ""))


def test_officers_are_told_of_tasks_assigned_to_them(client, lifecycle):
    lifecycle.run()
    s = lifecycle.setup
    for key in ("licence", "seal", "invoice"):
        texts = _texts(_inbox(client, s.officers[key].user))
        assert len(texts) == 1, key
        assert "新的子件待您办理" in texts[0]
    seal = _texts(_inbox(client, s.officers["seal"].user))[0]
    assert "公章刻制备案" in seal  # told when it turned ready, after the licence


def test_a_denied_case_says_so_when_it_is_completed(client, setup):
    with clock.frozen(MONDAY):
        case = told(lambda: setup.submit(invoice=False))
        told(lambda: services.case_accept(case_id=case.pk, clerk=setup.clerk))
        told(lambda: setup.decide(case, "licence", approve=False))
    texts = _texts(_inbox(client, setup.applicant.user))
    assert texts[0].startswith(f"您的办件“我要开办企业”（{case.number}）已办结，结果为不予许可")
    assert "不予许可决定书" in texts[0]


def test_rejection_reasons_reach_the_applicant_with_personal_data_masked(client, setup):
    id_number, phone = setup.applicant.id_number, "13912345678"
    with clock.frozen(MONDAY):
        case = told(lambda: setup.submit())
        told(
            lambda: services.case_reject(
                case_id=case.pk,
                clerk=setup.clerk,
                reason=f"身份证 {id_number} 与电话 {phone} 不是同一人",
            )
        )
    text = _texts(_inbox(client, setup.applicant.user))[0]
    assert "不予受理" in text and "理由：" in text
    assert id_number not in text and phone not in text
    assert id_number[:6] + "********" + id_number[-4:] in text
    assert "139****5678" in text


def test_no_rendered_text_shows_a_full_id_number_or_phone(lifecycle):
    lifecycle.run()
    s = lifecycle.setup
    secrets = [s.applicant.id_number, s.applicant.phone, s.form()["legal_person_id"]]
    rows = list(Message.objects.all())
    assert rows
    for message in rows:
        for language in ("zh-hans", "en"):
            rendered = message_render(message, language=language)
            for secret in secrets:
                assert secret not in rendered.text and secret not in rendered.title
                assert secret not in str(message.context)


def test_marking_read_lowers_the_unread_count(client, lifecycle):
    lifecycle.run()
    user = lifecycle.setup.applicant.user
    first = Message.objects.filter(channel=Channel.INBOX, recipient_id=lifecycle.setup.applicant.pk)
    one = first.order_by("pk").first()
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read"), {"id": one.pk})
    assert response.status_code == 302
    assert message_unread_count(user) == len(APPLICANT_KINDS) - 1
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "6 条未读" in page
    client.post(reverse("notifications:mark_read"))
    assert message_unread_count(user) == 0
    # another user's message is not theirs to mark
    officer = lifecycle.setup.officers["licence"]
    theirs = Message.objects.get(recipient_kind="staff", recipient_id=officer.pk)
    client.post(reverse("notifications:mark_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_is_post_only_and_the_box_needs_a_login(client, setup):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    client.force_login(setup.applicant.user)
    assert client.get(reverse("notifications:mark_read")).status_code == 405


def _fill(applicant_id: int, n: int) -> None:
    with clock.frozen(MONDAY):
        messages_enqueue(
            notices=[
                Notice(
                    kind=MessageKind.CASE_SUBMITTED,
                    recipients=[applicant_recipient(applicant_id)],
                    case_id=None,
                    case_number=f"N-{i:03d}",
                    context={"case_title": f"事项{i:03d}"},
                )
                for i in range(n)
            ]
        )


def test_the_box_pages_by_id_newest_first_without_overlap(client, setup):
    _fill(setup.applicant.pk, 25)
    client.force_login(setup.applicant.user)
    first = client.get(reverse("notifications:inbox"))
    page1 = re.findall(r"N-\d{3}", first.content.decode())
    assert len(set(page1)) == 20 and page1[0] == "N-024"
    cursor = re.search(r"\?before=(\d+)", first.content.decode()).group(1)
    second = client.get(reverse("notifications:inbox"), {"before": cursor})
    page2 = re.findall(r"N-\d{3}", second.content.decode())
    assert len(set(page2)) == 5 and page2[-1] == "N-000"
    assert not set(page1) & set(page2)
    assert 'rel="next"' not in second.content.decode()


@pytest.mark.usefixtures("calendar_steady")
def test_the_box_reads_the_same_number_of_queries_for_5_or_20_messages(client, setup):
    client.force_login(setup.applicant.user)
    _fill(setup.applicant.pk, 5)
    client.get(reverse("notifications:inbox"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    _fill(setup.applicant.pk, 15)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))
    assert len(few) == len(many)
    assert len(many) <= 6  # session, user, applicant, staff, page, unread count


def test_notifying_a_transition_is_one_insert_and_no_read(setup):
    with clock.frozen(MONDAY):
        case = told(lambda: setup.submit())
        with transaction.atomic():
            services.case_accept(case_id=case.pk, clerk=setup.clerk)
            events = list(CaseEvent.objects.filter(case_id=case.pk, seq__gt=1))
            loaded = Case.objects.get(pk=case.pk)
            with CaptureQueriesContext(connection) as queries:
                case_events_notify(case=loaded, events=events)
    assert [q["sql"].split()[0].upper() for q in queries] == ["INSERT"]
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert {MessageKind.CASE_ACCEPTED, MessageKind.TASK_ASSIGNED} <= kinds


def test_an_applicant_turns_sms_off_on_the_preferences_page(client, setup):
    client.force_login(setup.applicant.user)
    url = reverse("notifications:preferences")
    assert client.get(url).status_code == 200
    response = client.post(url, {"email_enabled": "on", "language": "en"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(applicant=setup.applicant)
    assert (preference.sms_enabled, preference.email_enabled, preference.language) == (
        False,
        True,
        "en",
    )
    assert client.post(url, {"language": "fr"}).status_code == 200  # not a choice: the form says so


def test_staff_have_no_preferences_page(client, setup):
    client.force_login(setup.clerk.user)
    assert client.get(reverse("notifications:preferences")).status_code == 403
