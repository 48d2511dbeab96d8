"""Tracking: actuals from the data app, per-unit targets, status and RAG against time elapsed,
the 3-day warning, late progress reports and the reminders that chase them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from weijian.plans import progress, tracking
from weijian.plans.models import Plan, ReportReminder
from weijian.plans.tests.helpers import put

YEAR = timezone.localdate().year
MID = date(YEAR, 7, 2)  # half the year gone


def _target(plan, phrase_part):
    return plan.targets.select_related("indicator", "plan", "org_unit").get(phrase__contains=phrase_part)


def test_count_target_actual_is_summed_over_the_city(plan, city):
    put("BEDS_NEW", city.hospital_a, f"{YEAR}03", 30)
    put("BEDS_NEW", city.hospital_b, f"{YEAR}05", 25)
    tp = tracking.target_progress(_target(plan, "床位"), MID)
    assert tp.actual == 55
    assert (tp.status, tp.rag) == (tracking.Status.ON_TRACK, "green")


def test_count_target_far_behind_the_clock_is_lagging(plan, city):
    put("BEDS_NEW", city.hospital_a, f"{YEAR}03", 20)
    tp = tracking.target_progress(_target(plan, "床位"), MID)
    assert (tp.status, tp.rag) == (tracking.Status.LAGGING, "red")
    # The same 20 beds in February were on course.
    early = tracking.target_progress(_target(plan, "床位"), date(YEAR, 2, 20))
    assert early.rag == "green"


def test_met_target_is_completed(plan, city):
    put("BEDS_NEW", city.hospital_b, f"{YEAR}04", 120)
    tp = tracking.target_progress(_target(plan, "床位"), MID)
    assert tp.met and tp.status == tracking.Status.COMPLETED


def test_no_data_is_not_started_until_the_deadline_passes(plan):
    target = _target(plan, "床位")
    assert tracking.target_progress(target, MID).status == tracking.Status.NOT_STARTED
    assert tracking.target_progress(target, date(YEAR + 1, 1, 5)).status == tracking.Status.LAGGING


def test_per_township_target_needs_every_unit_and_names_those_short(plan, city):
    put("IMM_DONE", city.clinic_a, f"{YEAR}Q1", 97)
    put("IMM_DUE", city.clinic_a, f"{YEAR}Q1", 100)
    put("IMM_DONE", city.clinic_b, f"{YEAR}Q1", 70)
    put("IMM_DUE", city.clinic_b, f"{YEAR}Q1", 100)
    tp = tracking.target_progress(_target(plan, "接种率"), MID)
    assert [u.org_unit for u in tp.failing_units] == [city.clinic_b]
    assert tp.units[0].actual == Decimal("97") and tp.units[0].met
    # The city rate is recomputed from the sums (167/200), not averaged.
    assert tp.actual == Decimal("83.5")
    assert not tp.met and tp.status == tracking.Status.LAGGING
    put("IMM_DONE", city.clinic_b, f"{YEAR}Q1", 96)
    tp = tracking.target_progress(_target(plan, "接种率"), MID)
    assert tp.met and tp.failing_units == []


def test_rate_target_slightly_short_is_amber(plan, city):
    put("HTN_STD", city.hospital_a, f"{YEAR}06", 65)
    put("HTN_ALL", city.hospital_a, f"{YEAR}06", 100)
    tp = tracking.target_progress(_target(plan, "高血压"), MID)
    assert (tp.actual, tp.rag, tp.status) == (Decimal("65"), "amber", tracking.Status.ON_TRACK)


def test_three_day_warning_before_deadline(plan):
    target = _target(plan, "床位")
    assert tracking.target_progress(target, date(YEAR, 12, 28)).due_soon
    assert not tracking.target_progress(target, date(YEAR, 12, 20)).due_soon


def _issued_in_january(plan):
    Plan.objects.filter(pk=plan.pk).update(created=timezone.make_aware(datetime(YEAR, 1, 10)))
    plan.refresh_from_db()


def test_task_without_numbers_is_tracked_by_reports(plan, users):
    _issued_in_january(plan)
    task = plan.tasks.get(num="二.（二）")  # 强化作风建设: no target
    task.taskdepartment_set.update(department=users["dept"].department)
    tp = tracking.task_progress(task, date(YEAR, 4, 10))
    assert tp.needs_reports and tp.status == tracking.Status.NOT_STARTED
    assert tp.missing_reports == [f"{YEAR}01", f"{YEAR}02", f"{YEAR}03"]
    for month in ("01", "02", "03"):
        progress.submit_report(
            users["dept"], task, period_code=f"{YEAR}{month}", percent=20, text="整顿进行中"
        )
    tp = tracking.task_progress(task, date(YEAR, 4, 10))
    assert tp.missing_reports == [] and tp.percent == 20
    assert tp.status == tracking.Status.ON_TRACK  # 20% at a quarter of the year
    tp = tracking.task_progress(task, date(YEAR, 9, 1))
    assert tp.status == tracking.Status.LAGGING


def test_reminders_mail_the_department_once_a_day(plan, users):
    _issued_in_january(plan)
    users["dept"].email = "jiceng@example.org"
    users["dept"].save()
    task = plan.tasks.get(num="二.（二）")
    task.taskdepartment_set.update(department=users["dept"].department)
    sent = tracking.send_reminders(date(YEAR, 3, 29), plan)
    kinds = {(r.task.num, r.kind, r.period_code) for r in sent}
    assert ("二.（二）", "overdue", f"{YEAR}02") in kinds
    assert ("二.（二）", "due", f"{YEAR}03") in kinds
    assert any("jiceng@example.org" in m.to and "逾期未填报" in m.body for m in mail.outbox)
    count = len(mail.outbox)
    assert tracking.send_reminders(date(YEAR, 3, 29), plan) == []
    assert len(mail.outbox) == count
    assert ReportReminder.objects.filter(task=task).count() == 2


def test_remind_command_reports_what_it_sent(plan, users, capsys):
    _issued_in_january(plan)
    users["dept"].email = "jiceng@example.org"
    users["dept"].save()
    plan.tasks.get(num="二.（二）").taskdepartment_set.update(department=users["dept"].department)
    from io import StringIO

    out = StringIO()
    call_command("plan", "remind", "--date", f"{YEAR}-05-10", stdout=out)
    assert "已发送" in out.getvalue() and "jiceng@example.org" in out.getvalue()


def test_report_by_other_department_is_refused(plan, users):
    task = plan.tasks.get(num="二.（二）")
    with pytest.raises(progress.ProgressError, match="责任科室"):
        progress.submit_report(users["dept"], task, period_code=f"{YEAR}01", percent=10, text="x")
    with pytest.raises(progress.ProgressError):
        progress.submit_report(users["leader"], task, period_code=f"{YEAR}01", percent=10, text="x")


@pytest.mark.parametrize(
    "period,percent,message",
    [
        ("2001", 10, "不在计划年度"),
        ("abc", 10, "不是有效的期间"),
        (f"{YEAR}01", 120, "0 到 100"),
        (f"{YEAR}01", "很多", "不是整数"),
    ],
)
def test_bad_report_is_refused_with_reason(plan, users, period, percent, message):
    task = plan.tasks.get(num="一.（一）")
    with pytest.raises(progress.ProgressError, match=message):
        progress.submit_report(users["dept"], task, period_code=period, percent=percent, text="进展")
    assert not task.reports.exists()


def test_manual_actual_for_unlinked_target(plan, users):
    target = _target(plan, "高血压")
    target.indicator = None
    target.save()
    with pytest.raises(progress.ProgressError, match="责任科室"):
        progress.set_manual_actual(users["county"], target, "71")
    progress.set_manual_actual(users["dept"], target, "71")
    tp = tracking.target_progress(target, MID)
    assert tp.actual == 71 and tp.met


def test_new_beds_against_a_stock_indicator_count_the_growth(users, city, cat):
    from weijian.indicators.models import Aggregation
    from weijian.plans.models import Scope, Target
    from weijian.testing import element, indicator

    element("BEDS_PAED", "儿科床位", "张", aggregation=Aggregation.LAST)
    paed = indicator("PAED_BEDS", "儿科床位数", "BEDS_PAED", unit="张")
    plan = Plan.objects.create(title="计划", year=YEAR, org_unit=city.city)
    target = Target.objects.create(
        plan=plan,
        indicator=paed,
        phrase="新增儿科床位",
        cmp="=",
        value=20,
        unit="张",
        scope=Scope.CITY,
        deadline=date(YEAR, 12, 31),
    )
    put("BEDS_PAED", city.hospital_a, str(YEAR - 1), 100)
    put("BEDS_PAED", city.hospital_a, str(YEAR), 112)
    tp = tracking.target_progress(target, MID)
    assert tp.actual == 12 and not tp.met  # 112 beds now, 12 of them new


def test_quarterly_plan_owes_quarterly_reports(plan):
    _issued_in_january(plan)
    plan.report_interval = "Q"
    plan.save()
    task = plan.tasks.select_related("plan").get(num="二.（二）")
    assert tracking.missing_reports(task, date(YEAR, 8, 1)) == [f"{YEAR}Q1", f"{YEAR}Q2"]


def _add_targets(plan, cat, city, n: int) -> None:
    from weijian.plans.models import Scope, Target

    tasks = list(plan.tasks.all())
    kinds = [
        (cat["imm"], Scope.COUNTY, None, ">=", 95),
        (cat["imm"], Scope.TOWNSHIP, None, ">=", 90),
        (cat["htn"], Scope.UNIT, city.county_b, ">=", 60),
        (cat["beds"], Scope.CITY, None, "=", 50),
    ]
    for i in range(n):
        ind, scope, unit, cmp, value = kinds[i % len(kinds)]
        Target.objects.create(
            plan=plan,
            task=tasks[i % len(tasks)],
            indicator=ind,
            phrase=f"{ind.name}{i}",
            cmp=cmp,
            value=value,
            unit=ind.unit,
            scope=scope,
            org_unit=unit,
            deadline=date(YEAR, 12, 31),
        )


def test_tracking_a_plan_reads_all_target_actuals_in_one_batch(
    plan, cat, city, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    put("IMM_DONE", city.clinic_a, f"{YEAR}Q1", 97)
    put("IMM_DUE", city.clinic_a, f"{YEAR}Q1", 100)
    put("BEDS_NEW", city.hospital_a, f"{YEAR}03", 30)
    put("HTN_STD", city.hospital_b, f"{YEAR}06", 65)
    put("HTN_ALL", city.hospital_b, f"{YEAR}06", 100)
    _add_targets(plan, cat, city, 4)  # every scope kind once
    with CaptureQueriesContext(connection) as few:
        small = tracking.tasks_with_progress(plan.tasks.active(), MID)
    _add_targets(plan, cat, city, 24)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = tracking.tasks_with_progress(plan.tasks.active(), MID)
    assert sum(len(i.targets) for i in large) == sum(len(i.targets) for i in small) + 24
    by_phrase = {tp.target.phrase: tp for item in large for tp in item.targets}
    assert by_phrase["高血压患者规范管理率2"].actual == 65  # split for 乙区: its own figure
    assert [u.org_unit for u in by_phrase["免疫规划疫苗接种率0"].units] == [city.county_a, city.county_b]
    assert by_phrase["免疫规划疫苗接种率0"].units[0].actual == 97 and by_phrase["新增基层床位3"].actual == 30


def test_every_status_says_why(plan, city, users):
    _issued_in_january(plan)
    put("BEDS_NEW", city.hospital_a, f"{YEAR}03", 20)
    beds = tracking.target_progress(_target(plan, "床位"), MID)
    assert beds.status == tracking.Status.LAGGING
    assert beds.reason == "按时序应完成50%，实际完成20%（实际20张，目标达到100张）"

    put("HTN_STD", city.hospital_a, f"{YEAR}06", 65)
    put("HTN_ALL", city.hospital_a, f"{YEAR}06", 100)
    htn = tracking.target_progress(_target(plan, "高血压"), MID)
    assert htn.status == tracking.Status.ON_TRACK and htn.reason == "实际65%，目标达到70%"

    put("IMM_DONE", city.clinic_a, f"{YEAR}Q1", 97)
    put("IMM_DUE", city.clinic_a, f"{YEAR}Q1", 100)
    imm = tracking.target_progress(_target(plan, "接种率"), MID)
    assert (
        "2个单位中" not in imm.reason and "1个单位无" in imm.reason and "乙街道社区卫生服务中心" in imm.reason
    )

    task = plan.tasks.get(num="二.（二）")
    task.taskdepartment_set.update(department=users["dept"].department)
    assert tracking.task_progress(task, date(YEAR, 4, 10)).reason == "尚未填报进度"
    progress.submit_report(users["dept"], task, period_code=f"{YEAR}03", percent=20, text="整顿进行中")
    late = tracking.task_progress(task, date(YEAR, 9, 1))
    assert late.status == tracking.Status.LAGGING and late.reason == "按时序应完成67%，填报完成20%"
    # A task's reason is that of the part that makes it lag.
    first = tracking.task_progress(plan.tasks.get(num="一.（一）"), MID)
    assert first.status == tracking.Status.LAGGING and "新增基层床位：按时序应完成50%" in first.reason


def test_no_data_says_where_and_when(plan, city):
    tp = tracking.target_progress(_target(plan, "床位"), MID)
    assert tp.status == tracking.Status.NOT_STARTED
    assert tp.reason == f"无数据：示例市{YEAR}年没有“新增基层床位”的数据"
    late = tracking.target_progress(_target(plan, "床位"), date(YEAR + 1, 1, 5))
    assert late.status == tracking.Status.LAGGING
    assert late.reason == f"已过完成时限（{YEAR}年12月31日），无数据：示例市{YEAR}年没有“新增基层床位”的数据"


def test_a_past_years_plan_is_judged_on_that_year(users, city, cat):
    from weijian.plans.tests.helpers import make_plan

    past = YEAR - 2
    plan = make_plan(users["admin"], city, year=past)  # imported today, two years late
    put("BEDS_NEW", city.hospital_a, f"{past}05", 130)  # that year's beds: the target was met
    items = {i.task.num: i for i in tracking.tasks_with_progress(plan.tasks.active())}
    assert all(i.reason for i in items.values())
    beds = next(tp for tp in items["一.（一）"].targets if "床位" in tp.target.phrase)
    assert beds.status == tracking.Status.COMPLETED and beds.reason.startswith("已达标，实际130张")
    # No figure for the rest, and none could have been entered before the deadline: not 滞后.
    htn = items["二.（一）"]
    assert htn.status == tracking.Status.NO_DATA
    assert f"计划导入时已过完成时限（{past}年12月31日），示例市{past}年没有" in htn.reason
    style = items["二.（二）"]  # no target, no report
    assert style.status == tracking.Status.NO_DATA and "没有进度填报" in style.reason
    assert not any(i.status == tracking.Status.LAGGING for i in items.values())
