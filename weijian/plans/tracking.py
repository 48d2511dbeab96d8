"""Progress of a plan: the actual of each target (from the data app, for its scope and the plan
year), whether every unit of a per-unit target meets it, red/amber/green against time elapsed,
the status of targets and tasks (已完成 / 正常推进 / 滞后 / 未开始), the 3-day warning, and the
progress reports a task owes (逾期未报) with the reminders that chase them.

Nothing here is stored: it is computed from targets, data values and reports when asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Prefetch
from django.utils import timezone

from weijian.data import periods
from weijian.orgs.models import InstitutionType, Level, OrgUnit

from .models import Plan, ProgressReport, ReportReminder, Scope, Target, Task

GREEN_GAP = Decimal("0.05")  # behind the clock by at most 5 points of the way: on course
AMBER_GAP = Decimal("0.15")  # up to 15 points behind: watch it; further behind: 滞后
WARNING_DAYS = 3
RATE_UNITS = {"%", "‰", "1/万", "1/10万", "‱"}


class Status:
    COMPLETED = "completed"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    NOT_STARTED = "not_started"
    LABELS = {COMPLETED: "已完成", ON_TRACK: "正常推进", LAGGING: "滞后", NOT_STARTED: "未开始"}
    ORDER = [COMPLETED, ON_TRACK, LAGGING, NOT_STARTED]


RAG_LABELS = {"green": "绿", "amber": "黄", "red": "红", "grey": "无数据"}
_RAG_RANK = {"grey": 0, "green": 1, "amber": 2, "red": 3}


@dataclass
class UnitResult:
    org_unit: OrgUnit
    actual: Decimal | None
    met: bool | None


@dataclass
class TargetProgress:
    target: Target
    actual: Decimal | None
    met: bool | None
    progress: Decimal | None  # 0..1, how far towards the target
    expected: Decimal  # 0..1, how far it should be by now
    rag: str
    status: str
    due_soon: bool
    overdue: bool
    units: list[UnitResult] = field(default_factory=list)

    @property
    def failing_units(self) -> list[UnitResult]:
        return [u for u in self.units if u.met is not True]

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def actual_display(self) -> str:
        if self.actual is None:
            return "—"
        return f"{_fmt(self.actual)}{self.target.unit}"


@dataclass
class TaskProgress:
    task: Task
    status: str
    rag: str
    percent: int | None  # last reported percent
    targets: list[TargetProgress]
    due_soon: bool
    missing_reports: list[str]  # period codes past due without a report
    needs_reports: bool

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def late(self) -> bool:
        return bool(self.missing_reports)


def _fmt(v: Decimal) -> str:
    try:
        from weijian.data.formatting import format_figure

        return format_figure(v, "", 2)
    except ImportError:  # the data app's formatter not yet present
        q = v.quantize(Decimal("0.01")).normalize()
        return f"{q:f}"


def year_start(plan: Plan) -> date:
    return date(plan.year, 1, 1)


def elapsed(start: date, deadline: date, today: date) -> Decimal:
    """Share of the time from start to deadline that has passed, 0..1."""
    total = (deadline - start).days
    if total <= 0:
        return Decimal(1)
    done = (today - start).days
    return max(Decimal(0), min(Decimal(1), Decimal(done) / Decimal(total)))


def meets(actual: Decimal, cmp: str, value: Decimal, lower_is_better: bool = False) -> bool:
    """Whether an actual meets a target. "达到 100张" (=) and "约" mean at least (or at most,
    for an indicator where lower is better): a plan's round figure is a floor, not a point."""
    if cmp == ">=":
        return actual >= value
    if cmp == ">":
        return actual > value
    if cmp == "<=":
        return actual <= value
    if cmp == "<":
        return actual < value
    return actual <= value if lower_is_better else actual >= value


def _lower_is_better(target: Target) -> bool:
    if target.cmp in ("<=", "<"):
        return True
    return bool(target.indicator_id and target.indicator.direction == "down")


def _is_rate(target: Target) -> bool:
    if target.indicator_id and target.indicator.is_rate:
        return True
    return target.unit in RATE_UNITS


def _progress(actual: Decimal, target: Target) -> Decimal:
    value = target.value
    if _lower_is_better(target):
        if actual <= 0:
            return Decimal(1)
        return min(Decimal(1), value / actual)
    if value <= 0:
        return Decimal(1)
    return max(Decimal(0), min(Decimal(1), actual / value))


def rag_for(progress: Decimal | None, expected: Decimal, overdue: bool, met: bool | None) -> str:
    if met:
        return "green"
    if progress is None:
        return "red" if overdue else "grey"
    if overdue:
        return "red"
    gap = expected - progress
    if gap <= GREEN_GAP:
        return "green"
    if gap <= AMBER_GAP:
        return "amber"
    return "red"


def _status(met: bool | None, rag: str, has_data: bool) -> str:
    if met:
        return Status.COMPLETED
    if rag == "red":
        return Status.LAGGING
    if not has_data:
        return Status.NOT_STARTED
    return Status.ON_TRACK


def plan_area(plan: Plan) -> OrgUnit | None:
    """The root of the plan's targets: its org unit, else the first city in the hierarchy."""
    if plan.org_unit_id:
        return plan.org_unit
    return OrgUnit.objects.filter(level=Level.CITY).first() or OrgUnit.objects.filter(depth=1).first()


def scope_units(plan: Plan, scope: str) -> list[OrgUnit]:
    """The units that must each meet a per-unit target. Townships are the 乡镇(街道) level;
    where the hierarchy has none, each township is represented by its 卫生院/社区卫生服务中心."""
    area = plan_area(plan)
    if area is None:
        return []
    below = OrgUnit.objects.filter(path__startswith=area.path, active=True)
    if scope == Scope.COUNTY:
        return list(below.filter(level=Level.COUNTY))
    if scope == Scope.TOWNSHIP:
        towns = list(below.filter(level=Level.TOWNSHIP))
        if towns:
            return towns
        return list(
            below.filter(
                level=Level.INSTITUTION,
                inst_type__in=[InstitutionType.TOWNSHIP_HC, InstitutionType.COMMUNITY_HC],
            )
        )
    return []


def is_increase(target: Target) -> bool:
    """“新增儿科床位100张” against a stock indicator (beds, counted at period end): the target is
    the growth over the previous year-end, not the stock itself."""
    if "新增" not in target.phrase or target.indicator_id is None or target.indicator.is_rate:
        return False
    from weijian.indicators.models import Aggregation, DataElement

    codes = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", target.indicator.numerator)
    return DataElement.objects.filter(code__in=codes, aggregation=Aggregation.LAST).exists()


def _figures(indicator, units: list[OrgUnit], period_code: str) -> dict[int, Decimal | None]:
    from weijian.data import aggregate

    figures = aggregate.values(indicator, units, period_code)
    out: dict[int, Decimal | None] = {}
    for unit in units:
        fig = figures.get(unit.pk)
        val = getattr(fig, "value", None) if fig is not None else None
        out[unit.pk] = None if val is None else Decimal(str(val))
    return out


def _actuals(target: Target, units: list[OrgUnit]) -> dict[int, Decimal | None]:
    year = target.plan.year
    current = _figures(target.indicator, units, str(year))
    if not is_increase(target):
        return current
    before = _figures(target.indicator, units, str(year - 1))
    return {
        pk: (None if v is None or before.get(pk) is None else v - before[pk]) for pk, v in current.items()
    }


def target_progress(
    target: Target,
    today: date | None = None,
    visible_units: set[int] | None = None,
    viewer_unit: OrgUnit | None = None,
) -> TargetProgress:
    """The progress of one target. For a county or institution user, `visible_units` (the org
    units it may read) and `viewer_unit` (its own unit) make the judgement its own: its
    townships only, and its own figure instead of the city's."""
    today = today or timezone.localdate()
    plan = target.plan
    expected_time = elapsed(year_start(plan), target.deadline, today)
    # A rate should hold all year; a count accumulates towards its deadline.
    expected = Decimal(1) if _is_rate(target) else expected_time
    overdue = today > target.deadline
    lower = _lower_is_better(target)
    units: list[UnitResult] = []
    actual: Decimal | None = None

    if target.indicator_id is None:
        actual = target.manual_actual
    elif target.scope in (Scope.COUNTY, Scope.TOWNSHIP):
        members = scope_units(plan, target.scope)
        if visible_units is not None:
            members = [m for m in members if m.pk in visible_units]
        area = viewer_unit or plan_area(plan)
        found = _actuals(target, [*members, *([area] if area else [])])
        actual = found.get(area.pk) if area else None
        for unit in members:
            a = found.get(unit.pk)
            units.append(
                UnitResult(unit, a, None if a is None else meets(a, target.cmp, target.value, lower))
            )
    else:
        unit = target.org_unit if target.scope == Scope.UNIT and target.org_unit_id else plan_area(plan)
        if unit is not None:
            actual = _actuals(target, [unit]).get(unit.pk)

    if units:
        # Every unit must meet it: judged by the worst unit, and not met while any has no figure.
        met = all(u.met for u in units)
        progresses = [_progress(u.actual, target) for u in units if u.actual is not None]
        progress = min(progresses) if progresses else None
        if len(progresses) < len(units) and progress is not None:
            progress = min(progress, Decimal(0)) if overdue else progress
        has_data = bool(progresses)
    else:
        met = None if actual is None else meets(actual, target.cmp, target.value, lower)
        progress = None if actual is None else _progress(actual, target)
        has_data = actual is not None

    rag = rag_for(progress, expected, overdue, met)
    if rag == "green" and any(u.met is False for u in units):
        rag = "amber"  # every unit must meet it: one short of it is never all clear
    status = _status(met, rag, has_data)
    due_soon = not met and 0 <= (target.deadline - today).days <= WARNING_DAYS
    return TargetProgress(target, actual, met, progress, expected, rag, status, due_soon, overdue, units)


# --- Progress reports -----------------------------------------------------------------------


def report_periods(plan: Plan, today: date) -> list[str]:
    """The reporting periods of the plan year up to and including today's."""
    ptype = plan.report_interval
    codes = periods.children_codes(str(plan.year), ptype)
    return [c for c in codes if periods.parse(c).start <= today]


def current_period(plan: Plan, today: date) -> str:
    codes = report_periods(plan, today)
    if codes:
        return codes[-1]
    return periods.children_codes(str(plan.year), plan.report_interval)[0]


def needs_reports(task: Task) -> bool:
    """A task owes progress reports unless its targets are all measured from data."""
    targets = [t for t in task.targets.all() if t.active]
    return not targets or any(t.indicator_id is None for t in targets)


def missing_reports(task: Task, today: date, reports: list[ProgressReport] | None = None) -> list[str]:
    """Past periods (ended before today) since the plan was issued with no report."""
    plan = task.plan
    issued = timezone.localtime(plan.created).date() if plan.created else year_start(plan)
    reported = {r.period_code for r in (task.reports.all() if reports is None else reports)}
    out = []
    for code in report_periods(plan, today):
        p = periods.parse(code)
        if p.end < today and p.end >= issued and code not in reported:
            out.append(code)
    return out


def task_progress(task: Task, today: date | None = None) -> TaskProgress:
    today = today or timezone.localdate()
    targets = [target_progress(t, today) for t in task.targets.all() if t.active]
    reports = list(task.reports.all())
    latest = reports[0] if reports else None
    deadline = task.deadline or date(task.plan.year, 12, 31)
    owes = needs_reports(task)
    missing = missing_reports(task, today, reports) if owes and task.active else []

    parts_rag: list[str] = [t.rag for t in targets]
    statuses = [t.status for t in targets]
    if latest is not None or not targets:
        pct = Decimal(latest.percent) / 100 if latest else None
        overdue = today > deadline
        met = latest is not None and latest.percent >= 100
        r = rag_for(pct, elapsed(year_start(task.plan), deadline, today), overdue, met)
        parts_rag.append(r)
        statuses.append(_status(met, r, latest is not None))

    if statuses and all(s == Status.COMPLETED for s in statuses):
        status = Status.COMPLETED
    elif Status.LAGGING in statuses:
        status = Status.LAGGING
    elif statuses and all(s == Status.NOT_STARTED for s in statuses):
        status = Status.NOT_STARTED
    else:
        status = Status.ON_TRACK
    rag = max(parts_rag, key=_RAG_RANK.get) if parts_rag else "grey"
    if status == Status.COMPLETED:
        rag = "green"
    due_soon = status != Status.COMPLETED and (
        any(t.due_soon for t in targets) or 0 <= (deadline - today).days <= WARNING_DAYS
    )
    return TaskProgress(
        task, status, rag, latest.percent if latest else None, targets, due_soon, missing, owes
    )


def tasks_with_progress(tasks, today: date | None = None) -> list[TaskProgress]:
    """Progress for many tasks, loading their owners, targets and reports in a few queries."""
    qs = tasks.select_related("plan", "plan__org_unit", "section").prefetch_related(
        "taskleader_set__leader",
        "taskdepartment_set__department",
        Prefetch("targets", queryset=Target.objects.select_related("indicator", "org_unit", "plan")),
        "reports",
    )
    return [task_progress(t, today) for t in qs]


def status_counts(items: list[TaskProgress]) -> dict[str, int]:
    counts = {s: 0 for s in Status.ORDER}
    for item in items:
        counts[item.status] += 1
    return counts


# --- Reminders ----------------------------------------------------------------------------------


@dataclass
class Reminder:
    task: Task
    period_code: str
    kind: str  # overdue | due
    recipients: list[str]


def due_reminders(today: date | None = None, plan: Plan | None = None) -> list[Reminder]:
    """Reminders owed today: a report overdue for a past period, or the current period's report
    due within three days and not yet in."""
    from weijian.accounts.models import User

    today = today or timezone.localdate()
    tasks = Task.objects.active().filter(plan__year=today.year)
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    tasks = tasks.select_related("plan").prefetch_related("targets", "reports", "taskdepartment_set")
    emails: dict[int, list[str]] = {}
    for dept_id, email in (
        User.objects.filter(role="dept", is_active=True, department__isnull=False)
        .exclude(email="")
        .values_list("department_id", "email")
    ):
        emails.setdefault(dept_id, []).append(email)
    out: list[Reminder] = []
    for task in tasks:
        if not needs_reports(task):
            continue
        recipients = sorted(
            {e for td in task.taskdepartment_set.all() for e in emails.get(td.department_id, [])}
        )
        reports = list(task.reports.all())
        missing = missing_reports(task, today, reports)
        if missing:
            out.append(Reminder(task, missing[-1], "overdue", recipients))
        code = current_period(task.plan, today)
        end = periods.parse(code).end
        if 0 <= (end - today).days <= WARNING_DAYS and code not in {r.period_code for r in reports}:
            out.append(Reminder(task, code, "due", recipients))
    return out


def send_reminders(today: date | None = None, plan: Plan | None = None) -> list[Reminder]:
    """Send each owed reminder once a day by email to the task's department users."""
    today = today or timezone.localdate()
    sent: list[Reminder] = []
    for r in due_reminders(today, plan):
        if not r.recipients:
            continue
        _, created = ReportReminder.objects.get_or_create(
            task=r.task,
            period_code=r.period_code,
            kind=r.kind,
            sent_on=today,
            defaults={"recipients": r.recipients},
        )
        if not created:
            continue
        label = periods.label(r.period_code)
        if r.kind == "overdue":
            subject = f"【催报】{r.task.num or ''}{r.task.title} {label}进度未填报"
            body = f"任务“{r.task}”{label}的工作进度已逾期未填报，请尽快登录卫健工作平台填报。"
        else:
            end = periods.parse(r.period_code).end
            subject = f"【提醒】{r.task.num or ''}{r.task.title} {label}进度请于{end:%m月%d日}前填报"
            body = f"任务“{r.task}”{label}的工作进度将于{end:%Y年%m月%d日}到期，请按时填报。"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, r.recipients)
        sent.append(r)
    return sent
