"""Re-importing a revised document: what changed is shown, and applying it keeps the progress
already recorded (tasks matched by number, then by title similarity)."""

from datetime import timedelta

from django.utils import timezone

from weijian.plans import importing, progress, supervision
from weijian.plans.models import PlanDraft, Task
from weijian.plans.tests import helpers
from weijian.textmine.model import Analysis

YEAR = timezone.localdate().year

REVISED = """示例市卫生健康工作要点（修订）

一、夯实基层服务网络
（一）完善村卫生室布局。消除村卫生室空白点。（责任领导：张明，责任科室：基层卫生健康科）
（二）推进基层医疗机构标准化建设。年底前全市新增基层床位120张。以乡镇为单位适龄儿童免疫规划疫苗接种率保持在95%以上。（责任领导：张明，责任科室：基层卫生健康科）
（三）加强家庭医生签约服务。完善签约服务包。（责任领导：赵丽，牵头科室：医政医管科）
二、提升公共卫生水平
（一）做好慢病管理。高血压患者规范管理率达到70%。（责任领导：张明，责任科室：疾控科、基层卫生健康科）
"""


def revised_analysis() -> Analysis:
    t = REVISED
    a = helpers.plan_analysis(helpers.PLAN_TEXT)
    return (
        Analysis(
            kind="plan",
            region="示例市",
            year=None,
            sections=[],
            tasks=[
                helpers._task(t, "一.（一）", "完善村卫生室布局", ["张明"], ["基层卫生健康科"]),
                helpers._task(t, "一.（二）", "推进基层医疗机构标准化建设", ["张明"], ["基层卫生健康科"]),
                helpers._task(t, "一.（三）", "加强家庭医生签约服务", ["赵丽"], [], ["医政医管科"]),
                helpers._task(t, "二.（一）", "做好慢病管理", ["张明"], ["疾控科", "基层卫生健康科"]),
            ],
            facts=[
                helpers._fact(t, "120张", 120, "张", "=", "target", "新增基层床位"),
                helpers._fact(
                    t, "95%以上", 95, "%", ">=", "target", "以乡镇为单位适龄儿童免疫规划疫苗接种率"
                ),
                helpers._fact(t, "70%", 70, "%", "=", "target", "高血压患者规范管理率"),
            ],
        )
        if a
        else None
    )


def _revise(plan, user):
    proposal = importing.propose(REVISED, plan.year, analysis=revised_analysis())
    return PlanDraft.objects.create(
        user=user, plan=plan, file_name="要点（修订）.txt", year=plan.year, proposal=proposal
    )


def test_diff_lists_added_removed_reworded_and_owner_changes(plan, users):
    draft = _revise(plan, users["admin"])
    changes = {
        (c.kind, (c.item or {}).get("num") or c.task.num) for c in importing.diff(plan, draft.proposal)
    }
    assert ("added", "一.（一）") in changes
    assert ("reworded", "一.（二）") in changes  # was 一.（一）, title reworded and renumbered
    assert ("owners", "一.（三）") in changes  # 李华 → 赵丽
    assert ("removed", "二.（二）") in changes
    assert ("unchanged", "二.（一）") in changes
    assert (
        importing.changes_summary(importing.diff(plan, draft.proposal))
        == "新增1项，删除1项，表述修改1项，责任调整1项"
    )


def test_applying_a_revision_keeps_recorded_progress(plan, users, city):
    building = plan.tasks.get(num="一.（一）")
    conduct = plan.tasks.get(num="二.（二）")
    conduct.taskdepartment_set.update(department=users["dept"].department)
    report = progress.submit_report(
        users["dept"], building, period_code=f"{YEAR}01", percent=30, text="已开工"
    )
    progress.submit_report(users["dept"], conduct, period_code=f"{YEAR}01", percent=50, text="整顿中")
    item = supervision.raise_item(
        users["leader"],
        title="督办床位",
        deadline=timezone.localdate() + timedelta(days=5),
        task=building,
        assignee_department=users["dept"].department,
    )
    beds = plan.targets.get(phrase="新增基层床位")

    importing.confirm(_revise(plan, users["admin"]), users["admin"])

    building.refresh_from_db()
    assert (building.num, building.title, building.active) == (
        "一.（二）",
        "推进基层医疗机构标准化建设",
        True,
    )
    assert list(building.reports.all()) == [report]
    item.refresh_from_db()
    assert item.task == building
    beds.refresh_from_db()
    assert (beds.pk, beds.value, beds.task) == (beds.pk, 120, building)
    conduct.refresh_from_db()
    assert not conduct.active and conduct.reports.count() == 1
    assert plan.tasks.get(num="一.（三）").leader_names() == ["赵丽"]
    assert Task.objects.active().filter(plan=plan).count() == 4
    assert plan.targets.filter(active=True).count() == 3


def test_changed_target_is_audited_with_old_and_new(plan, users):
    from weijian.accounts.models import AuditEvent

    beds = plan.targets.get(phrase="新增基层床位")
    importing.confirm(_revise(plan, users["admin"]), users["admin"])
    event = AuditEvent.objects.get(object_type="plans.target", object_id=str(beds.pk))
    assert "100张" in event.old_value and "120张" in event.new_value and event.username == "t_admin"
