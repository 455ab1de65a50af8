"""Downloads of the dashboard: the report as PDF and its tables as XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from onestop.core import pdf
from onestop.stats import selectors
from onestop.stats.selectors import Figures, Row, TrendPoint


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def headline(f: Figures) -> list[tuple[str, str]]:
    """The headline figures as (label, text), in the order the dashboard shows them."""
    ratings = (
        _("暂无数据")
        if f.ratings is None
        else _("%(n)d 条，好评率 %(rate)s")
        % {"n": f.ratings.total, "rate": _pct(f.ratings.good_rate)}
    )
    return [
        (_("收件"), str(f.received)),
        (_("受理（办件）"), str(f.accepted)),
        (_("办结"), str(f.completed)),
        (_("按时办结率"), _pct(f.on_time_rate)),
        (_("平均用时 / 承诺时限（工作日）"), f"{_num(f.avg_used_days)} / {_num(f.avg_limit_days)}"),
        (_("用时 P90（工作日）"), "—" if f.p90_used_days is None else str(f.p90_used_days)),
        (_("超期办结"), str(f.late)),
        (_("当前超期在办"), str(f.overdue_open)),
        (_("特别程序 / 延期"), f"{f.pauses} / {f.extensions}"),
        (_("每件补正次数"), _num(f.corrections_per_case, 2)),
        (_("即办件占比"), _pct(f.immediate_share)),
        (_("企业办件"), str(f.enterprise_accepted)),
        (_("企业网上办理"), str(f.online_enterprise_accepted)),
        (_("企业网办率"), _pct(f.online_rate)),
        (_("全部网办率"), _pct(f.online_rate_all)),
        (_("一件事一次办"), str(f.package_accepted)),
        (
            _("“2、5、6”限时办结达标率"),
            _("%(rate)s（%(met)d / %(n)d）")
            % {"rate": _pct(f.sla_rate), "met": f.sla_met, "n": f.sla_completed},
        ),
        (
            _("村级30分钟办结率"),
            _("%(rate)s（%(met)d / %(n)d）")
            % {"rate": _pct(f.minutes_rate), "met": f.minutes_met, "n": f.minutes_completed},
        ),
        (_("跨域通办"), str(f.cross_domain_accepted)),
        (_("村（社区）便民服务站办结"), str(f.village_completed)),
        (_("咨询（人次）"), str(f.consultations)),
        (_("网办深度Ⅲ级 / Ⅳ级事项"), f"{f.depth_3} / {f.depth_4}"),
        (
            _("Ⅲ级及以上占比（目标%(target)s）") % {"target": _pct(selectors.depth_target())},
            _pct(f.depth_share),
        ),
        (_("好差评"), ratings),
    ]


ROW_HEADER = (
    gettext_lazy("名称"),
    gettext_lazy("收件"),
    gettext_lazy("受理"),
    gettext_lazy("办结"),
    gettext_lazy("按时办结率"),
    gettext_lazy("平均用时"),
    gettext_lazy("网办率"),
)


def row_cells(r: Row) -> list[Any]:
    return [
        r.label,
        r.received,
        r.accepted,
        r.completed,
        _pct(r.on_time_rate),
        _num(r.avg_used_days),
        _pct(r.online_rate),
    ]


def report_pdf(
    *,
    figures: Figures,
    paragraph: str,
    breakdowns: dict[str, list[Row]],
    trend: Sequence[TrendPoint],
) -> bytes:
    title = _("%(region)s政务服务统计") % {"region": figures.region.name}
    period = f"{figures.period.start:%Y-%m-%d} — {figures.period.end:%Y-%m-%d}"
    flow: list[Any] = [pdf.para(title, "title"), pdf.para(period, "subtitle"), pdf.Spacer(1, 12)]
    flow.append(pdf.para(paragraph))
    flow.append(pdf.para(_("主要指标"), "h2"))
    flow.append(pdf.table([_("指标"), _("数值")], headline(figures), [95, 75]))
    for name, rows in breakdowns.items():
        flow.append(pdf.para(name, "h2"))
        flow.append(
            pdf.table(
                [str(h) for h in ROW_HEADER],
                ([str(c) for c in row_cells(r)] for r in rows[:40]),
                [50, 18, 18, 18, 24, 20, 22],
            )
        )
    flow.append(pdf.para(_("趋势"), "h2"))
    flow.append(
        pdf.table(
            [_("起始日"), _("收件"), _("受理"), _("办结")],
            (
                [f"{p.start:%Y-%m-%d}", str(p.received), str(p.accepted), str(p.completed)]
                for p in trend
            ),
            [50, 40, 40, 40],
        )
    )
    return pdf.render(flow, title=title)


def tables_xlsx(
    *, figures: Figures, breakdowns: dict[str, list[Row]], trend: Sequence[TrendPoint]
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("概览")
    sheet.append([_("区划"), figures.region.name, figures.region.code])
    sheet.append([_("期间"), f"{figures.period.start:%Y-%m-%d}", f"{figures.period.end:%Y-%m-%d}"])
    sheet.append([])
    sheet.append([_("指标"), _("数值")])
    for label, value in headline(figures):
        sheet.append([label, value])
    for name, rows in breakdowns.items():
        ws = book.create_sheet(name[:31])
        ws.append([str(h) for h in ROW_HEADER])
        for r in rows:
            ws.append(row_cells(r))
        for cell in ws[1]:
            cell.font = Font(bold=True)
    ws = book.create_sheet(_("趋势"))
    ws.append([_("起始日"), _("收件"), _("受理"), _("办结"), _("网上受理")])
    for p in trend:
        ws.append([p.start, p.received, p.accepted, p.completed, p.online_accepted])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BREAKDOWN_TITLES = {
    "region": gettext_lazy("按区划"),
    "channel": gettext_lazy("按渠道"),
    "department": gettext_lazy("按部门"),
    "item": gettext_lazy("按事项"),
    "hall": gettext_lazy("按大厅"),
    "officer": gettext_lazy("按人员"),
}


def all_breakdowns(*, region_code: str, period: selectors.Period) -> dict[str, list[Row]]:
    return {
        str(title): selectors.figures_breakdown(region_code=region_code, period=period, by=by)
        for by, title in BREAKDOWN_TITLES.items()
    }
