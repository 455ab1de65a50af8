"""Home, search, the package guide (一次告知) with its PDF, and single items."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.selectors import applicant_get_for_user
from onestop.cases.services.plans import channel_refusal
from onestop.cases.states import Channel
from onestop.catalog.models import (
    PackageVersion,
    SubjectKind,
)
from onestop.catalog.selectors import (
    item_search_queryset,
    item_version_by_code,
    package_versions_published,
)
from onestop.certificates.wallet import WalletLicence, wallet_offers
from onestop.core import pdf
from onestop.portal.guide import Guide, answer_label, answers_from, guide_build, material_tags
from onestop.portal.search import catalogue_search
from onestop.portal.templatetags.portal_ui import material_form
from onestop.portal.views._common import (
    is_htmx,
    package_or_404,
)
from onestop.workdays.units import time_limit_text

# --------------------------------------------------------------------------- home, search


def home(request: HttpRequest) -> HttpResponse:
    """个人办事 / 企业办事: published packages by life event, then single items."""
    groups: dict[str, dict[str, list[PackageVersion]]] = {
        SubjectKind.PERSON: defaultdict(list),
        SubjectKind.ENTERPRISE: defaultdict(list),
    }
    for pv in package_versions_published():
        groups.setdefault(pv.subject_kind, defaultdict(list))[pv.life_event or _("其他")].append(pv)
    items = list(
        item_search_queryset("").select_related("item", "department").order_by("name")[:60]
    )
    sections = [
        (_("个人办事"), "person", dict(groups[SubjectKind.PERSON])),
        (_("企业办事"), "enterprise", dict(groups[SubjectKind.ENTERPRISE])),
    ]
    return render(request, "portal/home.html", {"sections": sections, "items": items})


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    hits = catalogue_search(query) if query else []
    return render(request, "portal/search.html", {"query": query, "hits": hits})


# ------------------------------------------------------------------------- package guide


def package(request: HttpRequest, code: str) -> HttpResponse:
    """The situation questions and the one-time notification guide for the answers given."""
    package_version = package_or_404(code)
    guide = guide_build(package_version, answers_from(request.GET, package_version))
    materials = guide.plan.materials if guide.plan is not None else []
    context = {
        "pv": package_version,
        "guide": guide,
        "wallet": _wallet(request, [m.key for m in materials]),
    }
    if is_htmx(request):
        return render(request, "portal/_guide.html", context)
    return render(request, "portal/package.html", context)


def _fees_text(guide: Guide) -> str:
    plan = guide.plan
    assert plan is not None
    if not plan.fees:
        return _("不收费")
    text = _("合计 %(total)s 元") % {"total": plan.fees_total}
    if plan.has_unpriced_fees:
        text += _("（另有按标准计收的费用）")
    return text


def guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The guide as an A4 PDF (一次告知书) with a Chinese file name."""
    package_version = package_or_404(code)
    guide = guide_build(package_version, answers_from(request.GET, package_version))
    if guide.plan is None:
        messages.error(request, guide.error or _("请先回答全部情形问题，再下载办事指南。"))
        return redirect(reverse("portal:package", args=[code]) + "?" + guide.query)
    plan = guide.plan
    flow: list[Any] = [
        pdf.para(_("一次告知书"), "title"),
        pdf.para(package_version.name, "subtitle"),
        pdf.para(_("您的情形"), "h2"),
    ]
    flow.extend(pdf.para(f"{q.question.text}　{answer_label(q)}") for q in guide.questions)
    flow.append(pdf.para(_("需要办理的事项"), "h2"))
    flow.append(
        pdf.table(
            [_("事项"), _("办理部门"), _("承诺时限")],
            [
                [
                    p.item_version.name,
                    p.item_version.department.name,
                    time_limit_text(p.item_version.promised_days, p.item_version.promised_unit),
                ]
                for p in plan.items
            ],
            [80, 55, 35],
        )
    )
    flow.append(pdf.para(_("申请材料（已合并去重）"), "h2"))
    flow.append(
        pdf.table(
            [_("材料"), _("形式与份数"), _("说明")],
            [
                [
                    m.name,
                    material_form(m),
                    "；".join(label for _css, label in material_tags(m)),
                ]
                for m in plan.materials
            ],
            [70, 40, 60],
        )
    )
    flow.append(pdf.para(_("时限、收费与跑动次数"), "h2"))
    flow.append(
        pdf.para(
            _("承诺办结时限：%(limit)s；收费：%(fees)s；到现场次数：%(visits)s 次")
            % {
                "limit": time_limit_text(plan.promised_days, plan.promised_unit),
                "fees": _fees_text(guide),
                "visits": plan.visits,
            }
        )
    )
    if guide.halls:
        flow.append(pdf.para(_("办理地点"), "h2"))
        flow.extend(
            pdf.para(f"{h.name}　{h.address}　{h.opening_hours}　{_('电话')} {h.phone}")
            for h in guide.halls
        )
    body = pdf.render(flow, title=f"{package_version.name} · {_('一次告知书')}")
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"{package_version.name}-一次告知书.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"guide-{code}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def item(request: HttpRequest, code: str) -> HttpResponse:
    """A single item's guide (no situation questions)."""
    item_version = item_version_by_code(code)
    if item_version is None:
        raise Http404(_("没有找到该事项，或它尚未发布。"))
    prefetch_related_objects([item_version], "materials", "fees")
    return render(
        request,
        "portal/item.html",
        {
            "iv": item_version,
            "online_refusal": channel_refusal(item_version, Channel.ONLINE),
            "wallet": _wallet(request, [m.key for m in item_version.materials.all()]),
        },
    )


def _wallet(request: HttpRequest, material_keys: list[str]) -> dict[str, WalletLicence]:
    """The signed-in applicant's certificates that stand for these materials (数据跑路):
    the guide says they need not bring them."""
    if not request.user.is_authenticated:
        return {}
    return wallet_offers(applicant_get_for_user(request.user), material_keys)
