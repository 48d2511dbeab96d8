"""The demo plan: imported through the import service into the demo city, it shows real
progress from the demo data — some targets met, some lagging — with reports, 督办 and problems."""

from datetime import date

import pytest

from weijian.orgs.models import Department
from weijian.plans import tracking
from weijian.plans.models import Plan, ProblemItem, Stage, SupervisionItem

TODAY = date(2025, 8, 15)


@pytest.fixture
def demo(db):
    from weijian.demo.loader import load_demo

    return load_demo(today=TODAY, counties=2)


def test_demo_plan_shows_real_progress(demo):
    plan = Plan.objects.get()
    assert plan.year == 2025
    items = tracking.tasks_with_progress(plan.tasks.all(), TODAY)
    targets = [t for i in items for t in i.targets]
    statuses = {t.status for t in targets}
    assert tracking.Status.COMPLETED in statuses and tracking.Status.LAGGING in statuses
    # Every target is linked to the catalogue and measured from the demo data.
    assert all(t.target.indicator_id and t.actual is not None for t in targets)
    vaccine = next(t for t in targets if t.target.indicator.code == "IMM_RATE")
    assert vaccine.units and vaccine.target.scope == "township"
    assert {u.met for u in vaccine.units} <= {True, False}
    lagging_tasks = [i.task.num for i in items if i.status == tracking.Status.LAGGING]
    assert "三.（一）" in lagging_tasks  # stopped reporting and behind


def test_demo_plan_owners_match_the_demo_commission(demo):
    plan = Plan.objects.get()
    assert Department.objects.count() == 19  # 疾控科, 基层科 … matched by alias, none created
    task = plan.tasks.get(num="一.（一）")
    assert task.department_names() == ["疾病预防控制科", "基层卫生健康科"]
    assert task.leader_names() == ["陈志远"]


def test_demo_plan_has_reports_supervision_and_problems(demo):
    plan = Plan.objects.get()
    assert plan.tasks.filter(reports__isnull=False).distinct().count() == 3
    stages = set(SupervisionItem.objects.values_list("stage", flat=True))
    assert stages == {Stage.HANDLING, Stage.CLOSED}
    closed = SupervisionItem.objects.get(stage=Stage.CLOSED)
    assert list(closed.steps.values_list("stage", flat=True)) == [
        "assigned",
        "handling",
        "replied",
        "reviewed",
        "closed",
    ]
    assert (
        ProblemItem.objects.filter(status="done").exists()
        and ProblemItem.objects.exclude(status="done").exists()
    )
