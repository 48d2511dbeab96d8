"""Progress of a plan: the actual of each target (from the data app, for its scope and the plan
year), whether every unit of a per-unit target meets it, red/amber/green against time elapsed,
the status of targets and tasks (已完成 / 正常推进 / 滞后 / 未开始), the 3-day warning, and the
progress reports a task owes (逾期未报) with the reminders that chase them.

Nothing here is stored: it is computed from targets, data values and reports when asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Prefetch
from django.utils import timezone

from weijian.data import actuals, periods
from weijian.data.actuals import meets
from weijian.indicators.models import Indicator
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
    # Past its deadline with no figure and no report, when the deadline had passed before the
    # plan was imported (a past year's plan): nothing says whether it was done.
    NO_DATA = "no_data"
    LABELS = {
        COMPLETED: "已完成",
        ON_TRACK: "正常推进",
        LAGGING: "滞后",
        NOT_STARTED: "未开始",
        NO_DATA: "无数据",
    }
    ORDER = [COMPLETED, ON_TRACK, LAGGING, NOT_STARTED, NO_DATA]


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
    reason: str = ""  # why this status: expected by now against reached, or what is missing

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
    reason: str = ""  # why this status, from the targets and reports that decide it

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


def _status(met: bool | None, rag: str, has_data: bool, unknowable: bool = False) -> str:
    """`unknowable`: no figure could have been entered in time (see Status.NO_DATA)."""
    if met:
        return Status.COMPLETED
    if not has_data and unknowable:
        return Status.NO_DATA
    if rag == "red":
        return Status.LAGGING
    if not has_data:
        return Status.NOT_STARTED
    return Status.ON_TRACK


def issued(plan: Plan) -> date:
    """The day the plan came into the system (its import), the start of what it can track."""
    return timezone.localtime(plan.created).date() if plan.created else year_start(plan)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _share(x: Decimal) -> str:
    """0.754 → 75%: a share of the way, in whole percent."""
    return f"{(x * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _names(units: list[UnitResult], most: int = 3) -> str:
    names = "、".join(u.org_unit.name for u in units[:most])
    return f"{names}等" if len(units) > most else names


def plan_area(plan: Plan) -> OrgUnit | None:
    """The root of the plan's targets: its org unit, else the first city in the hierarchy."""
    if plan.org_unit_id:
        return plan.org_unit
    return OrgUnit.objects.filter(level=Level.CITY).first() or OrgUnit.objects.filter(depth=1).first()


def scope_units(plan: Plan, scope: str, area: OrgUnit | None = None) -> list[OrgUnit]:
    """The units that must each meet a per-unit target. Townships are the 乡镇(街道) level;
    where the hierarchy has none, each township is represented by its 卫生院/社区卫生服务中心."""
    area = area or plan_area(plan)
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
    return "新增" in target.phrase and target.indicator_id is not None and actuals.is_stock(target.indicator)


class _Board:
    """What the targets of one batch need from the hierarchy and the data app, loaded once:
    each plan's area and per-unit members, which targets count growth, and the actuals of
    every (indicator, growth) for every unit needed, one batch per plan year."""

    def __init__(self, targets: list[Target], visible_units: set[int] | None, viewer_unit: OrgUnit | None):
        self.visible_units = visible_units
        self.viewer_unit = viewer_unit
        self._areas: dict[int, OrgUnit | None] = {}
        self._members: dict[tuple[int, str], list[OrgUnit]] = {}
        linked = [t for t in targets if t.indicator_id is not None]
        stocks = actuals.stock_indicators(
            {t.indicator_id: t.indicator for t in linked if "新增" in t.phrase}.values()
        )
        self.growth = {t.pk for t in linked if "新增" in t.phrase and t.indicator_id in stocks}
        asks: dict[int, dict[tuple[int, bool], Indicator]] = defaultdict(dict)
        units: dict[int, dict[int, OrgUnit]] = defaultdict(dict)
        for t in linked:
            year = t.plan.year
            asks[year][(t.indicator_id, t.pk in self.growth)] = t.indicator
            members, headline = self.units_of(t)
            for ou in [*members, *([headline] if headline else [])]:
                units[year][ou.pk] = ou
        self._found = {
            year: actuals.actuals_many(
                [(ind, inc) for (_pk, inc), ind in wanted.items()], list(units[year].values()), str(year)
            )
            for year, wanted in asks.items()
        }

    def area(self, plan: Plan) -> OrgUnit | None:
        if plan.pk not in self._areas:
            self._areas[plan.pk] = plan_area(plan)
        return self._areas[plan.pk]

    def members(self, plan: Plan, scope: str) -> list[OrgUnit]:
        key = (plan.pk, scope)
        if key not in self._members:
            self._members[key] = scope_units(plan, scope, self.area(plan))
        return self._members[key]

    def units_of(self, target: Target) -> tuple[list[OrgUnit], OrgUnit | None]:
        """The units that must each meet the target, and the unit whose figure is its actual."""
        plan = target.plan
        if target.scope in (Scope.COUNTY, Scope.TOWNSHIP):
            members = self.members(plan, target.scope)
            if self.visible_units is not None:
                members = [m for m in members if m.pk in self.visible_units]
            return members, self.viewer_unit or self.area(plan)
        if target.scope == Scope.UNIT and target.org_unit_id:
            return [], target.org_unit
        return [], self.area(plan)

    def actual(self, target: Target, unit: OrgUnit) -> actuals.Actual | None:
        found = self._found[target.plan.year][(target.indicator_id, target.pk in self.growth)]
        return found.get(unit.pk)


def _value(a: actuals.Actual | None) -> Decimal | None:
    return None if a is None else a.value


def targets_progress(
    targets,
    today: date | None = None,
    visible_units: set[int] | None = None,
    viewer_unit: OrgUnit | None = None,
) -> list[TargetProgress]:
    """The progress of many targets, in their order, their actuals read in one batch.

    For a county or institution user, `visible_units` (the org units it may read) and
    `viewer_unit` (its own unit) make the judgement its own: its townships only, and its own
    figure instead of the city's."""
    today = today or timezone.localdate()
    targets = list(targets)
    board = _Board(targets, visible_units, viewer_unit)
    return [_target_progress(t, today, board) for t in targets]


def target_progress(
    target: Target,
    today: date | None = None,
    visible_units: set[int] | None = None,
    viewer_unit: OrgUnit | None = None,
) -> TargetProgress:
    """The progress of one target (see targets_progress)."""
    return targets_progress([target], today, visible_units, viewer_unit)[0]


def _target_progress(target: Target, today: date, board: _Board) -> TargetProgress:
    plan = target.plan
    expected_time = elapsed(year_start(plan), target.deadline, today)
    # A rate should hold all year; a count accumulates towards its deadline.
    expected = Decimal(1) if _is_rate(target) else expected_time
    overdue = today > target.deadline
    lower = _lower_is_better(target)
    units: list[UnitResult] = []
    actual: Decimal | None = None
    headline = None

    if target.indicator_id is None:
        actual = target.manual_actual
    else:
        members, headline = board.units_of(target)
        actual = _value(board.actual(target, headline)) if headline else None
        for unit in members:
            a = _value(board.actual(target, unit))
            met = None if a is None else meets(a, target.cmp, target.value, lower_is_better=lower)
            units.append(UnitResult(unit, a, met))

    if units:
        # Every unit must meet it: judged by the worst unit, and not met while any has no figure.
        met = all(u.met for u in units)
        progresses = [_progress(u.actual, target) for u in units if u.actual is not None]
        progress = min(progresses) if progresses else None
        if len(progresses) < len(units) and progress is not None:
            progress = min(progress, Decimal(0)) if overdue else progress
        has_data = bool(progresses)
    else:
        met = None if actual is None else meets(actual, target.cmp, target.value, lower_is_better=lower)
        progress = None if actual is None else _progress(actual, target)
        has_data = actual is not None

    rag = rag_for(progress, expected, overdue, met)
    if rag == "green" and any(u.met is False for u in units):
        rag = "amber"  # every unit must meet it: one short of it is never all clear
    status = _status(met, rag, has_data, unknowable=overdue and target.deadline < issued(plan))
    due_soon = not met and 0 <= (target.deadline - today).days <= WARNING_DAYS
    tp = TargetProgress(target, actual, met, progress, expected, rag, status, due_soon, overdue, units)
    tp.reason = _target_reason(tp, headline)
    return tp


def _target_reason(tp: TargetProgress, headline: OrgUnit | None) -> str:
    """Why the target has its status, in the words a department would check it by:
    按时序应完成75%，实际完成40% (a count), 实际90%，目标不低于95% (a rate that must hold all
    year), the units short of a per-unit target, or what data is missing."""
    t = tp.target
    goal = f"目标{t.get_cmp_display()}{t.value_display}"
    late = f"已过完成时限（{_day(t.deadline)}）" if tp.overdue else ""
    if tp.status == Status.NO_DATA:
        late = f"计划导入时已过完成时限（{_day(t.deadline)}）"
    if tp.units:
        short = [u for u in tp.units if u.met is False]
        blank = [u for u in tp.units if u.actual is None]
        if tp.met:
            return f"{len(tp.units)}个单位均已达标，{goal}"
        parts = [late] if late else []
        if short:
            parts.append(f"{len(tp.units)}个单位中{len(short)}个未达标（{_names(short)}）")
        if blank:
            parts.append(f"{len(blank)}个单位无{t.plan.year}年数据（{_names(blank)}）")
        if short and not tp.overdue and tp.expected < 1 and tp.progress is not None:
            parts.append(f"按时序应完成{_share(tp.expected)}，最低实际完成{_share(tp.progress)}")
        return "，".join([*parts, goal])
    if tp.actual is None:
        if t.indicator_id is None:
            missing = "未填报完成值"
        else:
            where = headline.name if headline else "本区域"
            missing = f"{where}{t.plan.year}年没有“{t.indicator.name}”的数据"
            if tp.status != Status.NO_DATA:  # the status itself says 无数据
                missing = f"无数据：{missing}"
        return f"{late}，{missing}" if late else missing
    reached = f"实际{tp.actual_display}"
    if tp.met:
        return f"已达标，{reached}，{goal}"
    if tp.overdue:
        return f"{late}，{reached}，{goal}"
    if tp.expected >= 1 or tp.progress is None:
        return f"{reached}，{goal}"
    return f"按时序应完成{_share(tp.expected)}，实际完成{_share(tp.progress)}（{reached}，{goal}）"


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
    since = issued(plan)
    reported = {r.period_code for r in (task.reports.all() if reports is None else reports)}
    out = []
    for code in report_periods(plan, today):
        p = periods.parse(code)
        if p.end < today and p.end >= since and code not in reported:
            out.append(code)
    return out


def task_progress(task: Task, today: date | None = None) -> TaskProgress:
    today = today or timezone.localdate()
    return _task_progress(task, targets_progress(_active_targets(task), today), today)


def tasks_with_progress(tasks, today: date | None = None) -> list[TaskProgress]:
    """Progress for many tasks: their owners, targets and reports in a few queries, and the
    actuals of all their targets in one batch (the count does not grow with the targets)."""
    today = today or timezone.localdate()
    qs = list(
        tasks.select_related("plan", "plan__org_unit", "section").prefetch_related(
            "taskleader_set__leader",
            "taskdepartment_set__department",
            Prefetch("targets", queryset=Target.objects.select_related("indicator", "org_unit", "plan")),
            "reports",
        )
    )
    targets = [t for task in qs for t in _active_targets(task)]
    found = iter(targets_progress(targets, today))
    by_task = [[next(found) for _t in _active_targets(task)] for task in qs]
    return [_task_progress(task, tps, today) for task, tps in zip(qs, by_task, strict=True)]


def _active_targets(task: Task) -> list[Target]:
    return [t for t in task.targets.all() if t.active]


def _task_progress(task: Task, targets: list[TargetProgress], today: date) -> TaskProgress:
    reports = list(task.reports.all())
    latest = reports[0] if reports else None
    deadline = task.deadline or date(task.plan.year, 12, 31)
    owes = needs_reports(task)
    missing = missing_reports(task, today, reports) if owes and task.active else []

    parts_rag: list[str] = [t.rag for t in targets]
    # (status, reason) of each part that decides the task: its targets, and its reports.
    parts = [(t.status, f"{t.target.phrase}：{t.reason}") for t in targets]
    if latest is not None or not targets:
        pct = Decimal(latest.percent) / 100 if latest else None
        overdue = today > deadline
        met = latest is not None and latest.percent >= 100
        expected = elapsed(year_start(task.plan), deadline, today)
        r = rag_for(pct, expected, overdue, met)
        parts_rag.append(r)
        part = _status(met, r, latest is not None, unknowable=overdue and deadline < issued(task.plan))
        parts.append((part, _report_reason(part, latest, expected, overdue, deadline)))

    statuses = [p for p, _reason in parts]
    if statuses and all(s == Status.COMPLETED for s in statuses):
        status = Status.COMPLETED
    elif Status.LAGGING in statuses:
        status = Status.LAGGING
    elif Status.NO_DATA in statuses:
        status = Status.NO_DATA
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
    # The reason is that of the parts with the task's status (all parts not yet completed
    # when the task is on track because some parts are done and others not begun).
    deciding = [reason for p, reason in parts if p == status] or [
        reason for p, reason in parts if p != Status.COMPLETED
    ]
    return TaskProgress(
        task,
        status,
        rag,
        latest.percent if latest else None,
        targets,
        due_soon,
        missing,
        owes,
        "；".join(deciding),
    )


def _report_reason(
    status: str, latest: ProgressReport | None, expected: Decimal, overdue: bool, deadline
) -> str:
    if status == Status.NO_DATA:
        return f"计划导入时已过完成时限（{_day(deadline)}），没有进度填报"
    if latest is None:
        return f"已过完成时限（{_day(deadline)}），未填报进度" if overdue else "尚未填报进度"
    reported = f"填报完成{latest.percent}%"
    if status == Status.COMPLETED:
        return reported
    if overdue:
        return f"已过完成时限（{_day(deadline)}），{reported}"
    return f"按时序应完成{_share(expected)}，{reported}"


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
