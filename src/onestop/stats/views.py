"""Pages of stats: the dashboard (统计分析, STATS_VIEW), its downloads, and the
consultation register (咨询登记, CONSULTATION_RECORD)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.core.errors import DomainError
from onestop.evaluations import selectors as rating_selectors
from onestop.regions.models import Region
from onestop.stats import charts, documents, selectors, services
from onestop.stats.forms import ConsultationForm, FilterForm
from onestop.stats.selectors import Period
from onestop.workbench.access import staff_with

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest, staff: Staff) -> tuple[FilterForm, Region, Period, str]:
    """The region, period and step asked for; a bad one is shown at its field and the
    default (the member's own region, this year, by month) is used meanwhile."""
    form = FilterForm(request.GET or None)
    region, period, step = staff.region, selectors.period_clean(None, None), "month"
    if form.is_bound and form.is_valid():
        period, step = form.period, form.cleaned_data["step"]
        try:
            region = selectors.region_viewable(staff, form.cleaned_data["region"])
        except DomainError as exc:
            form.add_domain_error(exc)
    return form, region, period, step


@staff_with(Permission.STATS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    form, region, period, step = _filters(request, staff)
    figures = selectors.figures_summary(region_code=region.code, period=period)
    trend = selectors.figures_trend(region_code=region.code, period=period, step=step)
    by = {
        by: selectors.figures_breakdown(region_code=region.code, period=period, by=by)
        for by in ("region", "channel", "department")
    }
    context: dict[str, Any] = {
        "nav": "stats",
        "form": form,
        "region": region,
        "period": period,
        "step": step,
        "figures": figures,
        "headline": documents.headline(figures),
        "paragraph": selectors.press_release_text(region_code=region.code, period=period),
        "trend": trend,
        "trend_columns": charts.columns([(f"{p.start:%Y-%m-%d}", p.accepted) for p in trend]),
        "trend_box": (charts.TREND_WIDTH, charts.TREND_HEIGHT),
        "charts": [
            _chart(_("按区划"), "region", by["region"]),
            _chart(_("按渠道"), "channel", by["channel"]),
            _chart(_("按部门"), "department", by["department"][:15]),
        ],
        "on_time_gauge": charts.gauge(figures.on_time_rate),
        "rating_gauge": charts.gauge(figures.ratings.good_rate if figures.ratings else None),
        "sla_gauge": charts.gauge(figures.sla_rate),
        "sla_rows": selectors.package_sla_rows(region_code=region.code, period=period),
        "proxy_counters": selectors.proxy_counters(region_code=region.code),
        "minutes_gauge": charts.gauge(figures.minutes_rate),
        "minutes_rows": selectors.village_minutes_rows(region_code=region.code, period=period),
        # 月度排名 of the last whole month up to the period's end (DOMAIN.md §1.6).
        "ranking": rating_selectors.ranking_cached(
            region_code=region.code, month=rating_selectors.ranking_month(period.end)
        ),
        "query": request.GET.urlencode(),
    }
    return render(request, "stats/dashboard.html", context)


def _chart(title: str, key: str, rows: list[selectors.Row]) -> tuple[Any, ...]:
    items = charts.bars([(r.label, r.accepted) for r in rows])
    return (title, key, rows, items, charts.bars_height(items))


def _download_parts(
    request: HttpRequest,
) -> tuple[selectors.Figures, dict[str, list[selectors.Row]], list[selectors.TrendPoint]]:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    _form, region, period, step = _filters(request, staff)
    figures = selectors.figures_summary(region_code=region.code, period=period)
    breakdowns = documents.all_breakdowns(region_code=region.code, period=period)
    trend = selectors.figures_trend(region_code=region.code, period=period, step=step)
    return figures, breakdowns, trend


def _filename(figures: selectors.Figures, ext: str) -> str:
    return f"stats-{figures.region.code}-{figures.period.start:%Y%m%d}-{figures.period.end:%Y%m%d}.{ext}"


@staff_with(Permission.STATS_VIEW)
def report_pdf(request: HttpRequest) -> HttpResponse:
    figures, breakdowns, trend = _download_parts(request)
    paragraph = selectors.press_release_text(region_code=figures.region.code, period=figures.period)
    body = documents.report_pdf(
        figures=figures, paragraph=paragraph, breakdowns=breakdowns, trend=trend
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "pdf")}"'
    return response


@staff_with(Permission.STATS_VIEW)
def tables_xlsx(request: HttpRequest) -> HttpResponse:
    figures, breakdowns, trend = _download_parts(request)
    body = documents.tables_xlsx(figures=figures, breakdowns=breakdowns, trend=trend)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "xlsx")}"'
    return response


@staff_with(Permission.CONSULTATION_RECORD)
def consultations(request: HttpRequest) -> HttpResponse:
    """登记咨询: a short form and the latest enquiries of the member's region."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consultation_record(
                    staff=staff,
                    channel=data["channel"],
                    topic=data["topic"],
                    item=data["item"],
                    idempotency_key=data["key"] or None,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("已登记一条咨询。"))
                return redirect("stats:consultations")
    else:
        form = ConsultationForm(initial={"key": ConsultationForm.fresh_key()})
    context = {
        "nav": "consultations",
        "form": form,
        "key": form["key"].value() or ConsultationForm.fresh_key(),
        "recent": selectors.consultation_list_for(staff),
    }
    return render(request, "stats/consultations.html", context)
