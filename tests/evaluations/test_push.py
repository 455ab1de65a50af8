"""The push to the provincial platform against a real local HTTP server that validates every
field and is down, then up: each record arrives once, none is lost."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from onestop.core import clock
from onestop.evaluations import push, services
from onestop.evaluations.models import PushRecord
from onestop.evaluations.states import RatingLevel
from tests.evaluations.checker import problems

pytestmark = pytest.mark.django_db


class Platform:
    def __init__(self):
        self.up = False
        self.received: dict[str, dict] = {}
        self.posts = 0
        self.refused: list[list[str]] = []


@pytest.fixture
def platform(settings):
    state = Platform()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            state.posts += 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not state.up:
                self.send_response(503)
                self.end_headers()
                return
            record = json.loads(body)
            found = problems(record)
            if found or self.headers.get("Authorization") != "Bearer s3cret":
                state.refused.append(found)
                self.send_response(422)
                self.end_headers()
                self.wfile.write(json.dumps(found).encode())
                return
            state.received.setdefault(self.headers["Idempotency-Key"], record)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ONESTOP_RATING_PUSH_URL = f"http://127.0.0.1:{server.server_port}/evaluation"
    settings.ONESTOP_RATING_PUSH_TOKEN = "s3cret"
    yield state
    server.shutdown()
    server.server_close()


def _rate(setup, level=RatingLevel.SATISFIED, codes=()):
    case = setup.case_in("delivered")
    return services.rating_submit(
        case_id=case.pk, user=setup.applicant.user, level=level, indicator_codes=codes
    )


def test_records_wait_while_the_platform_is_down_and_arrive_once_when_it_is_up(
    setup, platform, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _rate(setup)
    with django_capture_on_commit_callbacks(execute=True):
        second = _rate(setup, RatingLevel.VERY_DISSATISFIED, ["202"])
    assert platform.posts == 2 and platform.received == {}
    row = PushRecord.objects.get(rating=first)
    assert row.sent_at is None and row.attempts == 1 and "503" in row.last_error
    assert push.push_due() == 0  # not due yet: backoff
    platform.up = True
    with clock.frozen(clock.now() + dt.timedelta(minutes=5)):
        assert push.push_due() == 2
        assert push.push_due() == 0
    assert set(platform.received) == {f"rating-{first.pk}", f"rating-{second.pk}"}
    bad = platform.received[f"rating-{second.pk}"]
    assert bad["satisfaction"] == 1 and bad["evalDetail"] == "202"
    assert bad["certKeyGOV"] == setup.applicant.id_number  # the platform gets the real one
    first.refresh_from_db()
    assert first.pushed_at is not None
    assert platform.refused == []


def test_a_rating_made_while_the_platform_is_up_is_pushed_after_commit(
    setup, platform, django_capture_on_commit_callbacks
):
    platform.up = True
    with django_capture_on_commit_callbacks(execute=True):
        rating = _rate(setup)
    assert list(platform.received) == [f"rating-{rating.pk}"]
    assert PushRecord.objects.get(rating=rating).sent_at is not None


def test_a_record_the_platform_refuses_is_kept_with_its_error(setup, platform, settings):
    platform.up = True
    settings.ONESTOP_RATING_DATA_SOURCE = "bad"
    rating = _rate(setup)
    assert push.push_due() == 0
    row = PushRecord.objects.get(rating=rating)
    assert row.sent_at is None and "422" in row.last_error and "dataSource" in row.last_error


def test_the_admin_shows_the_rater_masked_and_retries_a_push(setup, client, platform):
    from django.contrib.auth import get_user_model

    rating = _rate(setup)
    admin_user = get_user_model().objects.create_superuser("root", "r@x.invalid", "pw-123456!")
    client.force_login(admin_user)
    page = client.get(f"/admin/evaluations/rating/{rating.pk}/change/").content.decode()
    assert setup.applicant.id_number not in page and setup.applicant.id_number[-4:] in page
    row = PushRecord.objects.get(rating=rating)
    PushRecord.objects.filter(pk=row.pk).update(next_attempt_at=clock.now() + dt.timedelta(hours=1))
    client.post(
        "/admin/evaluations/pushrecord/",
        {"action": "retry_now", "_selected_action": [row.pk]},
    )
    platform.up = True
    assert push.push_due() == 1
