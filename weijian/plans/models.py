"""The live plan: a year's work points (工作要点) as sections, tasks with their owners and
quantitative targets; progress reports (进度填报) on tasks; supervision items (督办) with their
交办 → 办理 → 反馈 → 复核 → 办结 chain; problem lists (问题清单) from inspections; and the
server-side draft (PlanDraft) that an import is corrected in before it becomes a plan.

Who may see what is decided in plans.scope (built on accounts.scope); the `for_user` queryset
methods here only apply it.
Status and actuals are computed in plans.tracking, not stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from . import scope


class Scope(models.TextChoices):
    CITY = "city", "全市"
    COUNTY = "county", "各县（市、区）"
    TOWNSHIP = "township", "各乡镇（街道）"
    UNIT = "unit", "指定单位"


class Comparator(models.TextChoices):
    EQ = "=", "达到"
    GE = ">=", "不低于"
    LE = "<=", "不高于"
    GT = ">", "高于"
    LT = "<", "低于"
    ABOUT = "~", "约"


class ReportInterval(models.TextChoices):
    MONTH = "M", "每月"
    QUARTER = "Q", "每季度"
    HALF = "S", "每半年"


class PlanQuerySet(models.QuerySet):
    def for_user(self, user) -> PlanQuerySet:
        return self.filter(scope.plan_filter(user))


class Plan(models.Model):
    """One year's work plan of the commission, imported from its 工作要点."""

    title = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    region = models.CharField("地区", max_length=50, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="所辖区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="计划覆盖的区域（通常是本市）；目标的“全市”“各县”“各乡镇”都以它为根。",
    )
    source_name = models.CharField("来源文件", max_length=255, blank=True)
    source_text = models.TextField("文件正文", blank=True)
    report_interval = models.CharField(
        "进度填报周期", max_length=1, choices=ReportInterval.choices, default=ReportInterval.MONTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField("导入时间", auto_now_add=True)
    revised = models.DateTimeField("最近修订", null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"
        ordering = ["-year", "-created"]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    num = models.CharField("编号", max_length=20, blank=True)
    level = models.PositiveSmallIntegerField("层级", default=1)
    title = models.CharField("标题", max_length=300)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.num}、{self.title}" if self.num else self.title


class TaskQuerySet(models.QuerySet):
    def for_user(self, user) -> TaskQuerySet:
        """Tasks this user may read."""
        return self.filter(scope.task_read_filter(user)).distinct()

    def changeable_by(self, user) -> TaskQuerySet:
        """Tasks whose progress this user may report."""
        return self.filter(scope.task_change_filter(user)).distinct()

    def mine(self, user) -> TaskQuerySet:
        """The user's own tasks: a leader's as 责任领导, a department's as owner or lead."""
        return self.filter(scope.my_task_filter(user)).distinct()

    def active(self) -> TaskQuerySet:
        return self.filter(active=True)


class Task(models.Model):
    """A numbered work item with its 责任领导 and 责任科室/牵头科室."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    num = models.CharField("编号", max_length=30, blank=True)
    title = models.CharField("标题", max_length=500)
    body = models.TextField("正文", blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    leaders = models.ManyToManyField(
        "orgs.Leader", through="TaskLeader", related_name="tasks", verbose_name="责任领导"
    )
    departments = models.ManyToManyField(
        "orgs.Department", through="TaskDepartment", related_name="tasks", verbose_name="责任科室"
    )
    leader_note = models.CharField(
        "其他责任领导", max_length=200, blank=True, help_text="文件中写的“各相关分管领导”等非具体人员"
    )
    deadline = models.DateField("完成时限", null=True, blank=True)
    active = models.BooleanField("有效", default=True, help_text="修订后文件中已删除的任务保留进度但不再有效")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.num} {self.title}".strip()

    @property
    def label(self) -> str:
        return self.num or "—"

    def leader_names(self) -> list[str]:
        names = [tl.leader.name for tl in self.taskleader_set.all()]
        if self.leader_note:
            names += [n for n in self.leader_note.split("、") if n]
        return names

    def department_names(self, lead: bool | None = None) -> list[str]:
        return [
            td.department.name for td in self.taskdepartment_set.all() if lead is None or td.is_lead == lead
        ]


class TaskLeader(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE)
    leader = models.ForeignKey("orgs.Leader", on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["task", "leader"], name="unique_task_leader")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.leader}"


class TaskDepartment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE)
    department = models.ForeignKey("orgs.Department", on_delete=models.PROTECT)
    is_lead = models.BooleanField("牵头", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="unique_task_department")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.department}"


class TargetQuerySet(models.QuerySet):
    def for_user(self, user) -> TargetQuerySet:
        return self.filter(scope.target_read_filter(user)).distinct()

    def active(self) -> TargetQuerySet:
        return self.filter(active=True, task__active=True)


class Target(models.Model):
    """A quantitative statement of the plan: 指标 比较 数值 单位, for a scope, by a deadline.

    With `scope` 各县/各乡镇 every unit of that level must meet it on its own; `unit` scope is a
    target split for one named org unit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="关联指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_targets",
    )
    phrase = models.CharField("指标表述", max_length=200)
    text = models.CharField("原文", max_length=100, blank=True)
    cmp = models.CharField("比较", max_length=2, choices=Comparator.choices, default=Comparator.GE)
    value = models.DecimalField("目标值", max_digits=20, decimal_places=4)
    unit = models.CharField("单位", max_length=20, blank=True)
    scope = models.CharField("范围", max_length=10, choices=Scope.choices, default=Scope.CITY)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_targets",
    )
    deadline = models.DateField("完成时限")
    manual_actual = models.DecimalField(
        "填报完成值",
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="未关联指标的目标由责任科室填报完成值",
    )
    manual_actual_at = models.DateTimeField("填报时间", null=True, blank=True)
    manual_actual_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField("顺序", default=0)
    active = models.BooleanField("有效", default=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.phrase} {self.get_cmp_display()}{self.text or self.value_display}"

    @property
    def value_display(self) -> str:
        v = Decimal(str(self.value)).normalize()  # also before a save, when it may be an int
        return f"{v:f}{self.unit}"

    @property
    def scope_display(self) -> str:
        if self.scope == Scope.UNIT and self.org_unit_id:
            return self.org_unit.name
        return self.get_scope_display()


class ProgressReport(models.Model):
    """A department's report on a task: what was done, how far (percent), with attachments."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period_code = models.CharField("填报期间", max_length=10)
    percent = models.PositiveSmallIntegerField("完成进度(%)")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = "进度填报"
        verbose_name_plural = "进度填报"
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.period_code} {self.percent}%"


def _attachment_path(instance, filename: str) -> str:
    return f"plans/reports/{instance.report.task.plan_id}/{filename}"


class ProgressAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to=_attachment_path)
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小", default=0)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class ReportReminder(models.Model):
    """A reminder sent for a missing progress report, so the same one is not sent twice a day."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    period_code = models.CharField("期间", max_length=10)
    kind = models.CharField("类型", max_length=10, choices=[("overdue", "逾期未报"), ("due", "即将到期")])
    sent_on = models.DateField("发送日期")
    recipients = models.JSONField("收件人", default=list)

    class Meta:
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period_code", "kind", "sent_on"], name="unique_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.period_code} {self.kind} {self.sent_on}"


class Stage(models.TextChoices):
    ASSIGNED = "assigned", "交办"
    HANDLING = "handling", "办理"
    REPLIED = "replied", "反馈"
    REVIEWED = "reviewed", "复核"
    CLOSED = "closed", "办结"


class SupervisionQuerySet(models.QuerySet):
    def for_user(self, user) -> SupervisionQuerySet:
        # Distinct: a department reads the items raised on its tasks through the task's
        # departments, and a task with two departments would list (and fetch) an item twice.
        return self.filter(scope.supervision_read_filter(user)).distinct()


class SupervisionItem(models.Model):
    """A 督办 item: raised from a lagging task or by a leader, assigned to a department or an
    org unit, with a deadline, taken through 交办 → 办理 → 反馈 → 复核 → 办结 (销号)."""

    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="supervision"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="supervision"
    )
    title = models.CharField("督办事项", max_length=300)
    description = models.TextField("督办要求", blank=True)
    assignee_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="承办科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_items",
    )
    assignee_org = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_items",
    )
    deadline = models.DateField("办理时限")
    stage = models.CharField("环节", max_length=10, choices=Stage.choices, default=Stage.ASSIGNED)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField("交办时间", auto_now_add=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def assignee_name(self) -> str:
        if self.assignee_department_id:
            return self.assignee_department.name
        return self.assignee_org.name if self.assignee_org_id else ""


class SupervisionStep(models.Model):
    """One recorded step of the chain: who, when, what was said."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField("环节", max_length=10, choices=Stage.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    text = models.TextField("内容", blank=True)
    approved = models.BooleanField("复核通过", null=True, blank=True)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.at:%Y-%m-%d}"


class ProblemSource(models.TextChoices):
    PATROL = "patrol", "巡察"
    SUPERVISION = "supervision", "督导"
    INSPECTION = "inspection", "检查"


class Rectification(models.TextChoices):
    OPEN = "open", "未整改"
    IN_PROGRESS = "in_progress", "整改中"
    DONE = "done", "已整改"


class ProblemQuerySet(models.QuerySet):
    def for_user(self, user) -> ProblemQuerySet:
        return self.filter(scope.problem_read_filter(user))


class ProblemItem(models.Model):
    """A problem found by an inspection (巡察/督导/检查), with owner, deadline and 整改 status."""

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems")
    source = models.CharField("来源", max_length=12, choices=ProblemSource.choices)
    source_name = models.CharField("检查名称", max_length=200, blank=True)
    description = models.TextField("问题描述")
    owner_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="责任科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    owner_org = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    deadline = models.DateField("整改时限")
    status = models.CharField(
        "整改状态", max_length=12, choices=Rectification.choices, default=Rectification.OPEN
    )
    measures = models.TextField("整改措施", blank=True)
    rectified_at = models.DateField("完成整改日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField("登记时间", auto_now_add=True)
    updated = models.DateTimeField("更新时间", auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "问题清单"
        verbose_name_plural = "问题清单"
        ordering = ["status", "deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def owner_name(self) -> str:
        if self.owner_department_id:
            return self.owner_department.name
        return self.owner_org.name if self.owner_org_id else ""


class PlanDraft(models.Model):
    """An imported document not yet confirmed: the JSON proposal the user corrects on the
    preview page. Confirming turns it into a Plan (or revises `plan`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
        help_text="修订时为被修订的计划",
    )
    file_name = models.CharField("文件", max_length=255)
    year = models.PositiveSmallIntegerField("年度")
    proposal = models.JSONField("识别结果")
    created = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入草稿"
        verbose_name_plural = "导入草稿"
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.file_name
