"""The plan pages end to end through the test client: upload → preview → correct → confirm,
dashboard and lists, the task page and its progress report, 督办 and 问题清单, exports."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from weijian.plans import importing
from weijian.plans.models import Plan, PlanDraft, ProblemItem, Stage, SupervisionItem
from weijian.plans.tests import helpers
from weijian.plans.tests.helpers import put

YEAR = timezone.localdate().year


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def fixed_engine(monkeypatch):
    real = importing.propose
    monkeypatch.setattr(
        importing,
        "propose",
        lambda text, year=None, analysis=None: real(text, year, analysis=helpers.plan_analysis(text)),
    )


def test_upload_preview_correct_confirm(client, users, cat, city, fixed_engine):
    login(client, users["admin"])
    upload = SimpleUploadedFile("工作要点.txt", helpers.PLAN_TEXT.encode("gb18030"))
    r = client.post(reverse("plans:import"), {"file": upload, "year": YEAR})
    draft = PlanDraft.objects.get()
    assert r.status_code == 302 and r.url == reverse("plans:draft", args=[draft.pk])
    page = client.get(r.url).content.decode()
    assert "推进基层医疗机构建设" in page and "各乡镇（街道）" in page and "新增基层床位" in page
    assert '<span class="tag new">新</span>张明' in page  # no such leader yet: will be created
    key = next(g["key"] for g in draft.proposal["targets"] if g["text"] == "70%")
    r = client.post(
        reverse("plans:draft_target", args=[draft.pk, key]),
        {"value": "75", "cmp": ">="},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'value="75' in r.content.decode()
    r = client.post(reverse("plans:draft_target", args=[draft.pk, key]), {"value": "七十五"})
    assert "目标值“七十五”不是数字" in r.content.decode()
    r = client.post(reverse("plans:draft_confirm", args=[draft.pk]))
    plan = Plan.objects.get()
    assert r.url == reverse("plans:plan", args=[plan.pk])
    assert plan.targets.get(phrase="高血压患者规范管理率").value == 75
    assert plan.org_unit == city.city


def test_upload_of_wrong_file_is_answered_in_chinese(client, users):
    login(client, users["admin"])
    r = client.post(reverse("plans:import"), {"file": SimpleUploadedFile("要点.pptx", b"xx"), "year": YEAR})
    assert r.status_code == 200
    assert "文件“要点.pptx”的格式不支持" in r.content.decode()
    r = client.post(reverse("plans:import"), {"file": SimpleUploadedFile("台账.xlsx", b"xx"), "year": YEAR})
    assert r.status_code == 200
    assert "“台账.xlsx”" in r.content.decode() and "不是有效的 XLSX 文件" in r.content.decode()
    assert not PlanDraft.objects.exists()


def test_revision_preview_shows_changes(client, users, plan, monkeypatch):
    from weijian.plans.tests.test_reimport import REVISED, revised_analysis

    real = importing.propose
    monkeypatch.setattr(
        importing,
        "propose",
        lambda text, year=None, analysis=None: real(text, year, analysis=revised_analysis()),
    )
    login(client, users["admin"])
    r = client.post(
        reverse("plans:revise", args=[plan.pk]),
        {"file": SimpleUploadedFile("要点（修订）.txt", REVISED.encode())},
        follow=True,
    )
    page = r.content.decode()
    assert "与现有计划相比：新增1项，删除1项，表述修改1项，责任调整1项" in page
    assert "责任领导：李华、各相关分管领导 → 赵丽" in page
    assert "确认并应用修订" in page


def test_dashboard_lists_and_exports(client, users, plan, city):
    put("BEDS_NEW", city.hospital_a, f"{YEAR}01", 5)
    login(client, users["leader"])
    expect = {
        "plans:plan": "推进基层医疗机构建设",
        "plans:tasks": "推进基层医疗机构建设",
        "plans:by_department": "基层卫生健康科",
        "plans:by_county": "甲镇卫生院：未报数",
    }
    for name, text in expect.items():
        r = client.get(reverse(name, args=[plan.pk]))
        assert r.status_code == 200 and text in r.content.decode(), name
    dash = client.get(reverse("plans:plan", args=[plan.pk])).content.decode()
    assert 'id="plan-chart-data"' in dash and "plans/dashboard.js" in dash
    r = client.get(reverse("plans:export_xlsx", args=[plan.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["任务进度"].iter_rows(values_only=True))
    assert rows[1][0] == "编号" and rows[2][:2] == ("一.（一）", "推进基层医疗机构建设")
    assert any(row[1] == "新增基层床位" for row in wb["目标"].iter_rows(values_only=True))
    r = client.get(reverse("plans:export_docx", args=[plan.pk]))
    doc = Document(io.BytesIO(r.content))
    assert "推进基层医疗机构建设" in [c.text for c in doc.tables[0].rows[1].cells]


def test_department_reports_progress_with_attachment(client, users, plan):
    task = plan.tasks.get(num="一.（一）")
    login(client, users["dept"])
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert "提交进度" in page
    r = client.post(
        reverse("plans:report", args=[task.pk]),
        {
            "period_code": f"{YEAR}01",
            "percent": "40",
            "text": "完成选址",
            "attachments": [SimpleUploadedFile("照片.jpg", b"\xff\xd8fake")],
        },
    )
    assert r.status_code == 302
    report = task.reports.get()
    assert (report.percent, report.department, report.attachments.get().name) == (
        40,
        users["dept"].department,
        "照片.jpg",
    )
    r = client.get(reverse("plans:attachment", args=[report.attachments.get().pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"\xff\xd8fake"
    r = client.post(
        reverse("plans:report", args=[task.pk]),
        {"period_code": f"{YEAR}01", "percent": "140", "text": "x"},
        follow=True,
    )
    assert "完成进度不能大于 100" in r.content.decode()
    assert task.reports.count() == 1


def test_my_tasks_for_department_and_leader(client, users, plan):
    from weijian.orgs.models import Leader

    users["leader"].leader = Leader.objects.get(name="张明")
    users["leader"].save()
    page = login(client, users["leader"]).get(reverse("plans:mine")).content.decode()
    assert "做好慢病管理" in page and "加强家庭医生签约服务" not in page
    client.logout()
    page = login(client, users["dept"]).get(reverse("plans:mine")).content.decode()
    assert "推进基层医疗机构建设" in page and "强化作风建设" not in page


def test_supervision_raised_from_task_and_closed(client, users, plan):
    task = plan.tasks.get(num="一.（一）")
    login(client, users["leader"])
    form = client.get(reverse("plans:supervision_new") + f"?task={task.pk}").content.decode()
    assert "督办：一.（一） 推进基层医疗机构建设" in form
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    r = client.post(
        reverse("plans:supervision_new"),
        {
            "task": task.pk,
            "title": "督办：床位",
            "description": "请加快",
            "deadline": deadline,
            "assignee_department": users["dept"].department.pk,
        },
    )
    item = SupervisionItem.objects.get()
    assert r.url == reverse("plans:supervision", args=[item.pk])
    client.logout()
    login(client, users["dept"])
    client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": "reply", "text": "已完成60张"})
    client.logout()
    login(client, users["leader"])
    client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": "approve", "text": "属实"})
    r = client.post(
        reverse("plans:supervision_step", args=[item.pk]), {"action": "close", "text": ""}, follow=True
    )
    item.refresh_from_db()
    assert item.stage == Stage.CLOSED
    assert "已记录“办结”" in r.content.decode()
    page = client.get(reverse("plans:supervision", args=[item.pk])).content.decode()
    assert "已完成60张" in page and "销号" in page


def test_problem_registered_rectified_and_rated(client, users, city):
    login(client, users["admin"])
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    r = client.post(
        reverse("plans:problem_new"),
        {
            "source": "patrol",
            "source_name": "市委巡察组",
            "description": "药品采购台账不全",
            "owner_org": city.county_a.pk,
            "deadline": deadline,
        },
    )
    item = ProblemItem.objects.get()
    assert r.url == reverse("plans:problem", args=[item.pk])
    r = client.post(
        reverse("plans:problem_new"),
        {
            "source": "patrol",
            "description": "x",
            "deadline": deadline,
            "owner_org": city.county_a.pk,
            "owner_department": users["dept"].department.pk,
        },
    )
    assert "二选一" in r.content.decode() and ProblemItem.objects.count() == 1
    client.logout()
    login(client, users["county"])
    client.post(reverse("plans:problem", args=[item.pk]), {"status": "done", "measures": "已补齐台账"})
    page = client.get(reverse("plans:problems")).content.decode()
    assert "100.00%" in page and "已整改" in page


def test_draft_split_by_county_over_htmx(client, users, cat, city):
    draft = helpers.draft_for(users["admin"], YEAR)
    key = draft.proposal["targets"][0]["key"]
    login(client, users["admin"])
    r = client.post(reverse("plans:draft_split", args=[draft.pk, key]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert body.count('<tr id="target-') == 2 and "甲县" in body and "乙区" in body


def test_report_interval_is_set_by_admin_only(client, users, plan):
    client.force_login(users["leader"])
    assert (
        client.post(reverse("plans:set_interval", args=[plan.pk]), {"report_interval": "Q"}).status_code
        == 403
    )
    client.force_login(users["admin"])
    r = client.post(reverse("plans:set_interval", args=[plan.pk]), {"report_interval": "X"}, follow=True)
    assert "进度填报周期“X”无效" in r.content.decode()
    client.post(reverse("plans:set_interval", args=[plan.pk]), {"report_interval": "Q"})
    plan.refresh_from_db()
    assert plan.report_interval == "Q"


def test_dashboard_offers_the_report_intervals_with_the_current_one_chosen(client, users, plan):
    client.force_login(users["admin"])
    body = client.get(reverse("plans:plan", args=[plan.pk])).content.decode()
    assert f'<option value="{plan.report_interval}" selected>' in body
    assert "每季度" in body and "每半年" in body


def test_upload_without_a_year_takes_the_documents_own(client, users, cat, city):
    login(client, users["admin"])
    text = "2019年示例市卫生健康工作要点\n一、做好慢病管理\n高血压患者规范管理率达到70%。（责任领导：张明；责任科室：疾控科）\n"
    upload = SimpleUploadedFile("要点.txt", text.encode("utf-8"))
    client.post(reverse("plans:import"), {"file": upload, "year": ""})
    assert PlanDraft.objects.get().year == 2019

    upload = SimpleUploadedFile("要点.txt", text.encode("utf-8"))
    client.post(reverse("plans:import"), {"file": upload, "year": YEAR})
    assert PlanDraft.objects.order_by("-pk").first().year == YEAR


def test_plan_pages_are_in_english_after_switching_language(client, users, plan):
    login(client, users["leader"])
    r = client.post("/i18n/setlang/", {"language": "en", "next": reverse("plans:index")})
    assert r.status_code == 302

    index = client.get(reverse("plans:index")).content.decode()
    for words in ["Supervision items", "Problem list", "Source file", "Imported"]:
        assert words in index, words
    assert "来源文件" not in index and "问题清单" not in index

    dash = client.get(reverse("plans:plan", args=[plan.pk])).content.decode()
    for words in [
        "Overview",
        "All tasks",
        "By department",
        "Completed",
        "On track",
        "Lagging tasks (",
        "Not started",
    ]:
        assert words in dash, words
    assert "正常推进" not in dash and "滞后任务" not in dash
    # Data stays as written: the task titles from the work plan are not translated.
    assert "推进基层医疗机构建设" in client.get(reverse("plans:tasks", args=[plan.pk])).content.decode()
