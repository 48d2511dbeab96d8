"""In a real browser: upload a work plan → correct one target → confirm → task page → progress
report by the department user → the task's status changes → a 督办 is raised and closed."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from weijian import testing
from weijian.plans.models import Plan, Stage, SupervisionItem
from weijian.plans.tests import helpers

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no system Chromium at /usr/bin/chromium (browsers are never downloaded)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def _login(browser, live_server, user):
    page = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", testing.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_plan_from_upload_to_closed_supervision(browser, live_server, tmp_path):
    from weijian.orgs.models import Leader

    city = testing.make_city()
    users = testing.make_users(city)
    helpers.catalogue()
    users["leader"].leader = Leader.objects.create(name="张明")
    users["leader"].save()
    year = timezone.localdate().year
    doc = tmp_path / "工作要点.txt"
    doc.write_text(helpers.PLAN_TEXT, encoding="gb18030")

    # Upload and preview.
    admin = _login(browser, live_server, users["admin"])
    admin.goto(f"{live_server.url}/plans/import/")
    admin.set_input_files("input[name=file]", str(doc))
    admin.select_option("select[name=year]", str(year))
    admin.click("button:has-text('上传并识别')")
    admin.wait_for_selector("text=核对导入")
    assert admin.input_value("tr#task-t1 input[name=departments]") == "基层卫生健康科"
    assert admin.input_value("tr#task-t2 input[name=leaders]") == "李华、各相关分管领导"

    # Correct one target: 高血压患者规范管理率 70% → 不低于72%.
    row = admin.locator("table.draft-targets tr", has_text="70%")
    row.locator("input[name=value]").fill("72")
    row.locator("select[name=cmp]").select_option(">=")
    row.locator("button:has-text('保存')").click()
    admin.wait_for_function(
        "() => [...document.querySelectorAll('table.draft-targets input[name=value]')].some(i => i.value === '72')"
    )

    # Drop a false target: “建成3个示范站点” was read as a target; remove it.
    sites = admin.locator("table.draft-targets tr", has_text="3个")
    if sites.count():
        sites.locator("button:has-text('删除')").click()
        admin.wait_for_selector("table.draft-targets tr.dropped")

    admin.click("#confirm")
    admin.wait_for_selector("text=已保存计划")
    plan = Plan.objects.get()
    htn = plan.targets.get(indicator__code="HTN_RATE")
    assert (htn.value, htn.cmp) == (72, ">=")
    assert not plan.targets.filter(value=3).exists()
    admin.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    # Task page as the department, then a progress report.
    task = plan.tasks.get(num="一.（一）")
    dept = _login(browser, live_server, users["dept"])
    dept.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    assert dept.locator("h1 .status").inner_text() == "未开始"
    dept.fill("input[name=percent]", "95")
    dept.fill("textarea[name=text]", "床位建设已完成主体工程，接种门诊全部规范化。")
    dept.click("button:has-text('提交进度')")
    dept.wait_for_selector("text=进度已填报")
    assert dept.locator("h1 .status").inner_text() == "正常推进"
    assert "床位建设已完成主体工程" in dept.content()

    # 督办: the leader raises it from the task, the department replies, the leader reviews and closes.
    leader = _login(browser, live_server, users["leader"])
    leader.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    leader.click("text=发起督办")
    leader.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=7)).isoformat())
    leader.click("button:has-text('交办')")
    leader.wait_for_selector("text=督办事项已交办")
    item = SupervisionItem.objects.get()
    dept.goto(f"{live_server.url}/plans/supervision/{item.pk}/")
    dept.fill("textarea[name=text]", "已倒排工期，12月中旬前全部完成。")
    dept.click("button[value=reply]")
    dept.wait_for_selector("text=已记录“反馈”")
    leader.goto(f"{live_server.url}/plans/supervision/{item.pk}/")
    leader.fill("textarea[name=text]", "反馈属实。")
    leader.click("button[value=approve]")
    leader.wait_for_selector("text=已记录“复核”")
    leader.click("button[value=close]")
    leader.wait_for_selector("text=已记录“办结”")
    item.refresh_from_db()
    assert item.stage == Stage.CLOSED
    assert [s.stage for s in item.steps.all()] == ["assigned", "replied", "reviewed", "closed"]
    assert "已倒排工期" in leader.content()
