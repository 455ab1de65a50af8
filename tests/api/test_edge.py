"""Text no part of the platform may store is refused at the edge (core/middleware.py): NUL
(a 500 on PostgreSQL before, even without a login), other control characters, lone
surrogates and bidi overrides (stored silently before) — 422 problem+json naming the field
under /api/, a page elsewhere. Multipart without a boundary is 400, and Django's own 404 and
405 under /api/ are problem+json."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onestop.cases.models import Case
from tests.cases.api.conftest import application, assert_problem
from tests.factories.accounts import UserFactory
from tests.factories.cases import PDF

FORBIDDEN = {
    "nul": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "delete": "\x7f",
    "c1_next_line": "\x85",
    "lone_surrogate": "\ud800",
    "right_to_left_override": "\u202e",
    "left_to_right_embedding": "\u202a",
    "first_strong_isolate": "\u2068",
    "pop_directional_isolate": "\u2069",
}
CHARS = pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
# A lone surrogate cannot be encoded into a multipart body (its UTF-8 form, bytes that are
# not UTF-8, Django's parser replaces with U+FFFD); the urlencoded test sends those bytes.
SENDABLE = {name: char for name, char in FORBIDDEN.items() if name != "lone_surrogate"}
SENDABLE_CHARS = pytest.mark.parametrize("char", SENDABLE.values(), ids=SENDABLE.keys())


def refused(response, field: str) -> dict:
    body = assert_problem(response, 422)
    assert body["code"] == "invalid_characters"
    assert body["field"] == field
    assert body["type"].endswith("/invalid_characters")
    assert body["title"] and body["detail"]
    return body


# ----------------------------------------------------------------------------- JSON bodies


@CHARS
def test_the_token_endpoint_refuses_them_without_a_login(db, char):
    response = Client().post(
        "/api/auth/token",
        {"username": f"x{char}", "password": "p"},
        content_type="application/json",
    )
    refused(response, "/username")


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", ""])
def test_a_json_body_under_another_content_type_is_checked_too(db, content_type):
    """django-ninja parses any body as JSON, whatever the content type says."""
    response = Client().post(
        "/api/auth/token",
        '{"username": "x\\u0000", "password": "p"}',
        content_type=content_type,
    )
    refused(response, "/username")


def test_a_lone_surrogate_escape_in_json_is_refused(db):
    response = Client().post(
        "/api/auth/token",
        '{"username": "\\ud800", "password": "p"}',
        content_type="application/json",
    )
    refused(response, "/username")


def test_nested_values_and_keys_are_named_by_json_pointer(setup, people):
    owner = people.api("owner")
    body = application(setup)
    key = next(iter(body["form_data"]))
    body["form_data"][key] = "某某\u202e公司"
    refused(owner.post("/api/cases", body), f"/form_data/{key}")

    body = application(setup)
    body["materials"][1]["key"] = "lease\x00"
    refused(owner.post("/api/cases", body), "/materials/1/key")

    body = application(setup)
    body["answers"]["a/b\x00"] = True
    refused(owner.post("/api/cases", body), "/answers/a~1b\\u0000")

    assert not Case.objects.exists()


@pytest.mark.parametrize("allowed", ["a\tb", "第一行\n第二行", "a\r\nb", "中文", "émoji 😀"])
def test_tab_newlines_and_ordinary_text_pass(db, allowed):
    UserFactory(username=allowed)
    response = Client().post(
        "/api/auth/token",
        {"username": allowed, "password": "demo-pass-123"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_a_body_that_is_not_json_is_still_the_views_answer(db):
    response = Client().post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json().get("code") != "invalid_characters"


def test_a_deeply_nested_body_does_not_break_the_check(db):
    body = "[" * 100_000 + "]" * 100_000
    response = Client().post("/api/auth/token", body, content_type="application/json")
    assert response.status_code < 500


def test_a_body_over_the_limit_is_left_to_the_413(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        "/api/auth/token",
        {"username": "\x00" * 2000, "password": "p"},
        content_type="application/json",
    )
    assert_problem(response, 413)


# ---------------------------------------------------------------------- paths and queries


@pytest.mark.parametrize("raw", ["%00", "%07", "%E2%80%AE", "%ED%A0%80", "%FF", "a%00b"])
def test_query_parameters_are_checked_as_sent(db, raw):
    refused(Client().get(f"/api/regions/?under={raw}"), "under")


@pytest.mark.parametrize("raw", ["a%00b", "a%ED%A0%80b", "a%E2%80%AEb", "a%7Fb"])
def test_the_path_is_checked(db, raw):
    refused(Client().get(f"/api/catalog/packages/{raw}"), "path")


def test_an_ordinary_query_passes(db):
    assert Client().get("/api/regions/?under=430903&x=%E4%B8%AD+%E6%96%87").status_code != 422


# ------------------------------------------------------------------------------- forms


@SENDABLE_CHARS
def test_a_multipart_login_form_is_refused_with_a_page(db, char):
    response = Client().post("/accounts/login/", {"username": f"a{char}", "password": "x"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "输入含有不允许的字符" in html
    assert '<html lang="zh-hans">' in html


@pytest.mark.parametrize("raw", ["a%00b", "%ED%A0%80", "a%E2%80%AE"])
def test_an_urlencoded_form_is_checked_as_sent(db, raw):
    response = Client().post(
        "/accounts/login/",
        f"username={raw}&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert "输入含有不允许的字符" in response.content.decode()


def test_the_page_is_in_english_for_an_english_reader(db):
    response = Client().post(
        "/accounts/login/",
        {"username": "a\x00", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Input contains characters that are not allowed" in response.content.decode()


def test_the_api_problem_is_in_english_for_an_english_client(db):
    response = Client().get("/api/regions/?under=%00", headers={"Accept-Language": "en"})
    body = refused(response, "under")
    assert body["title"] == "Input contains characters that are not allowed"


def test_the_ordinary_login_form_still_works(db):
    UserFactory(username="someone")
    response = Client().post("/accounts/login/", {"username": "someone", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


# ----------------------------------------------------------------------------- uploads


def test_file_contents_are_not_checked(setup, people):
    case = setup.tolerated()
    upload = SimpleUploadedFile("租赁合同.pdf", PDF + b"\x00\x07\xed\xa0\x80", "application/pdf")
    response = people.api("owner").upload(f"/api/cases/{case.pk}/materials/lease", {"file": upload})
    assert response.status_code == 200, response.content


def test_multipart_without_a_boundary_is_400(setup, people):
    case = setup.tolerated()
    owner = people.api("owner")
    response = owner.client.post(
        f"/api/cases/{case.pk}/materials/lease",
        b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
        content_type="multipart/form-data",
        headers=owner.headers,
    )
    body = assert_problem(response, 400)
    assert body["code"] == "invalid_multipart"
    assert "multipart" in body["title"]


def test_multipart_without_a_boundary_on_a_page_is_400(db):
    response = Client().post("/accounts/login/", b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "multipart" in response.content.decode()


# ------------------------------------------------------------------- Django's own answers


@pytest.mark.parametrize(
    "url", ["/api/nope", "/api/cases/abc", "/api/cases/1/nothing", "/api/regions/x/y/z"]
)
def test_an_unknown_api_path_is_a_404_problem(db, url):
    body = assert_problem(Client().get(url), 404)
    assert body["code"] == "not_found"


def test_a_wrong_method_is_a_405_problem_with_allow(db):
    response = Client().get("/api/auth/token")
    body = assert_problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_without_the_edge_the_api_still_answers_400_for_bad_multipart(setup, people, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("EdgeMiddleware")]
    case = setup.tolerated()
    owner = people.api("owner")
    response = owner.client.post(
        f"/api/cases/{case.pk}/materials/lease",
        b"x",
        content_type="multipart/form-data",
        headers=owner.headers,
    )
    assert assert_problem(response, 400)["code"] == "invalid_multipart"
