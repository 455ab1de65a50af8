"""Delivery through a real HTTP SMS gateway and Django's mail backend: retries, backoff,
opt-out, rate limit, and every message exactly once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from onestop.cases import services
from onestop.core import clock
from onestop.notifications.delivery import MAX_ATTEMPTS, backoff, messages_deliver
from onestop.notifications.models import Channel, Message, MessageKind, Status
from onestop.notifications.services import (
    Notice,
    applicant_recipient,
    messages_enqueue,
    notification_preferences_set,
)
from tests.factories.cases import upload
from tests.notifications.conftest import MONDAY, told

LATER = MONDAY + dt.timedelta(days=1)


def _sms() -> list[Message]:
    return list(Message.objects.filter(channel=Channel.SMS).order_by("pk"))


def test_messages_wait_while_the_gateway_is_down_and_go_out_once_when_it_is_back(
    client, lifecycle, gateway, django_capture_on_commit_callbacks
):
    # the gateway refuses (HTTP 500) while the case runs: every delivery after commit fails
    gateway.status = 500
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        lifecycle.run()
    rows = _sms()
    assert len(rows) == 7 and gateway.requests and not gateway.accepted
    assert {(r.status, r.attempts) for r in rows} == {(Status.PENDING, 1)}
    assert all("HTTP 500" in r.last_error for r in rows)

    # the applicant still reads everything in the message box
    client.force_login(lifecycle.setup.applicant.user)
    assert "7 条未读" in client.get(reverse("notifications:inbox")).content.decode()

    # then the gateway is not listening at all: still pending, a second attempt counted
    port = gateway.port
    gateway.stop()
    with clock.frozen(LATER):
        result = messages_deliver()
    assert len(result.retrying) == 7
    rows = _sms()
    assert {(r.status, r.attempts) for r in rows} == {(Status.PENDING, 2)}
    assert all("not reachable" in r.last_error for r in rows)

    # back on the same port, accepting: the sweep sends each message once, then nothing more
    gateway.port, gateway.status = port, 200
    gateway.start()
    with clock.frozen(LATER + dt.timedelta(hours=1)):
        assert len(messages_deliver().sent) == 7
        assert messages_deliver().sent == []
    with clock.frozen(LATER + dt.timedelta(days=3)):
        assert messages_deliver().sent == []
    assert sorted(map(int, gateway.accepted)) == [r.pk for r in _sms()]
    assert not [i for i, n in Counter(gateway.accepted).items() if n > 1]
    assert {r.status for r in _sms()} == {Status.SENT}
    # a retried message carries the same id every time: the gateway de-duplicates by it
    per_id = Counter(request["id"] for request in gateway.requests)
    assert set(per_id.values()) == {2}  # refused with 500, then accepted (same id)
    assert gateway.auth[0] == "Bearer test-token"


def test_a_delivered_sms_carries_the_number_the_text_and_the_row_id(
    setup, gateway, django_capture_on_commit_callbacks
):
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        case = told(lambda: setup.submit())
    (request,) = gateway.requests
    row = Message.objects.get(channel=Channel.SMS)
    assert request["to"] == setup.applicant.phone
    assert request["id"] == str(row.pk)
    assert request["text"].startswith("【一件事一次办】您的申请“我要开办企业”已提交")
    assert case.number in request["text"]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.sent_at is not None


def test_an_english_applicant_gets_sms_and_email_in_english(
    setup, gateway, django_capture_on_commit_callbacks
):
    user = setup.applicant.user
    user.email = "owner@example.com"
    user.save(update_fields=["email"])
    notification_preferences_set(
        applicant=setup.applicant, sms_enabled=True, email_enabled=True, language="en"
    )
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        told(lambda: setup.submit())
    assert gateway.requests[0]["text"].startswith("[One-stop services] Your application")
    (email,) = mail.outbox
    assert email.to == ["owner@example.com"]
    assert email.subject == "Application submitted"
    assert "has been submitted" in email.body


def test_sms_off_skips_the_sms_but_the_inbox_message_is_there(
    setup, gateway, django_capture_on_commit_callbacks
):
    notification_preferences_set(applicant=setup.applicant, sms_enabled=False, email_enabled=True)
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        told(lambda: setup.submit())
    by_channel = {m.channel: m for m in Message.objects.all()}
    assert by_channel[Channel.SMS].status == Status.SKIPPED
    assert "turned SMS off" in by_channel[Channel.SMS].last_error
    assert by_channel[Channel.INBOX].status == Status.SENT
    # no e-mail address on file: skipped too, nothing sent anywhere
    assert by_channel[Channel.EMAIL].status == Status.SKIPPED
    assert gateway.requests == [] and mail.outbox == []


def test_at_most_one_sms_per_case_and_kind_however_often_it_happens(setup):
    with clock.frozen(MONDAY):
        case = told(lambda: setup.submit())
        for note in ("第一次补正", "第二次补正"):
            told(
                lambda n=note: services.case_request_correction(
                    case_id=case.pk, clerk=setup.clerk, missing=["lease"], note=n
                )
            )
            told(
                lambda: services.case_supplement(
                    case_id=case.pk, by=setup.applicant, materials=[upload("lease")]
                )
            )
    corrections = Message.objects.filter(kind=MessageKind.CORRECTION_REQUESTED)
    assert corrections.filter(channel=Channel.INBOX).count() == 2
    assert corrections.filter(channel=Channel.SMS).count() == 1
    assert corrections.filter(channel=Channel.EMAIL).count() == 2


def test_each_failure_waits_twice_as_long_until_the_message_fails(setup, gateway):
    gateway.status = 503
    with clock.frozen(MONDAY):
        messages_enqueue(
            notices=[
                Notice(
                    kind=MessageKind.CASE_SUBMITTED,
                    recipients=[applicant_recipient(setup.applicant.pk)],
                    case_number="N-1",
                    context={"case_title": "事项"},
                )
            ]
        )
    sms = Message.objects.get(channel=Channel.SMS)
    now, waits = MONDAY, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with clock.frozen(now):
            messages_deliver()
        sms.refresh_from_db()
        assert sms.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert sms.status == Status.PENDING
            waits.append(sms.next_attempt_at - now)
            with clock.frozen(sms.next_attempt_at - dt.timedelta(seconds=1)):
                assert messages_deliver().retrying == []  # not due yet: not tried
            now = sms.next_attempt_at
    assert waits == [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits == sorted(waits) and waits[1] == 2 * waits[0]
    assert sms.status == Status.FAILED and "HTTP 503" in sms.last_error
    assert len(gateway.requests) == MAX_ATTEMPTS


def test_a_claimed_message_is_not_sent_again_by_a_second_worker(setup, gateway):
    """While one worker holds the lease (next_attempt_at moved ahead), another finds nothing."""
    with clock.frozen(MONDAY):
        messages_enqueue(
            notices=[
                Notice(
                    kind=MessageKind.CASE_SUBMITTED,
                    recipients=[applicant_recipient(setup.applicant.pk)],
                    context={"case_title": "事项"},
                )
            ]
        )
        first = messages_deliver()
        second = messages_deliver()
    assert len(first.sent) == 1 and second.sent == [] and len(gateway.accepted) == 1


def test_the_admin_retries_a_failed_message_now(
    client, setup, gateway, django_capture_on_commit_callbacks
):
    gateway.status = 500
    with clock.frozen(MONDAY):
        messages_enqueue(
            notices=[
                Notice(
                    kind=MessageKind.CASE_ACCEPTED,
                    recipients=[applicant_recipient(setup.applicant.pk)],
                    case_number="N-9",
                    context={"case_title": "事项", "due_on": "2026-11-09"},
                )
            ]
        )
        messages_deliver()
    sms = Message.objects.get(channel=Channel.SMS)
    Message.objects.filter(pk=sms.pk).update(status=Status.FAILED, attempts=MAX_ATTEMPTS)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456!")
    client.force_login(admin)
    changelist = reverse("admin:notifications_message_changelist")
    page = client.get(changelist, {"status__exact": "failed", "channel__exact": "sms"})
    assert page.status_code == 200 and "N-9" in page.content.decode()
    gateway.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry_now", "_selected_action": [sms.pk]}, follow=True
        )
    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert gateway.accepted == [str(sms.pk)]
    detail = client.get(reverse("admin:notifications_message_change", args=[sms.pk]))
    assert "承诺办结日期为 2026-11-09" in detail.content.decode()
