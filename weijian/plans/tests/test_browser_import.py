"""In a real browser: a department user imports an Excel 台账, corrects one owner in the draft
(saved as it is typed, with 已保存 shown), confirms; a 督办 on the task, which has two
departments, is handled by one of them and closed by the leader."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weijian import testing
from weijian.plans.models import Plan, Stage, SupervisionItem
from weijian.plans.tests.test_browser import CHROMIUM, _login, browser  # noqa: F401 - the fixture
from weijian.textmine.tests.test_tables import HEADER, ROWS, _xlsx

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_department_imports_a_ledger_corrects_an_owner_and_handles_a_two_department_supervision(
    browser,  # noqa: F811
    live_server,
    tmp_path,
):
    from weijian.orgs.models import Leader

    city = testing.make_city()
    users = testing.make_users(city)  # the department user belongs to 基层卫生健康科
    users["leader"].leader = Leader.objects.create(name="刘一")
    users["leader"].save()
    year = timezone.localdate().year
    ledger = tmp_path / "重点任务台账.xlsx"
    ledger.write_bytes(_xlsx([HEADER, ROWS[0], ["", "", *ROWS[1][2:]], *ROWS[2:]], merges=["A3:A4", "B3:B4"]))

    dept = _login(browser, live_server, users["dept"])
    dept.goto(f"{live_server.url}/plans/")
    dept.click("text=导入工作要点")
    dept.set_input_files("input[name=file]", str(ledger))
    dept.select_option("select[name=year]", str(year))
    dept.click("button:has-text('上传并识别')")
    dept.wait_for_selector("text=核对导入")
    # 基层科 is close to the existing 基层卫生健康科: the preview asks instead of creating it.
    assert dept.locator("#departments", has_text="“基层科”是否为已有科室“基层卫生健康科”？").count() == 1
    row = dept.locator("tr#task-t1")
    assert row.locator("input[name=departments]").input_value() == "基层科、妇幼科"
    assert row.locator("input[name=lead_departments]").input_value() == "医政科"
    assert row.locator("input[name=deadline]").input_value() == f"{year}-12-31"
    dept.screenshot(path="/tmp/h5_draft.png", full_page=True)

    # Correct one owner by typing; leaving the field saves the row.
    row.locator("input[name=departments]").fill("基层卫生健康科、妇幼科")
    row.locator("input[name=departments]").press("Tab")
    dept.wait_for_selector("tr#task-t1 .saved")
    assert "已保存" in dept.locator("tr#task-t1").inner_text()
    dept.click("#confirm")
    dept.wait_for_selector("text=已保存计划")
    plan = Plan.objects.get()
    task = plan.tasks.get(num="1")
    assert task.department_names(lead=False) == ["基层卫生健康科", "妇幼科"]
    assert task.department_names(lead=True) == ["医政科"]
    assert plan.created_by == users["dept"]

    # 督办 on the two-department task: raised by the leader, handled by 基层卫生健康科, closed.
    leader = _login(browser, live_server, users["leader"])
    leader.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    leader.click("text=发起督办")
    leader.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=10)).isoformat())
    leader.click("button:has-text('交办')")
    leader.wait_for_selector("text=督办事项已交办")
    item = SupervisionItem.objects.get()
    dept.goto(f"{live_server.url}/plans/supervision/")
    assert dept.locator(f"a[href='/plans/supervision/{item.pk}/']").count() == 1  # listed once
    dept.goto(f"{live_server.url}/plans/supervision/{item.pk}/")
    dept.fill("textarea[name=text]", "医共体牵头医院已完成分工，签约扩面按月推进。")
    dept.click("button[value=reply]")
    dept.wait_for_selector("text=已记录“反馈”")
    leader.goto(f"{live_server.url}/plans/supervision/{item.pk}/")
    leader.fill("textarea[name=text]", "情况属实。")
    leader.click("button[value=approve]")
    leader.wait_for_selector("text=已记录“复核”")
    leader.click("button[value=close]")
    leader.wait_for_selector("text=已记录“办结”")
    item.refresh_from_db()
    assert item.stage == Stage.CLOSED
