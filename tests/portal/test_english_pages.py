"""The portal's page chrome in English: no Chinese words or punctuation around the data.

Data entered in Chinese (package, item, material and department names, the signed
commitment) stays Chinese, so the tests look at the page's own labels, headings and buttons.
Some of its Chinese texts mean something else in another app's catalogue (时间, 可告知承诺,
综合受理窗口); those carry a message context so the portal's English wins.
"""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from onestop.cases.models import Case
from onestop.cases.states import CaseState

OPEN_BUSINESS = "4309YJS0101"
ANSWERS = {
    "a-enterprise_type": "company",
    "a-needs_seal": "yes",
    "a-needs_invoices": "yes",
    "a-sells_food": "no",
    "a-hires_staff": "no",
}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff60]")


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(fragment)).strip()


def all_text(html: str, pattern: str) -> list[str]:
    return [_text(m) for m in re.findall(pattern, html, re.S)]


def chrome(html: str) -> list[str]:
    """Headings h1–h3 of the page's own, table heads, buttons, tags and fact labels."""
    found = all_text(html, r"<h2\b[^>]*>(.*?)</h2>")
    found += all_text(html, r"<th\b[^>]*>(.*?)</th>")
    found += all_text(html, r"<button\b[^>]*>(.*?)</button>")
    found += all_text(html, r'<a class="button[^"]*"[^>]*>(.*?)</a>')
    found += all_text(html, r'<span class="tag[^"]*">(.*?)</span>')
    found += all_text(html, r'<div class="fact"><span class="muted">(.*?)</span>')
    return [t for t in found if t != "中文"]  # the language switch names its language


def facts(html: str) -> dict[str, str]:
    """The case page's fact boxes: label → value."""
    return {
        _text(label): _text(value)
        for label, value in re.findall(
            r'<div class="fact"><span class="muted">(.*?)</span><strong[^>]*>(.*?)</strong>',
            html,
            re.S,
        )
    }


@pytest.fixture
def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def english_as(as_user):
    def _login(username: str):
        client = as_user(username)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        return client

    return _login


def test_guide_in_english_labels_commitments_hours_and_e_licences(english, demo):
    html = english.get(f"/packages/{OPEN_BUSINESS}/", ANSWERS).content.decode()
    assert 'lang="en"' in html
    guide = html.split('id="guide"', 1)[1]
    assert [t for t in chrome(guide) if CJK.search(t)] == []
    assert "Commitment allowed" in all_text(guide, r'<span class="tag tag-commitment">(.*?)</span>')
    hall = all_text(guide, r'<div class="hall">(.*?)</div>')[0]
    assert "Hours" in hall and "Time" not in hall
    held = all_text(guide, r'<span class="small muted">(held by the government.*?)</span>')
    assert held and all(
        re.fullmatch(r"held by the government, fetched as an e-licence \(.+\)", t) for t in held
    )


def test_home_and_search_in_english(english, demo):
    home = english.get("/").content.decode()
    assert all_text(home, r"<h1\b[^>]*>(.*?)</h1>") == ["Get it done in one go"]
    assert [t for t in chrome(home) if CJK.search(t)] == []
    search = english.get("/search/", {"q": "公章"}).content.decode()
    badges = set(all_text(search, r'<span class="badge">(.*?)</span>'))
    assert badges == {"Package", "Single item"}


def test_apply_page_in_english_heads_the_form_without_chinese_punctuation(english_as, demo):
    html = (
        english_as("enterprise").get(f"/packages/{OPEN_BUSINESS}/apply/", ANSWERS).content.decode()
    )
    heading = all_text(html, r"<h1\b[^>]*>(.*?)</h1>")[0]
    assert heading == "Apply online: 我要开办企业"
    assert [t for t in chrome(html) if CJK.search(t)] == []
    assert "Commitment allowed" in all_text(html, r'<span class="tag tag-commitment">(.*?)</span>')


def _case(state: str) -> Case:
    return Case.objects.filter(state=state).select_related("applicant__user").order_by("pk").first()


def test_case_page_in_english_names_the_window_and_the_notices(english_as, demo):
    waiting = _case(CaseState.SUBMITTED) or _case(CaseState.PRE_REVIEW)
    client = english_as(waiting.applicant.user.username)
    html = client.get(f"/my/cases/{waiting.number}/").content.decode()
    assert facts(html)["Now with"] == "One-stop window"
    assert [t for t in chrome(html) if CJK.search(t)] == []

    running = _case(CaseState.IN_PROGRESS)
    client = english_as(running.applicant.user.username)
    html = client.get(f"/my/cases/{running.number}/").content.decode()
    notices = all_text(html, r'<p class="notices">(.*?)</p>')[0]
    assert notices == "Acceptance notice (PDF)"
    assert "、" not in facts(html)["Now with"]
    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    items = all_text(timeline, r"</strong>(.*?)(?:<span|</div>)")
    with_item = [t for t in items if t]
    assert with_item and all(t.startswith(": ") for t in with_item)
    assert [t for t in chrome(html) if CJK.search(t)] == []


def test_my_cases_in_english(english_as, demo):
    html = english_as("enterprise").get("/my/cases/").content.decode()
    assert all_text(html, r"<h1\b[^>]*>(.*?)</h1>") == ["My cases"]
    assert [t for t in chrome(html) if CJK.search(t)] == []
