"""督办 chain and problem lists: who may take each step, what is recorded, completion rates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weijian.orgs.models import Department
from weijian.plans import supervision
from weijian.plans.models import ProblemItem, ProblemSource, Rectification, Stage

SOON = timezone.localdate() + timedelta(days=10)


def _item(plan, users, **kw):
    task = plan.tasks.get(num="一.（一）")
    kw.setdefault("assignee_department", users["dept"].department)
    return supervision.raise_item(users["leader"], title="督办：床位建设滞后", deadline=SOON, task=task, **kw)


def test_full_chain_is_recorded_with_who_and_what(plan, users):
    item = _item(plan, users)
    supervision.handle(users["dept"], item, "已召开专题会，制定推进表")
    supervision.reply(users["dept"], item, "新增床位已完成60张，其余9月底前完成")
    supervision.review(users["leader"], item, True, "反馈属实")
    supervision.close(users["leader"], item, "同意销号")
    item.refresh_from_db()
    assert item.stage == Stage.CLOSED and item.closed_at is not None
    steps = list(item.steps.values_list("stage", "user__username", "text"))
    assert [s[0] for s in steps] == ["assigned", "handling", "replied", "reviewed", "closed"]
    assert steps[2] == ("replied", "t_dept", "新增床位已完成60张，其余9月底前完成")
    assert steps[4][1] == "t_leader"


def test_failed_review_sends_the_item_back(plan, users):
    item = _item(plan, users)
    supervision.reply(users["dept"], item, "已推进")
    supervision.review(users["leader"], item, False, "缺少具体数据")
    item.refresh_from_db()
    assert item.stage == Stage.HANDLING
    with pytest.raises(supervision.SupervisionError, match="不能进行“办结”"):
        supervision.close(users["leader"], item)


def test_only_the_assignee_replies_and_only_the_raiser_side_closes(plan, users):
    item = _item(plan, users)
    other = Department.objects.create(name="医政医管科二")
    from weijian.testing import make_user

    outsider = make_user("other_dept", "dept", department=other)
    with pytest.raises(supervision.SupervisionError, match="承办"):
        supervision.reply(outsider, item, "x")
    with pytest.raises(supervision.SupervisionError, match="承办"):
        supervision.reply(users["county"], item, "x")
    supervision.reply(users["dept"], item, "完成")
    with pytest.raises(supervision.SupervisionError, match="复核"):
        supervision.review(users["dept"], item, True, "自己通过")
    with pytest.raises(supervision.SupervisionError, match="发起督办"):
        supervision.raise_item(users["dept"], title="x", deadline=SOON, assignee_department=other)


def test_item_assigned_to_a_county_is_handled_by_that_county(plan, users, city):
    item = _item(plan, users, assignee_department=None, assignee_org=city.county_a)
    with pytest.raises(supervision.SupervisionError):
        supervision.reply(users["other_county"], item, "x")
    supervision.reply(users["county"], item, "甲县已整改")
    assert item.stage == Stage.REPLIED


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"assignee_department": None}, "二选一"),
        ({"title": " "}, "不能为空"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "早于今天"),
    ],
)
def test_bad_item_is_refused(plan, users, kw, message):
    args = {"title": "督办", "deadline": SOON, "assignee_department": users["dept"].department, **kw}
    with pytest.raises(supervision.SupervisionError, match=message):
        supervision.raise_item(users["leader"], **args)


def test_completion_rate_per_source_and_unit(users, city):
    dept = users["dept"].department
    for i in range(38):
        p = supervision.register_problem(
            users["admin"],
            source=ProblemSource.PATROL,
            description=f"问题{i}",
            deadline=SOON,
            owner_department=dept,
        )
        if i < 36:
            supervision.update_rectification(users["dept"], p, Rectification.DONE, "已整改到位")
    supervision.register_problem(
        users["admin"],
        source=ProblemSource.INSPECTION,
        description="院感检查问题",
        deadline=SOON,
        owner_org=city.hospital_a,
    )
    rates = supervision.completion_rates(ProblemItem.objects.all())
    patrol = next(c for c in rates["source"] if c.label == "巡察")
    assert (patrol.done, patrol.total, str(patrol.rate)) == (36, 38, "94.74")
    hospital = next(c for c in rates["owner"] if c.label == "甲县人民医院")
    assert (hospital.done, hospital.total, hospital.rate_display) == (0, 1, "0.00%")
    assert str(rates["all"][0].rate) == "92.31"  # 36 of 39


def test_rectification_rules(users, city):
    p = supervision.register_problem(
        users["leader"],
        source=ProblemSource.SUPERVISION,
        description="督导发现问题",
        deadline=SOON,
        owner_org=city.county_a,
    )
    with pytest.raises(supervision.SupervisionError, match="必须填写整改措施"):
        supervision.update_rectification(users["county"], p, Rectification.DONE, "")
    with pytest.raises(supervision.SupervisionError, match="责任"):
        supervision.update_rectification(users["other_county"], p, Rectification.IN_PROGRESS, "x")
    supervision.update_rectification(users["county"], p, Rectification.DONE, "制度已修订")
    p.refresh_from_db()
    assert p.status == Rectification.DONE and p.rectified_at == timezone.localdate()
