"""The 二维码 channel on paper: the hand-out receipt and every notice carry a rating QR code
while the case can be rated, and the code opens the one-use public rating page."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
import segno
from django.db import transaction
from django.urls import reverse

from onestop.cases import notices
from onestop.core import clock
from onestop.evaluations import services
from onestop.evaluations.models import Rating, RatingToken
from onestop.evaluations.states import RatingChannel, RatingLevel
from onestop.workdays import calendar as workdays
from tests.cases.test_notices import text_of

pytestmark = pytest.mark.django_db

CAPTION = "扫码评价本次服务"
RATING_PATH = re.compile(r"http://testserver(/ratings/t/[A-Za-z0-9_-]{43}/)")


@pytest.fixture
def encoded(monkeypatch) -> list[str]:
    """What each QR code drawn in a PDF encodes (the real segno, watched)."""
    seen: list[str] = []
    make = segno.make

    def recording_make(content, *args, **kwargs):
        seen.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(notices.segno, "make", recording_make)
    return seen


def fetch(client, case, kind) -> bytes:
    response = client.get(reverse("cases:notice", args=[case.number, kind]))
    assert response.status_code == 200
    return response.content


def rating_links(encoded: list[str]) -> list[str]:
    """The rating pages among the QR codes drawn (paths, the host stripped)."""
    return [m.group(1) for url in encoded if (m := RATING_PATH.fullmatch(url))]


def printed(client, case, kind, encoded: list[str]) -> tuple[str | None, str]:
    """(the rating link the PDF's QR code encodes or None, the PDF's text)."""
    encoded.clear()
    text = text_of(fetch(client, case, kind))
    links = rating_links(encoded)
    assert len(links) <= 1
    link = links[0] if links else None
    if link is None:
        assert CAPTION not in text
    else:
        assert CAPTION in text and link in text  # the address printed beside the code
    return link, text


def test_the_hand_out_receipt_leads_to_a_rating_stored_once_with_channel_qr(setup, client, encoded):
    case = setup.completed()
    client.force_login(setup.clerk.user)
    done = client.post(reverse("workbench:handout_deliver", args=[case.number]), follow=True)
    receipt = reverse("cases:notice", args=[case.number, "handed_out"])
    assert receipt in done.content.decode()  # the hand-out page offers the receipt to print

    link, text = printed(client, case, "handed_out", encoded)
    assert "出件回执" in text and case.number in text and "统一出件" in text
    assert link is not None
    verify = encoded[0]
    assert "/cases/verify/" in verify  # the verification code is still the first

    client.logout()  # whoever holds the receipt, no login
    page = client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert case.title in body
    for secret in (setup.applicant.name, setup.applicant.id_number, case.number):
        assert secret not in body
    thanks = client.post(link, {"level": str(RatingLevel.VERY_SATISFIED)})
    assert "感谢您的评价" in thanks.content.decode()
    rating = Rating.objects.get(case=case)
    assert rating.channel == RatingChannel.QR and rating.level == RatingLevel.VERY_SATISFIED
    again = client.post(link, {"level": str(RatingLevel.SATISFIED)})
    assert "已使用" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1


def test_every_notice_of_a_case_that_can_be_rated_carries_the_rating_code(setup, client, encoded):
    client.force_login(setup.applicant.user)
    accepted = setup.accepted()
    link, text = printed(client, accepted, "accepted", encoded)
    assert link is not None and "受理通知书" in text
    rejected = setup.case_in("rejected")
    link, text = printed(client, rejected, "rejected", encoded)
    assert link is not None and "不予受理通知书" in text


def test_a_case_not_yet_accepted_gets_no_rating_code(setup, client, encoded):
    case = setup.case_in("correction_requested")
    client.force_login(setup.applicant.user)
    link, text = printed(client, case, "correction", encoded)
    assert link is None and "补正告知书" in text
    assert len(encoded) == 1  # the verification code only
    assert not RatingToken.objects.filter(case=case).exists()


def test_no_rating_code_once_the_case_is_rated(setup, client, encoded):
    case = setup.case_in("delivered")
    client.force_login(setup.applicant.user)
    assert printed(client, case, "handed_out", encoded)[0] is not None
    services.rating_submit(case_id=case.pk, user=setup.applicant.user, level=2)
    link, text = printed(client, case, "handed_out", encoded)
    assert link is None and "出件回执" in text
    assert printed(client, case, "accepted", encoded)[0] is None


def test_no_rating_code_once_the_rating_period_is_over(setup, client, encoded, settings):
    settings.ONESTOP_RATING_LATE_WORKDAYS = 3
    case = setup.case_in("delivered")
    client.force_login(setup.applicant.user)
    closes = workdays.deadline(case.completed_at, 3).at
    with clock.frozen(closes - dt.timedelta(minutes=1)):
        assert printed(client, case, "handed_out", encoded)[0] is not None  # 补充评价 still open
    with clock.frozen(closes + dt.timedelta(seconds=1)):
        assert printed(client, case, "handed_out", encoded)[0] is None


def test_printing_again_reuses_the_token_until_half_its_life_is_gone(
    setup, client, encoded, settings
):
    settings.ONESTOP_RATING_TOKEN_DAYS = 30
    case = setup.accepted()
    client.force_login(setup.clerk.user)
    first = printed(client, case, "accepted", encoded)[0]
    assert printed(client, case, "accepted", encoded)[0] == first
    client.force_login(setup.applicant.user)
    assert printed(client, case, "accepted", encoded)[0] == first  # whoever prints it
    assert RatingToken.objects.filter(case=case).count() == 1
    token = RatingToken.objects.get(case=case)
    assert token.channel == RatingChannel.QR

    later = token.created_at + dt.timedelta(days=15, seconds=1)
    with clock.frozen(later):
        fresh = printed(client, case, "accepted", encoded)[0]
        assert fresh != first
        assert printed(client, case, "accepted", encoded)[0] == fresh
    assert RatingToken.objects.filter(case=case).count() == 2
    client.logout()
    with clock.frozen(later):
        assert client.get(first).status_code == 200  # the older paper still works until expiry


def test_a_token_issued_in_a_transaction_that_rolls_back_leaves_nothing(setup):
    case = setup.accepted()

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        assert services.rating_link_for_paper(case) is not None
        raise Undone
    assert not RatingToken.objects.filter(case=case).exists()


def test_a_guessed_or_sequential_token_reveals_nothing(setup, client):
    case = setup.case_in("delivered")
    real = services.rating_token_for_paper(case_id=case.pk)
    assert real is not None
    assert client.get(reverse("evaluations:token", args=[real.token])).status_code == 200
    flipped = real.token[:-1] + ("A" if real.token[-1] != "A" else "B")
    guesses = [
        flipped,
        real.token[:-1],
        secrets.token_urlsafe(32),
        str(real.pk),
        str(real.pk + 1),
        str(case.pk),
        case.number,
        "1",
    ]
    for guess in guesses:
        response = client.get(reverse("evaluations:token", args=[guess]))
        assert response.status_code == 404, guess
        assert case.title not in response.content.decode()
        refused = client.post(reverse("evaluations:token", args=[guess]), {"level": "1"})
        assert refused.status_code == 404
    assert not Rating.objects.filter(case=case).exists()
