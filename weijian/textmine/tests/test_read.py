"""Reading files: encodings, .docx, .pdf, normalisation with its map back, and clear errors."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from weijian.textmine import ReadError, analyze, read
from weijian.textmine.read import decode_whole, normalise
from weijian.textmine.tests.pdfmaker import blank_pdf, text_pdf

SENTENCE = "一、加强医疗服务体系建设\n全年新增儿科床位120张，床位使用率达到85.5%。\n"


def has_chinese(s: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", s))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_plain_text_is_decoded_in_every_mainland_encoding(encoding):
    doc = read(SENTENCE.encode(encoding), name="要点.txt")
    assert doc.text == SENTENCE
    assert doc.name == "要点.txt"


def test_big5_text_is_decoded():
    s = "醫療衛生服務體系建設，確保全年新增兒科床位。"
    assert read(s.encode("big5"), name="a.txt").text == s


def test_short_gb_text_is_not_mistaken_for_big5():
    for s in ["卫生健康工作要点", "县卫健局", "新增床位100张"]:
        assert read(s.encode("gb18030"), name="a.txt").text == s


def test_file_is_read_from_a_path_and_named_after_it(tmp_path):
    p = tmp_path / "总结.txt"
    p.write_bytes(SENTENCE.encode("gb18030"))
    doc = read(p)
    assert doc.text == SENTENCE and doc.name == "总结.txt" and doc.format == "txt"


def test_full_width_digits_and_signs_become_ascii():
    assert (
        normalise("接种率达到１２．５％，比去年提高０．８个百分点").text
        == "接种率达到12.5%，比去年提高0.8个百分点"
    )


def test_stray_spaces_inside_figures_are_removed_and_mapped_back():
    raw = "签约率 4.5 %，共 2019 年完成 32 家"
    doc = normalise(raw)
    assert doc.text == "签约率 4.5%，共 2019年完成 32家"
    i = doc.text.index("4.5%")
    a, b = doc.to_raw(i, i + 4)
    assert raw[a:b] == "4.5 %"


FILLER = "各项工作稳步推进，群众满意度持续提升，基层服务能力不断增强。" * 6


def _pages(*cuts: str) -> str:
    """Text as PDF-to-text gives it: each page starts with its number and "、", and each
    `cut` is where one page ends and the next begins (the break may fall inside a figure)."""
    text = "1、" + FILLER
    for n, cut in enumerate(cuts, start=2):
        head, tail = cut.split("|")
        text += head + f"\n{n}、" + tail + FILLER
    return text


def test_page_numbers_glued_into_the_text_are_removed():
    raw = _pages("住院补偿费用 712.3|4万元，补偿比例 80%。", "受理许可 21|家。", "年度满意|率 100%。")
    # The page marks are the "2、" "3、" "4、" that start lines 2-4 (and "1、" at the start).
    doc = normalise(raw)
    assert "712.34万元" in doc.text
    assert "受理许可 21家" in doc.text
    assert "满意率 100%" in doc.text
    assert not re.search(r"(^|\n)\d、", doc.text)


def test_a_page_number_inside_a_figure_is_a_defect_quoted_as_written():
    raw = _pages("住院补偿费用 712.3|4万元，补偿比例 80%。", "会议顺利召开。|下一步", "受理许可 21|家。")
    doc = normalise(raw)
    texts = [d.text for d in doc.defects]
    assert "712.3\n2、4万元" in texts
    assert "21\n4、家" in texts
    assert all(d.type == "malformed_number" and raw[d.start : d.end] == d.text for d in doc.defects)


def test_a_genuine_numbered_list_is_left_alone():
    raw = "工作安排如下：\n1、完善制度。\n2、加强培训。\n3、开展督查。\n4、总结评估。\n"
    assert normalise(raw).text == raw


def test_figure_found_in_normalised_text_maps_back_to_the_characters_as_written():
    raw = _pages("资金 456.7|8万元已拨付。", "工作顺利|开展。", "全面|完成。")
    doc = normalise(raw)
    i = doc.text.index("456.78万元")
    a, b = doc.to_raw(i, i + len("456.78万元"))
    assert raw[a:b] == "456.7\n2、8万元"


def _docx_bytes(build) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables_come_in_document_order():
    def build(d):
        d.add_paragraph("一、重点指标")
        t = d.add_table(rows=2, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "指标", "目标值"
        t.cell(1, 0).text, t.cell(1, 1).text = "儿童免疫规划疫苗接种率", "95%以上"
        d.add_paragraph("二、保障措施")

    doc = read(_docx_bytes(build), name="计划.docx")
    assert doc.format == "docx"
    lines = doc.text.splitlines()
    assert lines == ["一、重点指标", "指标\t目标值", "儿童免疫规划疫苗接种率\t95%以上", "二、保障措施"]


def test_pdf_text_layer_is_read_with_page_numbers_dropped():
    pdf = text_pdf([["一、加强卫生应急", "接种率达到９５．５％以上。", "1"], ["二、加强队伍建设", "2"]])
    doc = read(pdf, name="要点.pdf")
    assert doc.format == "pdf"
    assert doc.text.splitlines() == ["一、加强卫生应急", "接种率达到95.5%以上。", "二、加强队伍建设"]


def _error(data: bytes, name: str) -> str:
    with pytest.raises(ReadError) as info:
        read(data, name=name)
    msg = str(info.value)
    assert has_chinese(msg) and name in msg
    return msg


def test_empty_and_blank_files_are_refused():
    assert "空" in _error(b"", "空白.txt")
    assert "空" in _error(b"  \n\r\n ", "空白.txt")


def test_scanned_pdf_without_text_is_refused_with_advice():
    assert "扫描" in _error(blank_pdf(2), "扫描件.pdf")


def test_encrypted_pdf_is_refused():
    assert "加密" in _error(text_pdf([["内部资料"]], encrypt=True), "加密.pdf")


def test_corrupt_pdf_is_refused():
    _error(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n", "坏.pdf")
    _error(text_pdf([["卫生工作要点"]])[:150], "截断.pdf")


def test_corrupt_docx_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>not closed")
    _error(buf.getvalue(), "损坏.docx")
    _error(_docx_bytes(lambda d: d.add_paragraph("正文"))[:300], "截断.docx")
    _error(b"this is not a word file", "假的.docx")


def test_encrypted_or_old_word_file_is_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert "加密" in _error(ole, "加密.docx")
    assert ".docx" in _error(ole, "旧版.doc")


def test_unsupported_types_are_named():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel" in _error(buf.getvalue(), "报表.xlsx")
    _error(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "照片.png")
    _error(bytes(range(256)) * 4, "二进制.txt")


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ReadError, match="找不到"):
        read(tmp_path / "不存在.txt")


def test_read_document_analyses_with_defects_quoted_from_the_file():
    raw = _pages("住院补偿费用 712.3|4万元。", "工作顺利|开展。", "全面|完成。")
    a = analyze(read(raw.encode("gb18030"), name="总结.txt"))
    assert a.doc == "总结.txt"
    assert any(d.type == "malformed_number" and d.text == "712.3\n2、4万元" for d in a.defects)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_bytes_cut_inside_the_last_character_are_read_whole_and_said_to_be_cut(encoding):
    whole = "机构名称,床位\n仁爱医院,120\n云川县人民医院".encode(encoding)
    cut = whole[:-1]
    text, was_cut = decode_whole(cut, "机构.csv")
    assert was_cut
    assert text == "机构名称,床位\n仁爱医院,120\n云川县人民医"
    assert decode_whole(whole, "机构.csv") == ("机构名称,床位\n仁爱医院,120\n云川县人民医院", False)
