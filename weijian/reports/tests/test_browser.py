"""In a real browser: the department drafts the year's summary, downloads it, uploads an edited
copy to proofreading, sees the findings marked in place and downloads the commented file."""

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest

from weijian.demo.loader import load_demo
from weijian.plans.tests.test_browser import CHROMIUM, browser  # noqa: F401, F811  (the shared browser)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no system Chromium at /usr/bin/chromium (browsers are never downloaded)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_department_drafts_downloads_edits_and_proofreads(browser, live_server, tmp_path):  # noqa: F811
    load_demo(today=date(2026, 12, 2), counties=2)
    page = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "dept")
    page.fill("input[name=password]", "weijian-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/reports/")
    page.select_option("select[name=year]", "2026")
    page.click("#draft-summary")
    page.wait_for_selector("text=已起草工作总结")
    assert "示例市卫生健康委员会2026年工作总结" in page.inner_text("h1")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "draft.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#download-docx")
    drafted = docx.Document(dl.value.path())
    assert drafted.sections[0].page_width.mm > 209

    # Edit: one figure changed, a 分别 list short of a value, a doubled percent sign.
    para = next(p for p in drafted.paragraphs if p.text.startswith("从主要指标看"))
    run = next(r for r in para.runs if "%" in r.text)
    import re

    shown = re.search(r"\d+\.\d+%", run.text).group()
    wrong = f"{float(shown[:-1]) + 3:.2f}%"
    run.text = run.text.replace(shown, wrong, 1)
    para.insert_paragraph_before("甲组、乙组和丙组的随访率分别为81.2%、79.9%。全年门诊满意度88.1%%。")
    edited = tmp_path / "总结（修改稿）.docx"
    drafted.save(str(edited))

    page.click("text=校对修改后的文稿")
    page.set_input_files("input[name=file]", str(edited))
    page.click("button:has-text('上传并校对')")
    page.wait_for_selector("#finding-count")
    notes = page.inner_text(".notes")
    assert "与数据库不符" in notes and wrong in notes and shown in notes
    assert "“分别”前后数量不符" in notes and "数字格式错误" in notes
    assert page.locator("#doctext mark.finding").count() >= 3
    assert page.locator("#doctext mark.db_mismatch", has_text=wrong).count() == 1
    assert "未能关联指标的数字" in page.content()
    page.screenshot(path=str(tmp_path / "proofread.png"), full_page=True)

    with page.expect_download() as dl:
        page.click("#download-commented")
    data = Path(dl.value.path()).read_bytes()
    comments = zipfile.ZipFile(io.BytesIO(data)).read("word/comments.xml").decode()
    assert "与数据库不符" in comments and shown in comments
