"""The demo plan: a short 工作要点 of our own writing for the demo city (plan.txt), imported
through the same import service as an uploaded document, with targets linked to catalogue
indicators so the demo data shows real progress (some targets met, some lagging); plus
progress reports, 督办 items and a problem list. Called by the demo loader after its users."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from weijian.accounts.models import User
from weijian.data import periods
from weijian.orgs.models import Department, Level, OrgUnit

from .. import importing
from ..models import (
    Plan,
    PlanDraft,
    ProblemItem,
    ProblemSource,
    ProgressReport,
    Rectification,
    Stage,
    SupervisionItem,
    SupervisionStep,
)

PLAN_TEXT = Path(__file__).with_name("data") / "plan.txt"  # "data/*" is shipped as package data


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def load_demo_plan(today: date) -> str:
    """Import the demo plan for `today`'s year and record a few months of supervision on it."""
    year = today.year
    admin = User.objects.get(username="admin")
    area = OrgUnit.objects.filter(level=Level.CITY).order_by("path").first()
    text = PLAN_TEXT.read_text(encoding="utf-8").replace("{year}", str(year))
    draft = PlanDraft.objects.create(
        user=admin, file_name="示例市卫生健康工作要点.txt", year=year, proposal=importing.propose(text, year)
    )
    plan = importing.confirm(draft, admin, area=area)
    issued = max(date(year, 1, 20), today - timedelta(days=200)) if today > date(year, 1, 20) else today
    Plan.objects.filter(pk=plan.pk).update(created=_at(issued))
    plan.refresh_from_db()
    # Reminders (`weijian plan remind`) go to department users by email; give the demo one an address.
    User.objects.filter(username="dept", email="").update(email="dept@demo.weijian.invalid")
    reports = _reports(plan, today)
    items = _supervision(plan, today)
    problems = _problems(plan, today)
    return (
        f"演示计划：{plan.title}，{plan.tasks.count()}项任务、{plan.targets.count()}个目标，"
        f"进度填报 {reports} 条，督办 {items} 件，问题清单 {problems} 条"
    )


def _reports(plan: Plan, today: date) -> int:
    """Monthly reports on the tasks without a measured target: two keep pace, the
    information platform stopped reporting two months ago and is behind."""
    months = [c for c in periods.children_codes(str(plan.year), "M") if periods.parse(c).end < today]
    notes = {
        "二.（三）": ("已在{n}家医院推行预约诊疗，检查检验结果互认项目持续扩大。", 1.0, 0),
        "三.（二）": ("召开专题部署会，开展集中整治自查自纠，已完成第{n}轮督查。", 1.0, 0),
        "三.（一）": ("全民健康信息平台完成需求调研，正在进行招标准备（第{n}次调度）。", 0.45, 2),
    }
    created = []
    for num, (text, pace, stop_before) in notes.items():
        task = plan.tasks.filter(num=num).prefetch_related("taskdepartment_set").first()
        if task is None:
            continue
        dept = task.taskdepartment_set.first().department
        for n, code in enumerate(months[: len(months) - stop_before] if stop_before else months, start=1):
            end = periods.parse(code).end
            pct = min(100, round(100 * pace * end.month / 12))
            created.append(
                ProgressReport(
                    task=task, period_code=code, percent=pct, text=text.format(n=n), department=dept
                )
            )
    ProgressReport.objects.bulk_create(created)
    return len(created)


def _step(item: SupervisionItem, stage: str, user: User | None, text: str, day: date, approved=None) -> None:
    step = SupervisionStep.objects.create(item=item, stage=stage, user=user, text=text, approved=approved)
    SupervisionStep.objects.filter(pk=step.pk).update(at=_at(day, 9 + item.steps.count()))


def _supervision(plan: Plan, today: date) -> int:
    leader = User.objects.get(username="leader")
    dept_user = User.objects.get(username="dept")
    county_user = User.objects.get(username="county")
    chronic = plan.tasks.filter(num="一.（三）").first()
    vaccine = plan.tasks.filter(num="一.（一）").first()
    start = today - timedelta(days=20)
    count = 0
    if chronic is not None:
        item = SupervisionItem.objects.create(
            plan=plan,
            task=chronic,
            title="督办：糖尿病患者规范管理率低于年度目标",
            description="糖尿病患者规范管理率低于年度目标，请分析原因，提出整改措施，限期反馈。",
            assignee_department=dept_user.department,
            deadline=today + timedelta(days=10),
            stage=Stage.HANDLING,
            raised_by=leader,
        )
        SupervisionItem.objects.filter(pk=item.pk).update(raised_at=_at(start))
        _step(item, Stage.ASSIGNED, leader, item.description, start)
        _step(
            item,
            Stage.HANDLING,
            dept_user,
            "已约谈随访率偏低的卫生院，每月通报规范管理进度。",
            start + timedelta(days=3),
        )
        count += 1
    county = county_user.org_unit
    if vaccine is not None and county is not None:
        item = SupervisionItem.objects.create(
            plan=plan,
            task=vaccine,
            title=f"督办：{county.name}部分乡镇接种率未达95%",
            description="请对接种率未达标的乡镇逐一查找漏种儿童，开展查漏补种。",
            assignee_org=county,
            deadline=today - timedelta(days=5),
            stage=Stage.CLOSED,
            raised_by=leader,
            closed_at=_at(today - timedelta(days=2)),
        )
        SupervisionItem.objects.filter(pk=item.pk).update(raised_at=_at(start - timedelta(days=30)))
        _step(item, Stage.ASSIGNED, leader, item.description, start - timedelta(days=30))
        _step(item, Stage.HANDLING, county_user, "已组织各卫生院开展入户核查。", start - timedelta(days=25))
        _step(
            item,
            Stage.REPLIED,
            county_user,
            "已完成查漏补种412人次，建立漏种儿童台账。",
            start - timedelta(days=8),
        )
        _step(item, Stage.REVIEWED, leader, "抽查台账属实。", today - timedelta(days=3), approved=True)
        _step(item, Stage.CLOSED, leader, "同意销号。", today - timedelta(days=2))
        count += 1
    return count


def _problems(plan: Plan, today: date) -> int:
    depts = {d.name: d for d in Department.objects.all()}
    # The demo county user's own county first, so that account has problems to rectify.
    own = User.objects.get(username="county").org_unit
    counties = [own] + list(
        OrgUnit.objects.filter(level=Level.COUNTY).exclude(pk=own.pk).order_by("path")[:1]
    )
    admin = User.objects.get(username="admin")
    rows = [
        (
            ProblemSource.PATROL,
            "市委第三巡察组",
            "部分专项资金拨付不及时，项目推进缓慢",
            "财务科",
            None,
            30,
            Rectification.DONE,
        ),
        (
            ProblemSource.PATROL,
            "市委第三巡察组",
            "“三重一大”事项集体决策记录不完整",
            "办公室",
            None,
            30,
            Rectification.DONE,
        ),
        (
            ProblemSource.PATROL,
            "市委第三巡察组",
            "干部教育培训计划执行不到位",
            "组织人事科",
            None,
            45,
            Rectification.IN_PROGRESS,
        ),
        (
            ProblemSource.SUPERVISION,
            "基本公共卫生服务项目督导",
            "居民健康档案更新不及时，存在“死档”",
            None,
            0,
            20,
            Rectification.IN_PROGRESS,
        ),
        (
            ProblemSource.SUPERVISION,
            "基本公共卫生服务项目督导",
            "慢病随访记录填写不规范",
            None,
            1,
            20,
            Rectification.DONE,
        ),
        (
            ProblemSource.INSPECTION,
            "医疗质量安全检查",
            "医院感染管理制度落实不到位",
            "医政医管科",
            None,
            15,
            Rectification.OPEN,
        ),
        (
            ProblemSource.INSPECTION,
            "医疗质量安全检查",
            "处方点评覆盖面不足",
            "医政医管科",
            None,
            -10,
            Rectification.OPEN,
        ),
    ]
    items = []
    for source, name, text, dept, county_index, days, status in rows:
        county = counties[county_index] if county_index is not None and county_index < len(counties) else None
        if dept is None and county is None:
            continue
        items.append(
            ProblemItem(
                plan=plan,
                source=source,
                source_name=name,
                description=text,
                owner_department=depts.get(dept) if dept else None,
                owner_org=county,
                deadline=today + timedelta(days=days),
                status=status,
                created_by=admin,
                measures="已制定整改方案并落实到人。" if status != Rectification.OPEN else "",
                rectified_at=today - timedelta(days=5) if status == Rectification.DONE else None,
            )
        )
    ProblemItem.objects.bulk_create(items)
    return len(items)
