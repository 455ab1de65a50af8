"""Screenshots of the portal pages for a person to look at (not assertions).

Run with ``ONESTOP_SHOTS=/tmp/shots``; skipped otherwise. The PNGs are not committed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onestop.cases.models import Case
from onestop.cases.states import CaseState
from onestop.demo.loader import demo_load

SHOTS = os.environ.get("ONESTOP_SHOTS", "")
pytestmark = pytest.mark.skipif(not SHOTS, reason="set ONESTOP_SHOTS=<dir> to take screenshots")

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ANSWERS = (
    "a-enterprise_type=company&a-needs_seal=yes&a-needs_invoices=yes"
    "&a-sells_food=yes&a-hires_staff=no"
)


def test_screenshots(transactional_db, settings, tmp_path, login, live_server):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load()
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    lang = os.environ.get("ONESTOP_SHOTS_LANG", "")
    busy = (
        Case.objects.filter(
            applicant__user__username="enterprise", state=CaseState.IN_PROGRESS
        ).first()
        or Case.objects.filter(applicant__user__username="enterprise").first()
    )
    for size, viewport in SIZES.items():
        page = login("enterprise", "onestop-demo", viewport=viewport)
        if lang:
            page.goto("/")
            page.click(f"button[name=language][value={lang}]")
            page.wait_for_load_state()
        suffix = f"{size}{'-' + lang if lang else ''}"
        pages = {
            "home": "/",
            "search": "/search/?q=开饭店",
            "noresult": "/search/?q=量子计算机",
            "guide": f"/packages/4309YJS0101/?{ANSWERS}",
            "my-cases": "/my/cases/",
            "case": f"/my/cases/{busy.number}/",
        }
        for name, url in pages.items():
            page.goto(url)
            page.screenshot(path=str(out / f"portal-{name}-{suffix}.png"), full_page=True)
        page.goto(f"/packages/4309YJS0101/?{ANSWERS}")
        page.emulate_media(media="print")
        page.screenshot(path=str(out / f"portal-guide-print-{suffix}.png"), full_page=True)
        page.emulate_media(media="screen")
        page.goto(f"/packages/4309YJS0101/apply/?{ANSWERS}")
        page.fill("#id-f-contact_phone", "123")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=str(out / f"portal-apply-errors-{suffix}.png"), full_page=True)
