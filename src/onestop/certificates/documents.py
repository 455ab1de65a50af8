"""Result PDFs: a certificate (证照) or a decision letter (准予/不予许可决定书).

Laid out with reportlab through ``core.pdf`` (embedded CJK font): title, the e-licence
identifier, the holder, the wording of the item's template, for a denial the reasons and
the remedies (``certificates.legal``), the issuing department and date with the seal image
laid over them, and a QR code of the public verification URL. The identifier is also the
PDF's ``/Keywords``, so a verifier finds the certificate an uploaded file claims to be.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import segno
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from onestop.certificates.legal import REMEDIES
from onestop.certificates.states import ResultKind
from onestop.core import pdf

KEYWORD_PREFIX = "onestop-licence:"


@dataclass(frozen=True)
class ResultData:
    kind: ResultKind
    title: str
    identifier: str
    holder_name: str
    holder_identifier: str  # masked for a person; a USCC is public
    item: str
    case_number: str
    issuer: str
    issued_on: dt.date
    body: str
    verify_url: str
    seal_png: bytes
    valid_until: dt.date | None = None
    reasons: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def _date(value: dt.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def _qr(url: str, size_mm: float = 28) -> Drawing:
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


class _SealedSignature(Flowable):
    """The issuer and the date, right-aligned, with the round seal laid over them."""

    def __init__(self, issuer: str, date_text: str, seal_png: bytes, width: float) -> None:
        super().__init__()
        self.issuer = issuer
        self.date_text = date_text
        self.seal_png = seal_png
        self.box_width = width
        self.seal_size = 40 * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.box_width, 44 * mm

    def draw(self) -> None:
        canvas = self.canv
        font = pdf.cjk_font().name
        right = self.box_width - 6 * mm
        canvas.setFont(font, 13)
        canvas.drawRightString(right, 24 * mm, self.issuer)
        canvas.drawRightString(right, 16 * mm, self.date_text)
        text_width = max(
            canvas.stringWidth(self.issuer, font, 13), canvas.stringWidth(self.date_text, font, 13)
        )
        centre_x = right - text_width / 2
        canvas.drawImage(
            ImageReader(io.BytesIO(self.seal_png)),
            centre_x - self.seal_size / 2,
            2 * mm,
            self.seal_size,
            self.seal_size,
            mask="auto",
        )


def result_pdf(data: ResultData) -> bytes:
    """Lay the result out on one A4 page (more if the reasons are long)."""
    width = A4[0] - 40 * mm
    flow: list[Flowable] = [
        pdf.para(data.title, "title"),
        pdf.para(_("电子证照标识：%(id)s") % {"id": data.identifier}, "subtitle"),
        Spacer(1, 6 * mm),
    ]
    facts = [
        (_("持证主体") if data.kind == ResultKind.LICENCE else _("申请人"), data.holder_name),
        (_("证件号码"), data.holder_identifier),
        (_("事项"), data.item),
        (_("办件编号"), data.case_number),
        *data.facts,
    ]
    if data.valid_until is not None:
        facts.append((_("有效期至"), _date(data.valid_until)))
    table = Table(
        [[pdf.para(k, "cell"), pdf.para(v, "cell")] for k, v in facts],
        colWidths=[36 * mm, width - 36 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.96, 0.96, 0.96)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    flow += [table, Spacer(1, 6 * mm), pdf.para(data.body)]
    if data.kind == ResultKind.DENIAL_LETTER:
        flow.append(pdf.para(data.reasons or "—"))
        flow.append(pdf.para(_("权利告知"), "h2"))
        flow.extend(pdf.para(str(remedy.text)) for remedy in REMEDIES)
    flow += [
        Spacer(1, 8 * mm),
        _SealedSignature(data.issuer, _date(data.issued_on), data.seal_png, width),
        Spacer(1, 4 * mm),
    ]
    qr = Table(
        [
            [
                _qr(data.verify_url),
                pdf.para(
                    _("扫描二维码或访问下列地址核验本文件的真实性与当前状态：\n%(url)s")
                    % {"url": data.verify_url},
                    "small",
                ),
            ]
        ],
        colWidths=[32 * mm, width - 32 * mm],
    )
    qr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    flow.append(qr)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{data.title} {data.identifier}",
        author=data.issuer,
        subject=data.item,
        keywords=f"{KEYWORD_PREFIX}{data.identifier}",
        creator="onestop",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(flow)
    return buffer.getvalue()


def identifier_in(pdf_bytes: bytes) -> str:
    """The e-licence identifier a PDF's metadata names (``""`` if none or unreadable)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        info = reader.trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except Exception:  # noqa: BLE001 - not a PDF we can read
        return ""
    for word in keywords.split():
        if word.startswith(KEYWORD_PREFIX):
            return word[len(KEYWORD_PREFIX) :]
    return ""


__all__ = ["ResultData", "identifier_in", "result_pdf"]
