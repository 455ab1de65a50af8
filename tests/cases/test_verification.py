"""The notice verification page: only the signed token of a notice's QR code opens it.

Case numbers are sequential per region and day, so a page keyed by the number alone let a
stranger walk a village's cases (service, masked name, state). Now the number shows nothing,
a tampered or foreign token is the same 404, and the PDF's QR code carries the token.
"""

from __future__ import annotations

import re

import pytest
import segno
from django.core import signing
from django.test import override_settings
from django.urls import reverse

from onestop.cases import notices, services
from onestop.cases.notices import (
    NOTICE_TOKEN_SALT,
    NoticeKind,
    notice_data,
    notice_pdf,
    notice_token,
    notice_token_read,
)
from tests.cases.test_notices import text_of

pytestmark = pytest.mark.django_db


def page(response) -> str:
    """The body without the per-response CSRF tokens."""
    body = response.content.decode()
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def verify(client, token: str):
    return client.get(reverse("cases:verify", args=[token]))


def test_sequential_case_numbers_reveal_nothing(setup, client):
    cases = [setup.accepted() for _ in range(3)]
    unknown = client.get("/cases/430903000000-20990101-99999/")
    assert unknown.status_code == 404
    for case in cases:
        response = client.get(f"/cases/{case.number}/")
        assert response.status_code == 404
        body = page(response)
        assert case.title not in body and "办理中" not in body
        # the same page as any unknown address (the layout echoes the path in its links)
        assert body == page(unknown).replace("430903000000-20990101-99999", case.number)


def test_the_token_opens_only_its_notice_and_shows_what_verification_needs(setup, client):
    case = setup.accepted()
    response = verify(client, notice_token(case, NoticeKind.ACCEPTED))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and "我要开办企业" in body and "受理通知书" in body
    assert "真实有效" in body and "办理中" in body
    assert setup.applicant.name not in body
    assert setup.applicant.id_number not in body and setup.applicant.phone not in body
    # a token for a notice the case never had is refused like any other
    assert verify(client, notice_token(case, NoticeKind.REJECTED)).status_code == 404


def test_a_tampered_or_foreign_token_is_refused(setup, client):
    case = setup.accepted()
    other = setup.accepted()
    token = notice_token(case, "accepted")
    value, signature = token.split(":")
    assert verify(client, f"{other.pk}.accepted:{signature}").status_code == 404
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert verify(client, f"{value}:{flipped}").status_code == 404
    assert verify(client, value).status_code == 404
    assert verify(client, str(case.pk)).status_code == 404
    # signed with another salt (another part of the platform) or another key
    foreign = signing.Signer(salt="onestop.workbench.intake.applicant").sign(value)
    assert verify(client, foreign).status_code == 404
    with override_settings(SECRET_KEY="another-key-" * 5):
        forged = signing.Signer(salt=NOTICE_TOKEN_SALT).sign(value)
    assert verify(client, forged).status_code == 404
    assert notice_token_read(token) == (case.pk, NoticeKind.ACCEPTED)
    assert notice_token_read(f"{case.pk}.certificate:{signature}") is None


def test_the_notice_pdf_encodes_the_tokenised_url(setup, client, monkeypatch):
    encoded: list[str] = []
    make = segno.make

    def recording_make(content, *args, **kwargs):
        encoded.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(notices.segno, "make", recording_make)
    case = setup.submit()
    services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="不属于本地管辖")
    client.force_login(setup.applicant.user)
    response = client.get(reverse("cases:notice", args=[case.number, "rejected"]))
    assert response.status_code == 200
    expected = "http://testserver" + reverse(
        "cases:verify", args=[notice_token(case, NoticeKind.REJECTED)]
    )
    assert encoded[0] == expected  # the QR code drawn (a rating code may follow it)
    assert expected in text_of(response.content)  # and the address printed beside it
    client.logout()
    page = client.get(expected.removeprefix("http://testserver"))
    assert page.status_code == 200 and "不予受理通知书" in page.content.decode()


def test_notice_data_carries_the_url_it_is_given(setup):
    case = setup.accepted()
    url = "https://onestop.example/cases/verify/" + notice_token(case, "accepted") + "/"
    data = notice_data(case, NoticeKind.ACCEPTED, verify_url=url)
    assert data.verify_url == url
    assert notice_pdf(data).startswith(b"%PDF")
