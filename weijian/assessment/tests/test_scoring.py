"""Scoring a scheme from a snapshot of the data: every point explains itself, later data changes
do not move a stored result, reviews and the veto feed the total, the audit records changes."""

from decimal import Decimal as D

import pytest

from weijian import testing
from weijian.assessment import services, workflow
from weijian.assessment.models import ItemScore, Result, ScoreChange, Stage
from weijian.assessment.tests import helpers


@pytest.fixture
def scheme(city, users, reviewer, year):
    return helpers.scheme(city, users["admin"], year, reviewers=[reviewer])


def _score(scheme, unit, num):
    return ItemScore.objects.get(result__scheme=scheme, result__org_unit=unit, item__num=num)


def test_scores_come_with_value_target_numerator_and_computation(scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    a = _score(scheme, city.county_a, "1")
    assert a.points == D(20)
    assert a.inputs["value"] == "96" or D(a.inputs["value"]) == D(96)
    assert D(a.inputs["numerator"]) == D(960) and D(a.inputs["denominator"]) == D(1000)
    assert D(a.inputs["target"] if a.inputs["target"] else "95") == D(95)
    assert "96%" in a.computation and "95%" in a.computation
    b = _score(scheme, city.county_b, "1")
    assert b.points == D(0) and b.lost == D(20)
    assert "90%" in b.computation


def test_improvement_over_last_year_is_scored(scheme, city, users):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    a = _score(scheme, city.county_a, "2")  # 94% → 96%: +2 pp against 1 pp asked
    b = _score(scheme, city.county_b, "2")  # 91% → 90%: fell
    assert a.points == D(10)
    assert b.points == D(0)
    assert D(b.inputs["last_year"]) == D(91)


def test_a_later_data_change_does_not_move_a_stored_score(scheme, city, users, year):
    from weijian.data.models import DataValue

    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    DataValue.objects.filter(org_unit=city.county_b, period__code=str(year), element__code="IMM_DONE").update(
        value=D(990)
    )
    s = _score(scheme, city.county_b, "1")
    services.rescore_item(s, users["admin"], reason="复核")
    s.refresh_from_db()
    assert s.points == D(0), "rescoring starts from the snapshot, not from live data"


def test_review_feeds_the_total_and_is_audited(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_a, "3")
    workflow.review(reviewer, s, level="较好", reason="制度健全，个别台账不全")
    s.refresh_from_db()
    assert s.points == D(8)
    r = Result.objects.get(scheme=scheme, org_unit=city.county_a)
    # 20 + 10 + 8 of 40 points: the scheme is worth 40, not rescaled.
    assert r.points == D(38)
    change = ScoreChange.objects.filter(score=s).last()
    assert change.user == reviewer and change.new == "8" and "较好" not in change.old
    assert "制度健全" in change.reason


def test_veto_after_a_high_score_forces_fail(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    workflow.review(reviewer, _score(scheme, city.county_a, "3"), level="好", reason="好")
    workflow.record_checked(
        reviewer, _score(scheme, city.county_a, "5"), flag=True, note="3月发生一起重大医疗安全事件，见通报"
    )
    r = Result.objects.get(scheme=scheme, org_unit=city.county_a)
    assert r.points == D(40)
    assert r.veto and r.grade == "不合格"
    assert r.rank == 2, "a unit vetoed to 不合格 ranks after the others"


def test_overdue_supervision_deducts(scheme, city, users, year):
    from datetime import date

    from weijian.plans.models import SupervisionItem

    SupervisionItem.objects.create(
        title="乡镇卫生院危房改造", assignee_org=city.clinic_b, deadline=date(year, 6, 30)
    )
    SupervisionItem.objects.create(
        title="已办结事项",
        assignee_org=city.clinic_b,
        deadline=date(year, 6, 30),
        closed_at="2020-01-01T00:00:00Z",
    )
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_b, "4")
    assert s.points == D(-1)
    assert s.inputs["count"] == 1 and s.inputs["findings"] == ["乡镇卫生院危房改造"]


def test_results_locked_after_decision(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    for unit in (city.county_a, city.county_b):
        workflow.review(reviewer, _score(scheme, unit, "3"), level="一般", reason="一般")
    helpers.to_stage(scheme, users["admin"], Stage.DECIDED)
    with pytest.raises(workflow.WorkflowError, match="已审定"):
        services.score_scheme(scheme, users["admin"])
    with pytest.raises(workflow.WorkflowError):
        workflow.review(reviewer, _score(scheme, city.county_a, "3"), level="好", reason="改")


def test_what_if_moves_score_grade_and_rank_without_saving(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    workflow.review(reviewer, _score(scheme, city.county_a, "3"), level="差", reason="未开展")
    workflow.review(reviewer, _score(scheme, city.county_b, "3"), level="好", reason="好")
    a = Result.objects.get(scheme=scheme, org_unit=city.county_a)
    b = Result.objects.get(scheme=scheme, org_unit=city.county_b)
    assert (a.points, b.points, b.rank, b.grade) == (D(30), D(10), 2, "不合格")
    w = services.what_if(b, _score(scheme, city.county_b, "1"), value=D(95))
    assert w.new_points == D(20) and w.new_total == D(30)
    assert w.new_rank == 1, "30 against 30: a tie shares first place"
    assert w.new_grade == "合格"
    assert "（900/1000）" not in w.computation, "a changed value no longer has the stored fraction"
    b.refresh_from_db()
    assert b.rank == 2 and b.points == D(10) and _score(scheme, city.county_b, "1").points == D(0)


def test_scheme_is_locked_once_issued(scheme, users):
    from weijian.assessment.models import SchemeLocked

    helpers.to_stage(scheme, users["admin"], Stage.ISSUED)
    item = scheme.items.first()
    item.points = D(25)
    with pytest.raises(SchemeLocked, match="新建版本"):
        item.save()
    copy = services.new_version(scheme, users["admin"])
    assert copy.version == 2 and copy.items.count() == scheme.items.count() and copy.stage == Stage.DRAFT
    it = copy.items.get(num="1")
    it.points = D(25)
    it.save()


def test_lost_points_list_most_first(scheme, city, users, reviewer):
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    workflow.review(reviewer, _score(scheme, city.county_b, "3"), level="一般", reason="台账不全")
    b = Result.objects.get(scheme=scheme, org_unit=city.county_b)
    lost = services.lost_points(b)
    assert [s.item.num for s in lost] == ["1", "2", "3"]
    assert [s.lost for s in lost] == [D(20), D(10), D(4)]
    assert services.gains(b)[0].item.num == "1"


del testing


def test_unrectified_problems_and_plan_task_targets_are_counted(city, users, year):
    from datetime import date

    from weijian.assessment.models import Category, Item, Kind, Scheme, Source
    from weijian.plans.models import Plan, ProblemItem, ProblemSource, Rectification, Target, Task

    imm = helpers.figures(city, year)["imm"]
    plan = Plan.objects.create(title="工作要点", year=year, org_unit=city.city)
    task = Task.objects.create(plan=plan, num="1", title="提高免疫规划接种率")
    Target.objects.create(
        plan=plan,
        task=task,
        indicator=imm,
        phrase="接种率",
        cmp=">=",
        value=D(95),
        deadline=date(year, 12, 31),
    )
    ProblemItem.objects.create(
        source=ProblemSource.INSPECTION,
        description="冷链记录不全",
        owner_org=city.clinic_b,
        deadline=date(year, 6, 30),
    )
    ProblemItem.objects.create(
        source=ProblemSource.INSPECTION,
        description="已整改",
        owner_org=city.clinic_b,
        deadline=date(year, 6, 30),
        status=Rectification.DONE,
    )
    s = Scheme.objects.create(name="考核", year=year, kind=Kind.COUNTY, area=city.city)
    cat = Category.objects.create(scheme=s, name="重点工作")
    services.save_item(
        Item(
            scheme=s,
            category=cat,
            num="1",
            name="重点任务",
            points=D(10),
            source=Source.TASK,
            task=task,
            rule={"kind": "proportional", "target": "100"},
            order=1,
        )
    )
    services.save_item(
        Item(
            scheme=s,
            category=cat,
            num="2",
            name="问题整改",
            points=D(5),
            source=Source.PROBLEMS,
            rule={"kind": "deduction", "source": "unrectified", "per": "2"},
            is_bonus=True,
            order=2,
        )
    )
    services.score_scheme(s, users["admin"])
    a = ItemScore.objects.get(result__scheme=s, result__org_unit=city.county_a, item__num="1")
    b = ItemScore.objects.get(result__scheme=s, result__org_unit=city.county_b, item__num="1")
    assert (a.inputs["numerator"], a.inputs["denominator"], a.points) == ("1", "1", D(10))  # 96% meets ≥95%
    assert (b.inputs["numerator"], b.points) == ("0", D(0))  # 90% does not
    p = ItemScore.objects.get(result__scheme=s, result__org_unit=city.county_b, item__num="2")
    assert p.inputs["count"] == 1 and p.inputs["findings"] == ["冷链记录不全"] and p.points == D(-2)
    assert Result.objects.get(scheme=s, org_unit=city.county_b).points == D(0), (
        "the total never falls below 0"
    )


def test_a_veto_nobody_has_checked_follows_its_missing_data_policy(scheme, city, users, reviewer):
    # 重大医疗安全事件 with the policy "failing" (未核定按未达标处理): before the 考核组 has recorded
    # anything the unit is vetoed; once a reviewer records that nothing happened, it is not.
    from weijian.assessment.models import Item

    item = Item.objects.get(scheme=scheme, num="5")
    item.rule = {**item.rule, "missing": "failing"}
    services.save_item(item)
    helpers.to_stage(scheme, users["admin"], Stage.REVIEW)
    s = _score(scheme, city.county_a, "5")
    assert s.status == "vetoed" and "按未达标处理" in s.computation
    workflow.record_checked(reviewer, s, flag=False, note="经核查全年未发生重大医疗安全事件")
    s.refresh_from_db()
    assert s.status != "vetoed" and "未触发否决条件" in s.computation
    assert not Result.objects.get(scheme=scheme, org_unit=city.county_a).veto
