import pytest
from reportlab.lib.units import mm

from onestop.core import pdf


def test_a_pdf_with_chinese_text_is_produced():
    data = pdf.render(
        [
            pdf.para("受理通知书", "title"),
            pdf.Spacer(1, 5 * mm),
            pdf.table(["材料", "份数"], [["居民身份证", "1"], ["营业执照", "1"]], [120, 30]),
        ],
        title="受理通知书",
    )
    assert data.startswith(b"%PDF-")
    assert len(data) > 1000


def test_the_font_is_embedded_when_the_system_has_one():
    choice = pdf.cjk_font()
    if not choice.is_embedded:
        pytest.skip("no CJK TrueType font on this machine (apt-get install fonts-wqy-microhei)")
    data = pdf.render([pdf.para("一件事一次办")], title="t")
    assert b"FontFile2" in data  # an embedded TrueType font program


def test_user_text_with_markup_characters_cannot_break_the_pdf():
    # Unescaped, reportlab's paragraph parser refuses an unclosed tag and a bare "&".
    data = pdf.render([pdf.para("申请人写了 <b>未闭合 & 符号 <script>")], title="t")
    assert data.startswith(b"%PDF-")
