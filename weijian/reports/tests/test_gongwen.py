"""The house style: what a 公文 reviewer checks in the Word file."""

import io
from datetime import date

import docx
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from weijian.gongwen import Gongwen, cn_date


def _doc():
    g = Gongwen(
        "示例市卫生健康委员会2026年工作总结",
        issuer="示例市卫生健康委员会",
        date=date(2026, 12, 2),
        red_header="示例市卫生健康委员会文件",
        doc_number="示卫〔2026〕12号",
    )
    g.heading1("总体情况")
    g.para("全年推进8项重点任务。")
    g.heading2("医疗服务")
    g.heading3("床位建设")
    g.para("新增床位20张。")
    g.closing()
    g.record(cc="市政府办公室", printer="示例市卫生健康委员会办公室", printed=date(2026, 12, 2))
    return docx.Document(io.BytesIO(g.save()))


def test_page_is_a4_with_the_standard_margins_and_a_22_by_28_grid():
    d = _doc()
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    assert abs(pitch_pt * 22 - Mm(225).pt) < 1  # 22 lines fill the 225 mm type area
    char_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert abs(char_pt * 28 - Mm(156).pt) < 1  # 28 characters fill the 156 mm line


def test_every_run_names_its_east_asian_font_and_the_sizes_follow_the_standard():
    d = _doc()
    runs = [r for p in d.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    for r in runs:
        fonts = r._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), r.text
    by_text = {r.text: r for r in runs}
    title = by_text["示例市卫生健康委员会2026年工作总结"]
    assert title.font.size == Pt(22)
    assert title._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert by_text["一、总体情况"]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert by_text["（一）医疗服务"]._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    h3 = by_text["1.床位建设"]
    assert h3.bold and h3._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    body = by_text["全年推进8项重点任务。"]
    assert body.font.size == Pt(16) and body._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    red = by_text["示例市卫生健康委员会文件"]
    assert str(red.font.color.rgb).upper().startswith("E6")


def test_body_lines_are_fixed_and_the_date_is_in_arabic_numerals():
    d = _doc()
    body = next(p for p in d.paragraphs if p.text == "全年推进8项重点任务。")
    assert body.paragraph_format.line_spacing_rule is not None
    assert abs(body.paragraph_format.line_spacing.pt - Mm(225).pt / 22) < 0.1
    assert any(p.text == "2026年12月2日" for p in d.paragraphs)
    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"


def test_page_numbers_are_dashed_page_fields_outside_on_odd_and_even_pages():
    d = _doc()
    assert d.settings.odd_and_even_pages_header_footer
    s = d.sections[0]
    for footer, align in ((s.footer, "right"), (s.even_page_footer, "left")):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment is not None and align in str(p.alignment).lower()
        assert 'w:eastAsia="宋体"' in xml
        assert p.runs[0].font.size == Pt(14)


def test_font_table_declares_a_free_fallback_for_each_office_font():
    d = _doc()
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = next(r.target_part for r in d.part.rels.values() if r.reltype == RT.FONT_TABLE)
    xml = part.blob.decode("utf-8")
    for name, alt in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert f'w:name="{name}"' in xml and f'w:val="{alt}"' in xml
