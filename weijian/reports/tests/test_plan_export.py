"""The plan's Word export is in the house style (it was US Letter with 仿宋 at 12 pt)."""

import io

import docx
from django.urls import reverse
from docx.oxml.ns import qn

from weijian.plans.tests import helpers


def test_plan_word_export_is_an_a4_gongwen(client, users, city):
    helpers.catalogue()
    plan = helpers.make_plan(users["admin"], city)
    client.force_login(users["leader"])
    r = client.get(reverse("plans:export_docx", args=[plan.pk]))
    d = docx.Document(io.BytesIO(r.content))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    title = d.paragraphs[0].runs[0]
    assert title.text.endswith("推进情况") and title.font.size.pt == 22
    assert title._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert "推进基层医疗机构建设" in [c.text for c in d.tables[0].rows[1].cells]
    assert d.settings.odd_and_even_pages_header_footer
