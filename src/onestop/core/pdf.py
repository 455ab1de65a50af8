"""PDF building blocks shared by notices (受理/补正/不予受理通知书) and guides (一次告知).

Chinese text needs a CJK font. We embed a TrueType font found on the system — the path in
``ONESTOP_PDF_FONT``, else Debian's WenQuanYi Micro Hei or Noto Sans CJK — so the PDF shows
correctly anywhere. Without one we fall back to reportlab's built-in ``STSong-Light`` CID
font, which is not embedded: readers without a Chinese font then show boxes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CANDIDATE_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2 = SC
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
FALLBACK_FONT = "STSong-Light"


@dataclass(frozen=True)
class FontChoice:
    name: str
    path: str | None  # None: the non-embedded CID fallback

    @property
    def is_embedded(self) -> bool:
        return self.path is not None


@functools.cache
def cjk_font() -> FontChoice:
    """Register and return the font PDFs use for Chinese text (once per process)."""
    configured = getattr(settings, "ONESTOP_PDF_FONT", "")
    candidates = [(configured, 0)] if configured else []
    candidates += list(CANDIDATE_FONTS)
    for path, index in candidates:
        if path and Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("OnestopCJK", path, subfontIndex=index))
            except Exception:  # noqa: BLE001, S112 - a broken font file: try the next one
                continue
            return FontChoice("OnestopCJK", path)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FontChoice(FALLBACK_FONT, None)


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font().name
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, alignment=TA_CENTER, textColor=colors.grey
        ),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=20, spaceBefore=4 * mm),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=13, textColor=colors.grey
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
    }


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; newlines kept)."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), styles()[style])


def table(header: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float]) -> Table:
    cell = [[para(h, "cell") for h in header]] + [[para(c, "cell") for c in r] for r in rows]
    t = Table(cell, colWidths=[w * mm for w in widths], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.95, 0.95, 0.95)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def render(flowables: Sequence[Flowable], *, title: str, author: str = "onestop") -> bytes:
    """Lay out A4 pages with a page number footer and return the PDF bytes."""
    buffer = io.BytesIO()
    font = cjk_font().name

    def footer(canvas, doc) -> None:  # noqa: ANN001 - reportlab callback
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{title} · 第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=author,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(list(flowables), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


__all__ = ["FontChoice", "Spacer", "cjk_font", "para", "render", "styles", "table"]
