"""Scope of plan objects: who reads and changes which tasks, targets, 督办 and problem items,
and for every page and API endpoint that a user outside its scope gets 403/404, never the data."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from weijian.orgs.models import Department
from weijian.plans import progress, supervision
from weijian.plans.models import ProblemSource, Target, Task
from weijian.plans.tests import helpers
from weijian.testing import make_user

YEAR = timezone.localdate().year
SOON = timezone.localdate() + timedelta(days=10)


@pytest.fixture
def world(plan, users, city):
    """A plan with a report and attachment, a 督办 item and a problem for 甲县, and outsiders."""
    task = plan.tasks.get(num="一.（一）")
    report = progress.submit_report(
        users["dept"],
        task,
        period_code=f"{YEAR}01",
        percent=10,
        text="起步",
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1")],
    )
    item = supervision.raise_item(
        users["leader"], title="督办甲县", deadline=SOON, task=task, assignee_org=city.county_a
    )
    dept_item = supervision.raise_item(
        users["leader"],
        title="督办科室",
        deadline=SOON,
        task=task,
        assignee_department=users["dept"].department,
    )
    problem = supervision.register_problem(
        users["leader"],
        source=ProblemSource.INSPECTION,
        description="甲县问题",
        deadline=SOON,
        owner_org=city.county_a,
    )
    other = make_user("other_dept", "dept", department=Department.objects.create(name="财务科"))
    return {
        "plan": plan,
        "task": task,
        "report": report,
        "item": item,
        "dept_item": dept_item,
        "problem": problem,
        "other_dept": other,
        "quiet_task": plan.tasks.get(num="二.（二）"),
    }


def test_readers_of_tasks(world, users):
    plan = world["plan"]
    for role in ("admin", "leader", "dept"):
        assert Task.objects.for_user(users[role]).count() == plan.tasks.count()
    # A county user sees only tasks carrying a target that every unit (and so it) must meet.
    assert list(Task.objects.for_user(users["county"]).values_list("num", flat=True)) == ["一.（一）"]


def test_changers_of_tasks(world, users):
    task = world["task"]
    assert Task.objects.changeable_by(users["dept"]).filter(pk=task.pk).exists()
    assert not Task.objects.changeable_by(world["other_dept"]).filter(pk=task.pk).exists()
    assert not Task.objects.changeable_by(users["leader"]).exists()
    assert Task.objects.changeable_by(users["admin"]).count() == world["plan"].tasks.count()


def test_county_reads_per_unit_targets_but_not_city_wide_ones(world, users):
    phrases = set(Target.objects.for_user(users["county"]).values_list("phrase", flat=True))
    assert phrases == {"以乡镇为单位适龄儿童免疫规划疫苗接种率"}


def test_targets_split_for_a_county_are_seen_by_that_county_only(world, users, city):
    beds = world["plan"].targets.get(phrase="新增基层床位")
    beds.scope, beds.org_unit = "unit", city.county_b
    beds.save()
    assert not Target.objects.for_user(users["county"]).filter(pk=beds.pk).exists()
    assert Target.objects.for_user(users["other_county"]).filter(pk=beds.pk).exists()


def test_supervision_and_problems_scope(world, users):
    from weijian.plans.models import ProblemItem, SupervisionItem

    assert set(SupervisionItem.objects.for_user(users["county"])) == {world["item"]}
    assert set(SupervisionItem.objects.for_user(users["other_county"])) == set()
    assert set(SupervisionItem.objects.for_user(users["dept"])) == {
        world["item"],
        world["dept_item"],
    }  # its task
    assert set(SupervisionItem.objects.for_user(world["other_dept"])) == set()
    assert set(ProblemItem.objects.for_user(users["inst"])) == set()  # owner is the county above it
    assert set(ProblemItem.objects.for_user(users["county"])) == {world["problem"]}


def _pages(world):
    plan = world["plan"]
    return {
        "dashboard": reverse("plans:plan", args=[plan.pk]),
        "tasks": reverse("plans:tasks", args=[plan.pk]),
        "by_department": reverse("plans:by_department", args=[plan.pk]),
        "export_xlsx": reverse("plans:export_xlsx", args=[plan.pk]),
        "export_docx": reverse("plans:export_docx", args=[plan.pk]),
        "revise": reverse("plans:revise", args=[plan.pk]),
        "import": reverse("plans:import"),
        "quiet_task": reverse("plans:task", args=[world["quiet_task"].pk]),
        "attachment": reverse("plans:attachment", args=[world["report"].attachments.get().pk]),
        "supervision_new": reverse("plans:supervision_new"),
        "problem_new": reverse("plans:problem_new"),
    }


@pytest.mark.parametrize(
    "page",
    [
        "dashboard",
        "tasks",
        "by_department",
        "export_xlsx",
        "export_docx",
        "revise",
        "import",
        "quiet_task",
        "attachment",
        "supervision_new",
        "problem_new",
    ],
)
def test_county_user_is_refused_commission_pages(client, world, users, page):
    client.force_login(users["county"])
    r = client.get(_pages(world)[page])
    assert r.status_code in (403, 404)
    assert "强化作风建设" not in r.content.decode()


def test_county_sees_only_its_own_county_and_units(client, world, users, city):
    client.force_login(users["county"])
    page = client.get(reverse("plans:by_county", args=[world["plan"].pk])).content.decode()
    assert "甲县" in page and "乙区" not in page and "乙街道社区卫生服务中心" not in page
    page = client.get(reverse("plans:task", args=[world["task"].pk])).content.decode()
    assert "甲镇卫生院" in page and "乙街道社区卫生服务中心" not in page
    assert "新增基层床位" not in page  # city-wide target
    assert "起步" not in page  # the department's reports


def test_outsiders_of_items_get_404(client, world, users):
    client.force_login(users["other_county"])
    assert client.get(reverse("plans:supervision", args=[world["item"].pk])).status_code == 404
    assert client.get(reverse("plans:problem", args=[world["problem"].pk])).status_code == 404
    r = client.post(
        reverse("plans:supervision_step", args=[world["item"].pk]), {"action": "reply", "text": "x"}
    )
    assert r.status_code == 404
    client.force_login(world["other_dept"])
    assert client.get(reverse("plans:supervision", args=[world["dept_item"].pk])).status_code == 404
    assert "督办甲县" not in client.get(reverse("plans:supervision_list")).content.decode()


def test_wrong_department_cannot_report_or_set_actuals(client, world, users):
    client.force_login(world["other_dept"])
    r = client.post(
        reverse("plans:report", args=[world["task"].pk]),
        {"period_code": f"{YEAR}01", "percent": 50, "text": "冒名填报"},
    )
    assert r.status_code == 403
    target = world["plan"].targets.get(phrase="新增基层床位")
    assert client.post(reverse("plans:target_actual", args=[target.pk]), {"value": "9"}).status_code == 403
    client.force_login(users["leader"])
    assert (
        client.post(
            reverse("plans:report", args=[world["task"].pk]),
            {"period_code": f"{YEAR}01", "percent": 50, "text": "x"},
        ).status_code
        == 403
    )
    assert world["task"].reports.count() == 1


def test_county_cannot_update_a_problem_of_another(client, world, users):
    client.force_login(users["other_county"])
    r = client.post(reverse("plans:problem", args=[world["problem"].pk]), {"status": "done", "measures": "x"})
    assert r.status_code == 404
    world["problem"].refresh_from_db()
    assert world["problem"].status == "open"


def test_draft_belongs_to_its_uploader(client, users, cat):
    draft = helpers.draft_for(users["admin"], YEAR)
    other_admin = make_user("admin2", "admin")
    client.force_login(other_admin)
    assert client.get(reverse("plans:draft", args=[draft.pk])).status_code == 404
    assert client.post(reverse("plans:draft_confirm", args=[draft.pk])).status_code == 404
    key = draft.proposal["targets"][0]["key"]
    assert client.post(reverse("plans:draft_target", args=[draft.pk, key]), {"value": "1"}).status_code == 404
    # Departments import their own plans now (see test_import_scope); leaders do not.
    client.force_login(users["leader"])
    assert client.get(reverse("plans:import")).status_code == 403


def test_api_is_scoped(client, world, users):
    client.force_login(users["county"])
    tasks = client.get("/api/plans/tasks/").json()["results"]
    assert [t["num"] for t in tasks] == ["一.（一）"]
    assert client.get(f"/api/plans/tasks/{world['quiet_task'].pk}/").status_code == 404
    targets = client.get("/api/plans/targets/").json()["results"]
    assert [t["phrase"] for t in targets] == ["以乡镇为单位适龄儿童免疫规划疫苗接种率"]
    assert {u["name"] for u in targets[0]["progress"]["units"]} == {"甲镇卫生院"}
    items = client.get("/api/plans/supervision/").json()["results"]
    assert [i["title"] for i in items] == ["督办甲县"]
    client.force_login(users["other_county"])
    assert client.get("/api/plans/problems/").json()["results"] == []
    assert client.get(f"/api/plans/problems/{world['problem'].pk}/").status_code == 404
    r = client.post(
        f"/api/plans/tasks/{world['task'].pk}/reports/",
        {"period_code": f"{YEAR}02", "percent": 5, "text": "x"},
    )
    assert r.status_code in (403, 404)
    client.logout()
    assert client.get("/api/plans/tasks/").status_code in (401, 403)


def test_api_task_status_and_report(client, world, users):
    client.force_login(users["dept"])
    r = client.post(
        f"/api/plans/tasks/{world['task'].pk}/reports/",
        {"period_code": f"{YEAR}02", "percent": 30, "text": "进展顺利"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["percent"] == 30
    r = client.post(
        f"/api/plans/tasks/{world['task'].pk}/reports/",
        {"period_code": "1999", "percent": 30, "text": "x"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "不在计划年度" in r.json()["detail"]
    task = client.get(f"/api/plans/tasks/{world['task'].pk}/").json()
    assert task["percent"] == 30 and task["departments"] == ["基层卫生健康科"] and task["status_label"]


def test_county_user_sees_its_own_figure_not_the_citys(client, world, users, city):
    from weijian.plans.tests.helpers import put

    put("IMM_DONE", city.clinic_a, f"{YEAR}Q1", 90)
    put("IMM_DUE", city.clinic_a, f"{YEAR}Q1", 100)
    put("IMM_DONE", city.clinic_b, f"{YEAR}Q1", 100)
    put("IMM_DUE", city.clinic_b, f"{YEAR}Q1", 100)
    client.force_login(users["county"])
    page = client.get(reverse("plans:task", args=[world["task"].pk])).content.decode()
    # 甲县's rate, not the city's 95%.
    assert '<td class="num">90' in page and '<td class="num">95' not in page
    assert "乙街道社区卫生服务中心" not in page
