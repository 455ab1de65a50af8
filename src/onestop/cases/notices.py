"""Notices to the applicant as PDFs: 受理通知书, 补正告知书 (一次性告知), 不予受理通知书, and the
出件回执 (hand-out receipt).

A notice says only what the case and its event log say: the accepting event carries the
tolerated (容缺) materials and their supplement dates, the correction event the materials
asked for and the note, the rejection event the reason, the hand-out event its date and
note. A notice whose event never happened does not exist (``NotFound``). Each carries a QR
code of its verification URL and, when the case can be rated at the moment it is printed,
a second one of its rating link (``cases.rating_links``, which the evaluations app fills:
the rules of who may rate when are theirs).

The verification URL is ``/cases/verify/<token>/``: the token is signed (``django.core.
signing``, salt ``NOTICE_TOKEN_SALT``) over the case id and the notice kind, so only someone
holding the notice can open the page, and case numbers, which are sequential per region and
day, reveal nothing on their own. Rotating ``SECRET_KEY`` invalidates printed QR codes
unless the old key is kept in ``SECRET_KEY_FALLBACKS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import segno
from django.core import signing
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from onestop.cases.models import Case, CaseEvent
from onestop.cases.selectors import case_due_dates
from onestop.cases.states import EventKind
from onestop.core import clock, pdf
from onestop.core.errors import NotFound
from onestop.workdays.units import TimeUnit


class NoticeKind(models.TextChoices):
    ACCEPTED = "accepted", gettext_lazy("受理通知书")
    CORRECTION = "correction", gettext_lazy("补正告知书")
    REJECTED = "rejected", gettext_lazy("不予受理通知书")
    HANDED_OUT = "handed_out", gettext_lazy("出件回执")


_EVENT_OF = {
    NoticeKind.ACCEPTED: EventKind.ACCEPTED,
    NoticeKind.CORRECTION: EventKind.CORRECTION_REQUESTED,
    NoticeKind.REJECTED: EventKind.REJECTED,
    NoticeKind.HANDED_OUT: EventKind.HANDED_OUT,
}
_KIND_OF = {event: kind for kind, event in _EVENT_OF.items()}


@dataclass(frozen=True)
class ToleratedMaterial:
    name: str
    due_on: dt.date


@dataclass(frozen=True)
class NoticeData:
    """Everything one notice prints (built from the case and one of its events)."""

    kind: NoticeKind
    case_number: str
    case_title: str
    applicant_name: str
    applicant_identifier: str  # masked
    issued_at: dt.datetime
    office: str  # the accepting hall (or region)
    department: str  # the lead department
    promised: str  # "5个工作日"
    verify_url: str
    due_on: dt.date | None = None
    materials: list[str] = field(default_factory=list)  # 补正: everything asked for at once
    note: str = ""
    reason: str = ""
    tolerated: list[ToleratedMaterial] = field(default_factory=list)
    outcome: str = ""  # 出件回执: the decision handed out
    completed_at: dt.datetime | None = None
    rating_url: str = ""  # the second QR code; "" when the case cannot be rated now

    @property
    def title(self) -> str:
        return str(self.kind.label)


NOTICE_TOKEN_SALT = "onestop.cases.notice-verify"  # noqa: S105 - a salt, not a secret


def notice_token(case: Case, kind: NoticeKind | str) -> str:
    """The unguessable part of a notice's verification URL: ``<case id>.<kind>:<signature>``."""
    return signing.Signer(salt=NOTICE_TOKEN_SALT).sign(f"{case.pk}.{NoticeKind(kind).value}")


def notice_token_read(token: str) -> tuple[int, NoticeKind] | None:
    """(case id, notice kind) of a genuine token; ``None`` for a tampered or foreign one."""
    try:
        value = signing.Signer(salt=NOTICE_TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    case_id, _dot, kind = value.partition(".")
    if not case_id.isdigit() or kind not in NoticeKind.values:
        return None
    return int(case_id), NoticeKind(kind)


def notice_issued_at(case: Case, kind: NoticeKind | str) -> dt.datetime | None:
    """When the notice was issued (its latest event of that kind), ``None`` if it never was."""
    return (
        CaseEvent.objects.filter(case=case, kind=_EVENT_OF[NoticeKind(kind)])
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )


def notice_kinds_for(case: Case) -> list[NoticeKind]:
    """The notices this case has (one query over its events), in the order they arise."""
    kinds = set(
        CaseEvent.objects.filter(case=case, kind__in=list(_KIND_OF)).values_list("kind", flat=True)
    )
    return [kind for kind in NoticeKind if _EVENT_OF[kind] in kinds]


def _promised(case: Case) -> str:
    if case.promised_unit == TimeUnit.MINUTE:
        return _("%(n)d分钟") % {"n": case.promised_days}
    unit = _("个工作日") if case.promised_unit == TimeUnit.WORKDAY else _("个自然日")
    return f"{case.promised_days}{unit}"


def _department_name(case: Case) -> str:
    if case.package_version_id and case.package_version.lead_department_id:
        return case.package_version.lead_department.name
    if case.item_version_id:
        return case.item_version.department.name
    return ""


def notice_data(case: Case, kind: NoticeKind | str, *, verify_url: str) -> NoticeData:
    """The notice's content from the case's latest event of that kind; ``NotFound`` if none.

    Its ``rating_url`` is left for the caller to fill (``rating_links.case_rating_link``,
    made absolute), once the notice is known to exist: asking for it may issue a token."""
    try:
        kind = NoticeKind(kind)
    except ValueError:
        raise NotFound(_("没有这种通知书。")) from None
    event = CaseEvent.objects.filter(case=case, kind=_EVENT_OF[kind]).order_by("-seq").first()
    if event is None:
        raise NotFound(_("该办件没有%(notice)s。") % {"notice": kind.label})
    applicant = case.applicant
    base = {
        "kind": kind,
        "case_number": case.number,
        "case_title": case.title,
        "applicant_name": applicant.name,
        "applicant_identifier": applicant.masked_identifier,
        "issued_at": event.at,
        "office": case.hall.name if case.hall_id else case.accepting_region.name,
        "department": _department_name(case),
        "promised": _promised(case),
        "verify_url": verify_url,
    }
    materials = {m.key: m.name for m in case.materials.all()}
    if kind == NoticeKind.ACCEPTED:
        dues = case_due_dates(case)
        due_on = clock.local(dues.case.at).date() if dues.case is not None else None
        tolerated = [
            ToleratedMaterial(materials.get(key, key), dt.date.fromisoformat(on))
            for key, on in (event.payload.get("tolerated") or {}).items()
        ]
        return NoticeData(**base, due_on=due_on, tolerated=tolerated, note=event.reason)
    if kind == NoticeKind.CORRECTION:
        keys = event.payload.get("materials") or []
        return NoticeData(
            **base, materials=[materials.get(key, key) for key in keys], note=event.reason
        )
    if kind == NoticeKind.HANDED_OUT:
        outcome = case.get_outcome_display() if case.outcome else ""
        return NoticeData(
            **base, outcome=outcome, completed_at=case.completed_at, note=event.reason
        )
    return NoticeData(**base, reason=event.reason)


# ----------------------------------------------------------------------------- rendering


def _qr(url: str, size_mm: float = 30) -> Drawing:
    """The verification QR code as vector squares (no raster image needed)."""
    qr = segno.make(url, error="m")
    matrix = list(qr.matrix)
    border = 2
    count = len(matrix) + 2 * border
    module = size_mm * mm / count
    drawing = Drawing(size_mm * mm, size_mm * mm)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(
                        (x + border) * module,
                        (count - 1 - y - border) * module,
                        module,
                        module,
                        fillColor=colors.black,
                        strokeColor=None,
                    )
                )
    return drawing


def _date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = clock.local(value).date()
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def _facts(data: NoticeData) -> Table:
    rows = [
        (_("办件编号"), data.case_number),
        (_("申请人"), data.applicant_name),
        (_("证件号码"), data.applicant_identifier),
        (_("申请事项"), data.case_title),
        (_("受理机构"), data.office),
        (_("牵头部门"), data.department or "—"),
        (_("承诺办结时限"), data.promised),
    ]
    if data.kind == NoticeKind.ACCEPTED:
        rows.append((_("受理日期"), _date(data.issued_at)))
        rows.append((_("承诺办结日期"), _date(data.due_on) if data.due_on else "—"))
    elif data.kind == NoticeKind.HANDED_OUT:
        rows.append((_("办结日期"), _date(data.completed_at) if data.completed_at else "—"))
        rows.append((_("办理结果"), data.outcome or "—"))
        rows.append((_("出件日期"), _date(data.issued_at)))
    else:
        rows.append((_("告知日期"), _date(data.issued_at)))
    table = Table(
        [[pdf.para(k, "cell"), pdf.para(v, "cell")] for k, v in rows],
        colWidths=[32 * mm, 138 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _body(data: NoticeData) -> list[Flowable]:
    out: list[Flowable] = []
    salutation = _("%(name)s：") % {"name": data.applicant_name}
    out.append(pdf.para(salutation))
    if data.kind == NoticeKind.ACCEPTED:
        if data.tolerated:
            opening = _(
                "你（单位）于%(date)s提出的“%(title)s”申请，经审查，主要申请材料齐全、符合法定"
                "形式，次要材料按容缺受理机制后补，根据《中华人民共和国行政许可法》第三十二条的"
                "规定，决定予以受理。我们将在承诺时限内办结，并统一出件。"
            )
        else:
            opening = _(
                "你（单位）于%(date)s提出的“%(title)s”申请，经审查，申请材料齐全、符合法定形式，"
                "根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。"
                "我们将在承诺时限内办结，并统一出件。"
            )
        out.append(pdf.para(opening % {"date": _date(data.issued_at), "title": data.case_title}))
        if data.tolerated:
            out.append(pdf.para(_("容缺受理：以下材料须在补交期限内补齐"), "h2"))
            out.append(
                pdf.table(
                    [_("序号"), _("容缺材料"), _("补交期限")],
                    [
                        (str(i), t.name, _date(t.due_on))
                        for i, t in enumerate(data.tolerated, start=1)
                    ],
                    [14, 106, 50],
                )
            )
            out.append(pdf.Spacer(1, 2 * mm))
            out.append(
                pdf.para(
                    _(
                        "逾期未补齐容缺材料的，本办件将终止办理；补齐之前，办理结果暂不发放。"
                        "补交材料不影响办理时限的计算。"
                    )
                )
            )
        if data.note:
            out.append(pdf.para(_("备注：%(note)s") % {"note": data.note}))
    elif data.kind == NoticeKind.CORRECTION:
        out.append(
            pdf.para(
                _(
                    "你（单位）提出的“%(title)s”申请，申请材料不齐全或者不符合法定形式。根据"
                    "《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容："
                )
                % {"title": data.case_title}
            )
        )
        if data.materials:
            out.append(pdf.para(_("需要补正的材料"), "h2"))
            out.append(
                pdf.table(
                    [_("序号"), _("材料名称")],
                    [(str(i), name) for i, name in enumerate(data.materials, start=1)],
                    [14, 156],
                )
            )
        if data.note:
            out.append(pdf.para(_("补正说明"), "h2"))
            out.append(pdf.para(data.note))
        out.append(pdf.Spacer(1, 2 * mm))
        out.append(
            pdf.para(
                _(
                    "请按上述要求一次补齐后重新提交。补正期间不计入办理时限；"
                    "承诺办结时限自受理之日起计算。"
                )
            )
        )
    elif data.kind == NoticeKind.HANDED_OUT:
        out.append(
            pdf.para(
                _(
                    "你（单位）申请的“%(title)s”已办结，办理结果已于%(date)s统一出件。"
                    "请核对办理结果并妥善保管本回执。"
                )
                % {"title": data.case_title, "date": _date(data.issued_at)}
            )
        )
        if data.note:
            out.append(pdf.para(_("备注：%(note)s") % {"note": data.note}))
    else:
        out.append(
            pdf.para(
                _("你（单位）提出的“%(title)s”申请，经审查，决定不予受理。理由如下：")
                % {"title": data.case_title}
            )
        )
        out.append(pdf.para(data.reason or "—"))
        out.append(pdf.para(_("权利告知"), "h2"))
        out.append(
            pdf.para(
                _(
                    "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
                    "或者自收到本通知书之日起六个月内依法向人民法院提起行政诉讼。"
                )
            )
        )
    return out


def _qr_row(url: str, caption: str) -> Table:
    """A QR code with its caption beside it (one row: the caption's lines stay together)."""
    row = Table([[_qr(url), pdf.para(caption, "small")]], colWidths=[34 * mm, 136 * mm])
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return row


def notice_pdf(data: NoticeData) -> bytes:
    """Lay the notice out on A4 with the embedded CJK font, the verification QR code and,
    when the case can be rated, the rating QR code below it."""
    codes: list[Flowable] = [
        _qr_row(
            data.verify_url,
            _("扫码核验本%(title)s\n%(url)s\n%(office)s\n%(date)s")
            % {
                "title": data.title,
                "url": data.verify_url,
                "office": data.office,
                "date": _date(data.issued_at),
            },
        )
    ]
    if data.rating_url:
        codes.append(
            _qr_row(
                data.rating_url,
                _("扫码评价本次服务\n%(url)s\n无需登录，此码只能评价一次。")
                % {"url": data.rating_url},
            )
        )
    flowables: list[Flowable] = [
        pdf.para(data.title, "title"),
        pdf.para(_("编号：%(n)s") % {"n": data.case_number}, "subtitle"),
        pdf.Spacer(1, 4 * mm),
        _facts(data),
        pdf.Spacer(1, 4 * mm),
        *_body(data),
        pdf.Spacer(1, 8 * mm),
        *codes,
    ]
    return pdf.render(flowables, title=f"{data.title} {data.case_number}")


__all__ = [
    "NOTICE_TOKEN_SALT",
    "NoticeData",
    "NoticeKind",
    "ToleratedMaterial",
    "notice_data",
    "notice_kinds_for",
    "notice_issued_at",
    "notice_pdf",
    "notice_token",
    "notice_token_read",
]
