"""Properties that must hold for any input: analyze never raises, spans index the input,
values are finite; broken files always end in ReadError, never in another exception."""

from __future__ import annotations

import io
import math

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weijian.textmine import ReadError, analyze, read
from weijian.textmine.read import Document
from weijian.textmine.tests.pdfmaker import text_pdf

# Text made of the pieces commission documents are made of, so the rules actually fire.
PIECES = [
    "一、",
    "（一）",
    "1.",
    "（1）",
    "①",
    "一是",
    "二是",
    "、",
    "，",
    "。",
    "；",
    "：",
    "\n",
    " ",
    "\u3000",
    "全市",
    "我区",
    "新增",
    "床位",
    "接种率",
    "分别",
    "达到",
    "以上",
    "同比",
    "增长",
    "下降",
    "万元",
    "亿元",
    "人次",
    "%",
    "%%",
    "％",
    "‰",
    "１２．５",
    "4.5 %",
    "1/10万",
    "名例",
    "人次数",
    "份",
    "2018年",
    "2031年",
    "十六大",
    "非典",
    "（责任领导：",
    "责任科室：",
    "牵头科室：",
    "配合单位：",
    "）",
    "(",
    ")",
    "（这一句要去掉！）",
    "工作要点",
    "工作总结",
    "泉水市",
    "卫生健康委员会",
    "ISO9001-2024",
    "\r\n",
    "8、",
    "\n9、",
    "978.5",
    "三分之二",
    "-",
    "~",
    "约",
    "余",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.integers(0, 99999).map(str), st.text(max_size=3)), max_size=80
    ).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_analyze_never_raises_and_every_span_indexes_the_input(text):
    a = analyze(text)
    n = len(text)
    for item in (*a.sections, *a.tasks, *a.facts, *a.defects):
        assert 0 <= item.start <= item.end <= n
    for f in a.facts:
        assert f.text == text[f.start : f.end]
        assert isinstance(f.value, int | float) and math.isfinite(f.value)
    for d in a.defects:
        assert d.text == text[d.start : d.end]
    assert a.kind in ("plan", "summary", "mixed")
    d = a.to_dict()
    assert set(d) == {"doc", "kind", "region", "year", "sections", "tasks", "facts", "defects"}


@settings(max_examples=200, deadline=None)
@given(texts)
def test_a_read_document_maps_every_normalised_span_into_its_raw_text(text):
    try:
        doc = read(text.encode("utf-8"), name="x.txt")
    except ReadError as exc:  # empty, or control characters: not a text file
        assert "x.txt" in str(exc)
        return
    for i in range(0, len(doc.text) + 1, max(1, len(doc.text) // 20)):
        a, b = doc.to_raw(i, len(doc.text))
        assert 0 <= a <= b <= len(doc.raw)


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("一、加强队伍建设（责任领导：王五，责任科室：人事科）")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


GOOD = {"a.docx": _docx(), "a.pdf": text_pdf([["一、加强卫生应急", "接种率达到95%以上。"]])}


@pytest.mark.parametrize("name", sorted(GOOD))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_docx_and_pdf_files_give_read_error_or_a_document(name, data):
    good = GOOD[name]
    cut = data.draw(st.integers(0, len(good)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(good) - 1), st.integers(0, 255)), max_size=8))
    damaged = bytearray(good[:cut])
    for pos, byte in flips:
        if pos < len(damaged):
            damaged[pos] = byte
    try:
        doc = read(bytes(damaged), name=name)
    except ReadError as exc:
        assert name in str(exc)
    else:
        assert isinstance(doc, Document)
        analyze(doc)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["a.txt", "a.pdf", "a.docx", "a", "a.doc"]))
def test_arbitrary_bytes_give_read_error_or_a_document(data, name):
    try:
        doc = read(data, name=name)
    except ReadError as exc:
        assert name in str(exc)
    else:
        analyze(doc)
