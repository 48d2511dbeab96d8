"""Report pages and commands: who drafts for which unit, who opens which draft and upload, bad
uploads answered in Chinese, the PDF preview with and without LibreOffice."""

import io
import json
import shutil
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from weijian import testing
from weijian.plans.tests import helpers
from weijian.reports.models import Proofreading, Report
from weijian.web import dashboard


@pytest.fixture
def rates(city):
    cat = helpers.catalogue()
    from weijian.indicators.models import DataElement

    cat["imm"].is_key = True
    cat["imm"].save()
    done, due = DataElement.objects.get(code="IMM_DONE"), DataElement.objects.get(code="IMM_DUE")
    for unit, (d, n) in {
        city.hospital_a: (90, 100),
        city.clinic_a: (45, 50),
        city.hospital_b: (70, 100),
    }.items():
        for year, shift in (("2024", 0), ("2025", 2)):
            testing.value(done, unit, year, d + shift)
            testing.value(due, unit, year, n)
    return cat


def login(client, user):
    client.force_login(user)


def year():
    return dashboard.data_years()[0]


def test_county_drafts_only_for_its_own_subtree(client, users, city, rates):
    login(client, users["county"])
    r = client.post(reverse("reports:index"), {"org_unit": city.city.code, "year": year()})
    assert r.status_code == 200 and "不在您的权限范围内" in r.content.decode()
    assert not Report.objects.exists()
    r = client.post(reverse("reports:index"), {"org_unit": city.county_a.code, "year": year()})
    report = Report.objects.get()
    assert r.status_code == 302 and report.org_unit == city.county_a
    assert report.title == "甲县卫生健康局2025年工作总结"
    # The county's own figure, not the city's: 甲县 = (92+47)/150.
    imm = next(f for f in report.figures if f["kind"] == "value" and f["indicator"] == "IMM_RATE")
    assert imm["unit"] == city.county_a.code and imm["text"] == "92.67%"


def test_department_drafts_for_the_commission_unit_only(client, users, city, rates):
    login(client, users["dept"])
    page = client.get(reverse("reports:index")).content.decode()
    assert f'value="{city.city.code}"' in page and f'value="{city.county_a.code}"' not in page
    client.post(reverse("reports:index"), {"org_unit": city.county_a.code, "year": year()})
    assert not Report.objects.exists()
    client.post(reverse("reports:index"), {"org_unit": city.city.code, "year": year()})
    assert Report.objects.get().org_unit == city.city


def test_institution_user_cannot_draft(client, users, city, rates):
    login(client, users["inst"])
    page = client.get(reverse("reports:index")).content.decode()
    assert "不能起草报告" in page
    client.post(reverse("reports:index"), {"org_unit": city.hospital_a.code, "year": year()})
    assert not Report.objects.exists()


def test_a_bad_year_is_refused_in_chinese(client, users, city, rates):
    login(client, users["admin"])
    r = client.post(reverse("reports:index"), {"org_unit": city.city.code, "year": "abc"})
    assert "年度“abc”无效" in r.content.decode() and not Report.objects.exists()


def test_drafts_are_seen_within_scope_only(client, users, city, rates):
    from weijian.reports import services

    city_report = services.make_summary(users["admin"], city.city, int(year()))
    county_report = services.make_summary(users["county"], city.county_a, int(year()))
    for name in ("detail", "download", "preview"):
        login(client, users["other_county"])
        assert client.get(reverse(f"reports:{name}", args=[county_report.pk])).status_code == 404
        assert client.get(reverse(f"reports:{name}", args=[city_report.pk])).status_code == 404
        login(client, users["inst"])
        assert client.get(reverse(f"reports:{name}", args=[county_report.pk])).status_code == 404
    charts = [b for b in county_report.content["blocks"] if b["kind"] == "chart"]
    assert charts, "the county draft has its trend chart"
    login(client, users["other_county"])
    assert client.get(reverse("reports:chart", args=[county_report.pk, 0])).status_code == 404
    login(client, users["county"])
    assert client.get(reverse("reports:detail", args=[county_report.pk])).status_code == 200
    r = client.get(reverse("reports:chart", args=[county_report.pk, 0]))
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert client.get(reverse("reports:chart", args=[county_report.pk, 9])).status_code == 404
    login(client, users["leader"])
    r = client.get(reverse("reports:download", args=[city_report.pk]))
    assert r.status_code == 200 and docx.Document(io.BytesIO(r.content)).sections[0].page_width.mm > 209


def test_ranking_bulletin_ranks_the_children(client, users, city, rates):
    login(client, users["county"])
    client.post(
        reverse("reports:ranking"), {"org_unit": city.city.code, "target": "IMM_RATE", "period": year()}
    )
    assert not Report.objects.exists()
    login(client, users["admin"])
    r = client.post(
        reverse("reports:ranking"), {"org_unit": city.city.code, "target": "IMM_RATE", "period": year()}
    )
    report = Report.objects.get()
    assert r.status_code == 302 and report.kind == "ranking"
    table = next(b for b in report.content["blocks"] if b["kind"] == "table")
    assert [row[:3] for row in table["rows"]] == [["1", "甲县", "92.67%"], ["2", "乙区", "72.00%"]]
    r = client.post(
        reverse("reports:ranking"), {"org_unit": city.city.code, "target": "IMM_RATE", "period": "2025X"}
    )
    assert Report.objects.count() == 1


def test_preview_says_so_when_libreoffice_is_missing(client, users, city, rates, settings):
    from weijian.reports import services

    report = services.make_summary(users["admin"], city.city, int(year()))
    settings.REPORTS_SOFFICE = "/nonexistent/soffice"
    login(client, users["admin"])
    r = client.get(reverse("reports:preview", args=[report.pk]))
    assert r.status_code == 503 and "未安装 LibreOffice" in r.content.decode()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_preview_is_a_pdf_where_libreoffice_is_installed(client, users, city, rates):
    from weijian.reports import services

    report = services.make_summary(users["admin"], city.city, int(year()))
    login(client, users["admin"])
    r = client.get(reverse("reports:preview", args=[report.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


REPORT_TXT = (
    "示例市卫生健康委员会2025年工作总结\n"
    "2025年，甲县免疫规划疫苗接种率达到80.00%。全市免疫规划疫苗接种率达到82.40%。"
    "全市免疫规划疫苗接种率达到82.40%。示例市共有卫生院和医院分别为3家、4家、5家。门诊满意度88.1%%。\n"
)


def test_proofreading_marks_findings_and_is_private(client, users, city, rates):
    login(client, users["dept"])
    upload = SimpleUploadedFile("总结.txt", REPORT_TXT.encode("gb18030"))
    r = client.post(reverse("reports:proofread"), {"file": upload})
    item = Proofreading.objects.get()
    assert r.status_code == 302 and item.owner == users["dept"]
    page = client.get(reverse("reports:proofread_result", args=[item.pk])).content.decode()
    types = {f["type"] for f in item.result["findings"]}
    assert {"duplicate_sentence", "count_mismatch", "malformed_number", "db_mismatch"} <= types
    assert '<mark class="finding' in page and "未能关联指标的数字" in page
    mismatch = next(f for f in item.result["findings"] if f["type"] == "db_mismatch")
    assert mismatch["text"] == "80.00%" and "92.67%" in mismatch["note"]  # 甲县's own figure
    assert mismatch["link"] == f"/analysis/?target=IMM_RATE&org_unit={city.county_a.code}&period=2025"
    r = client.get(reverse("reports:proofread_download", args=[item.pk]))
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "word/comments.xml" in names
    comments = zipfile.ZipFile(io.BytesIO(r.content)).read("word/comments.xml").decode()
    assert "与数据库不符" in comments and "分别" in comments
    for other in ("county", "leader", "inst"):
        login(client, users[other])
        assert client.get(reverse("reports:proofread_result", args=[item.pk])).status_code == 404
        assert client.get(reverse("reports:proofread_download", args=[item.pk])).status_code == 404
    login(client, users["admin"])
    assert client.get(reverse("reports:proofread_result", args=[item.pk])).status_code == 200


def test_proofreading_compares_only_what_the_user_may_read(client, users, city, rates):
    login(client, users["other_county"])  # 乙区: 甲县's figure is not its to see
    client.post(reverse("reports:proofread"), {"file": SimpleUploadedFile("a.txt", REPORT_TXT.encode())})
    result = Proofreading.objects.get().result
    assert not any("甲县" in f["note"] for f in result["findings"] if f["type"] == "db_mismatch")
    assert all("92.67%" not in c["database"] for c in result["checked"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.exe", b"MZ\x90\x00", "只能校对 .docx、.pdf 或 .txt 文件"),
        ("空.txt", b"", "是空的"),
        ("坏.docx", b"PK\x03\x04broken", "坏.docx"),
        ("假.pdf", b"not a pdf", "假.pdf"),
    ],
)
def test_bad_uploads_get_a_chinese_message_and_change_nothing(client, users, name, content, message):
    login(client, users["dept"])
    r = client.post(reverse("reports:proofread"), {"file": SimpleUploadedFile(name, content)})
    assert r.status_code == 400 and message in r.content.decode()
    assert not Proofreading.objects.exists()


def test_a_file_over_the_limit_is_refused(client, users, settings):
    login(client, users["dept"])
    big = SimpleUploadedFile("大.txt", b"a" * (10 * 1024 * 1024 + 1))
    r = client.post(reverse("reports:proofread"), {"file": big})
    assert r.status_code == 400 and "超过 10 MB" in r.content.decode()


def test_proofread_command_prints_json(users, city, rates, tmp_path, capsys):
    f = tmp_path / "总结.txt"
    f.write_text(REPORT_TXT, encoding="utf-8")
    call_command("proofread", str(f), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert {"malformed_number", "db_mismatch"} <= {x["type"] for x in out["findings"]}
    assert "unlinked" in out


def test_pages_need_a_login(client):
    for name in ("reports:index", "reports:proofread"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_figures_after_fenbie_are_compared_with_their_own_unit(client, users, city, rates):
    login(client, users["admin"])
    text = "示例市2025年工作总结\n2025年，甲县、乙区免疫规划疫苗接种率分别为92.67%、72.00%。\n"
    client.post(reverse("reports:proofread"), {"file": SimpleUploadedFile("b.txt", text.encode())})
    result = Proofreading.objects.get().result
    assert [f for f in result["findings"] if f["type"] == "db_mismatch"] == []
    assert {(c["unit"], c["text"]) for c in result["checked"]} >= {("甲县", "92.67%"), ("乙区", "72.00%")}


def test_a_document_number_gives_the_red_masthead(client, users, city, rates):
    login(client, users["admin"])
    client.post(
        reverse("reports:index"),
        {"org_unit": city.city.code, "year": year(), "doc_number": "示卫〔2025〕3号"},
    )
    d = docx.Document(io.BytesIO(bytes(Report.objects.get().docx)))
    head, number = d.paragraphs[0], next(p for p in d.paragraphs if p.text == "示卫〔2025〕3号")
    assert head.text == "示例市卫生健康委员会文件" and str(head.runs[0].font.color.rgb).upper().startswith(
        "E6"
    )
    assert "w:bottom" in number._p.xml  # the red separator line under the number
