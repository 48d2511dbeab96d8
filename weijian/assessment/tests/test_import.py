"""Importing a scheme from a 考核细则 table: preview with every row's reading, corrections,
confirmation into a scheme; bad files answered in Chinese, nothing saved."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from weijian.assessment.models import Scheme, Source

ROWS = [
    ("公共卫生", "免疫规划疫苗接种率", 10, "适龄儿童免疫规划疫苗接种率", "达到95%及以上得满分，否则不得分"),
    ("公共卫生", "高血压患者规范管理率", 10, "", "达到70%得满分，每低1个百分点扣1分，扣完为止"),
    ("综合管理", "党建工作", 10, "", "由评审组按好、较好、一般、差评定"),
    ("综合管理", "工作创新", 5, "", "工作有亮点"),
]


def xlsx(rows=ROWS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "分值", "考核内容", "评分标准"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def admin_client(client, users, city):
    client.force_login(users["admin"])
    return client


def _upload(c, data, name="2025年县区考核细则.xlsx"):
    return c.post(
        reverse("assessment:import"),
        {"file": SimpleUploadedFile(name, data), "year": "2025", "kind": "county"},
    )


def test_upload_preview_correct_and_confirm(admin_client):
    from weijian import testing

    testing.indicator("IMM_RATE", "免疫规划疫苗接种率", "IMM_DONE", "", 1, "%")
    r = _upload(admin_client, xlsx())
    assert r.status_code == 302
    preview = admin_client.get(reverse("assessment:import_preview"))
    draft = preview.context["draft"]
    assert [row.kind_label for row in draft.rows] == ["达标计分", "按差距扣分", "评审评定", "未识别"]
    assert "未能识别评分方法" in draft.rows[3].reading
    body = preview.content.decode()
    assert "评分标准未能识别为评分规则" in body
    # Confirming with an unread row is refused and saves nothing.
    refused = admin_client.post(reverse("assessment:import_preview"), {"confirm": "1"}, follow=True)
    assert not Scheme.objects.exists()
    assert "不能保存" in " ".join(str(m) for m in refused.context["messages"])
    # Correct the sentence of the last row (read again at once), then confirm.
    row = draft.rows[3].row
    admin_client.post(
        reverse("assessment:import_preview"), {f"criterion_{row}": "每获得省级以上表彰1项加1分，最多加3分"}
    )
    fixed = admin_client.get(reverse("assessment:import_preview")).context["draft"]
    assert fixed.rows[3].rule["kind"] == "bonus"
    admin_client.post(
        reverse("assessment:import_preview"),
        {"confirm": "1", "name": "2025年度县区考核", "year": "2025", "kind": "county", f"points_{row}": "3"},
    )
    scheme = Scheme.objects.get()
    assert scheme.name == "2025年度县区考核" and scheme.year == 2025
    items = list(scheme.items.order_by("order"))
    assert (
        items[0].rule["kind"] == "threshold"
        and items[0].source == Source.INDICATOR
        and items[0].indicator.code == "IMM_RATE"
    )
    assert items[0].criterion.startswith("达到95%及以上得满分")
    assert items[2].source == Source.REVIEW
    assert items[3].rule["kind"] == "bonus" and items[3].is_bonus and items[3].points == 3
    assert [c.name for c in scheme.categories.order_by("order")] == ["公共卫生", "综合管理"]
    assert scheme.categories.get(name="综合管理").points == 10, "a bonus item adds nothing to its category"


def test_a_file_that_is_not_a_table_is_refused(admin_client):
    r = _upload(admin_client, b"not a spreadsheet", name="细则.xlsx")
    assert r.status_code == 200
    errors = " ".join(r.context["errors"])
    assert "细则.xlsx" in errors
    assert not Scheme.objects.exists()


def test_a_row_without_points_or_criterion_names_the_row(admin_client):
    r = _upload(admin_client, xlsx([*ROWS, ("综合管理", "空行指标", None, "", None)]))
    assert r.status_code == 200
    errors = " ".join(r.context["errors"])
    assert "第6行" in errors
    assert not Scheme.objects.exists()


def test_cli_dry_run_saves_nothing(tmp_path, city):
    f = tmp_path / "细则.xlsx"
    f.write_bytes(xlsx())
    out = io.StringIO()
    call_command("assess", "import-scheme", str(f), "--year", "2025", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "免疫规划疫苗接种率" in text and "未识别" in text
    assert not Scheme.objects.exists()
    with pytest.raises(CommandError, match="不能保存"):
        call_command("assess", "import-scheme", str(f), "--year", "2025", stdout=io.StringIO())
    assert not Scheme.objects.exists()
