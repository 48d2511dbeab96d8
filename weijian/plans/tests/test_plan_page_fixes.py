"""Defects found walking the plan pages as users (issue 8): a 督办 on a task with two
departments, the 完成整改 date of a problem item, and the reason every status gives on the
pages and in the API."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from weijian.orgs.models import Department
from weijian.plans import supervision, tracking
from weijian.plans.models import ProblemSource, Rectification, Stage
from weijian.plans.tests.helpers import put
from weijian.testing import make_user

YEAR = timezone.localdate().year


def _two_department_item(plan, users):
    """A 督办 item on a task owned by 基层卫生健康科 and 疾控科, assigned to 基层卫生健康科."""
    task = plan.tasks.get(num="二.（一）")  # 做好慢病管理: 疾控科、基层卫生健康科
    assert task.taskdepartment_set.count() == 2
    item = supervision.raise_item(
        users["leader"],
        title="督办慢病管理",
        deadline=timezone.localdate() + timedelta(days=10),
        task=task,
        assignee_department=users["dept"].department,
    )
    return task, item


def test_supervision_on_a_two_department_task_is_listed_once_and_opens(client, plan, users):
    task, item = _two_department_item(plan, users)
    client.force_login(users["dept"])
    listing = client.get(reverse("plans:supervision_list")).content.decode()
    assert listing.count(reverse("plans:supervision", args=[item.pk])) == 1
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert page.count(reverse("plans:supervision", args=[item.pk])) == 1
    r = client.get(reverse("plans:supervision", args=[item.pk]))
    assert r.status_code == 200 and "督办慢病管理" in r.content.decode()
    for action, text in (("handle", "已部署"), ("reply", "已完成规范管理")):
        r = client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": action, "text": text})
        assert r.status_code == 302
    client.force_login(users["leader"])
    client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": "approve", "text": "属实"})
    client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": "close", "text": ""})
    item.refresh_from_db()
    assert item.stage == Stage.CLOSED


def test_the_other_department_of_the_task_reads_the_item_but_cannot_handle_it(client, plan, users):
    _task, item = _two_department_item(plan, users)
    jk = make_user("t_jk", "dept", department=Department.objects.get(name="疾控科"))
    client.force_login(jk)
    page = client.get(reverse("plans:supervision", args=[item.pk])).content.decode()
    assert "督办慢病管理" in page and 'value="reply"' not in page
    client.post(reverse("plans:supervision_step", args=[item.pk]), {"action": "reply", "text": "x"})
    item.refresh_from_db()
    assert item.stage == Stage.ASSIGNED


def _form_as_a_browser_sends_it(html: str) -> dict:
    """The problem form's fields as a browser submits them: a date input whose value is not
    an ISO date (YYYY-MM-DD) shows nothing and sends an empty string."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        value = value.group(1) if value else ""
        if 'type="date"' in tag and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = ""
        data[name.group(1)] = value
    status = re.search(r'<select name="status"[^>]*>.*?<option value="([^"]+)"[^>]*selected', html, re.S)
    data["status"] = status.group(1)
    data["measures"] = re.search(r'<textarea name="measures"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1)
    return data


def test_saving_a_problem_item_keeps_its_rectification_date(client, users, city):
    item = supervision.register_problem(
        users["leader"],
        source=ProblemSource.INSPECTION,
        description="台账不全",
        deadline=timezone.localdate() + timedelta(days=30),
        owner_org=city.county_a,
    )
    done_on = timezone.localdate() - timedelta(days=3)
    supervision.update_rectification(users["county"], item, Rectification.DONE, "已补齐", done_on)
    client.force_login(users["county"])
    url = reverse("plans:problem", args=[item.pk])
    html = client.get(url).content.decode()
    assert f'value="{done_on:%Y-%m-%d}"' in html
    data = _form_as_a_browser_sends_it(html)
    data["measures"] = "已补齐台账并建立月检制度"
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.rectified_at == done_on and item.measures == "已补齐台账并建立月检制度"


def test_task_pages_dashboard_and_api_say_why_a_task_lags(client, plan, users, city):
    put("BEDS_NEW", city.hospital_a, f"{YEAR}01", 5)
    task = plan.tasks.get(num="一.（一）")
    target = task.targets.get(phrase__contains="床位")
    target.deadline = timezone.localdate() - timedelta(days=1)  # its time is up: 5 of 100 beds
    target.save()
    client.force_login(users["leader"])
    [item] = tracking.tasks_with_progress(plan.tasks.filter(pk=task.pk))
    assert item.status == tracking.Status.LAGGING
    assert f"新增基层床位：已过完成时限（{target.deadline.year}年" in item.reason
    assert "实际5张，目标达到100张" in item.reason
    for url in (
        reverse("plans:tasks", args=[plan.pk]),
        reverse("plans:task", args=[task.pk]),
        reverse("plans:plan", args=[plan.pk]),
    ):
        assert item.reason in client.get(url).content.decode(), url
    api = client.get(f"/api/plans/tasks/{task.pk}/").json()
    assert api["status"] == "lagging" and api["reason"] == item.reason
    body = client.get(f"/api/plans/targets/{target.pk}/").json()
    assert body["progress"]["status"] == "lagging"
    assert (
        body["progress"]["reason"] == item.targets[0].reason and "已过完成时限" in body["progress"]["reason"]
    )


def test_a_plan_whose_area_has_no_data_says_so(client, plan, users):
    client.force_login(users["leader"])
    page = client.get(reverse("plans:plan", args=[plan.pk])).content.decode()
    assert f"示例市没有{YEAR}年的指标数据" in page
