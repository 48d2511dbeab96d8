"""Periods and data values (element × org unit × period), their audit trail, validation
rules, data sets for entry forms, and the record of imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from weijian.accounts import scope


class PeriodType(models.TextChoices):
    YEAR = "Y", _("年")
    HALF = "S", _("半年")
    QUARTER = "Q", _("季度")
    MONTH = "M", _("月")


class Period(models.Model):
    """A reporting period with DHIS2-style codes: 2024, 2024S1, 2024Q1, 202401.

    Create through `data.periods.get_period(code)`; the dates make roll-ups a range query."""

    code = models.CharField("编码", max_length=10, unique=True)
    type = models.CharField("类型", max_length=1, choices=PeriodType.choices)
    start = models.DateField("开始")
    end = models.DateField("结束")

    class Meta:
        verbose_name = "期间"
        verbose_name_plural = "期间"
        ordering = ["start", "-end"]
        indexes = [models.Index(fields=["type", "start", "end"])]

    def __str__(self) -> str:
        return self.code


class DataValueQuerySet(models.QuerySet):
    def for_user(self, user) -> DataValueQuerySet:
        """The values of the org units this user may read."""
        return self.filter(scope.subtree_q(user, "org_unit"))


class DataValue(models.Model):
    # No single-column indexes on element and org_unit: the unique (element, org_unit, period)
    # and the (org_unit, period) index lead with them, and every extra index slows imports.
    element = models.ForeignKey(
        "indicators.DataElement", verbose_name="数据元", on_delete=models.PROTECT, db_index=False
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name="机构", on_delete=models.PROTECT, db_index=False
    )
    period = models.ForeignKey(Period, verbose_name="期间", on_delete=models.PROTECT)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    comment = models.CharField("备注", max_length=200, blank=True)
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField("创建时间", auto_now_add=True)
    updated = models.DateTimeField("更新时间", auto_now=True)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = "数据值"
        verbose_name_plural = "数据值"
        constraints = [
            models.UniqueConstraint(fields=["element", "org_unit", "period"], name="unique_data_value"),
        ]
        # (element, period) serves the roll-ups; (org_unit, period) serves entry forms, the
        # Excel template and validation, which read one unit's values for one period.
        indexes = [models.Index(fields=["element", "period"]), models.Index(fields=["org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.org_unit_id}/{self.period_id}={self.value}"


class DataValueAudit(models.Model):
    """Every change to a data value: who, when, old value, new value, through what."""

    class Source(models.TextChoices):
        FORM = "form", _("网页填报")
        IMPORT = "import", _("文件导入")
        API = "api", _("接口")
        DEMO = "demo", _("演示数据")

    element = models.ForeignKey(
        "indicators.DataElement", on_delete=models.CASCADE, db_index=False
    )  # see Meta
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE)
    period = models.ForeignKey(Period, on_delete=models.CASCADE)
    old_value = models.DecimalField("原值", max_digits=20, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField("新值", max_digits=20, decimal_places=4, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    import_job = models.ForeignKey(
        "ImportJob",
        verbose_name="导入记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
    )

    class Meta:
        verbose_name = "数据修改记录"
        verbose_name_plural = "数据修改记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["element", "org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.org_unit_id}/{self.period_id}: {self.old_value} → {self.new_value}"


class DataSet(models.Model):
    """A reporting form: which elements an org unit reports, and how often."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    period_type = models.CharField(
        "报告周期", max_length=1, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    elements = models.ManyToManyField(
        "indicators.DataElement", verbose_name="数据元", related_name="datasets"
    )
    org_levels = models.JSONField("填报层级", default=list, blank=True)
    # Institution types that report this set (orgs.InstitutionType values); empty = every type.
    inst_types = models.JSONField("填报机构类型", default=list, blank=True)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据集"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ValidationRule(models.Model):
    """left op right, each side an expression over element codes, checked per org unit and period
    (e.g. "HTN_MANAGED_STD <= HTN_MANAGED")."""

    OPERATORS = [("<=", "≤"), ("<", "<"), ("==", "="), (">=", "≥"), (">", ">")]

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    left = models.CharField("左侧", max_length=300)
    operator = models.CharField("比较", max_length=2, choices=OPERATORS)
    right = models.CharField("右侧", max_length=300)
    message = models.CharField("提示", max_length=200, blank=True)

    class Meta:
        verbose_name = "校验规则"
        verbose_name_plural = "校验规则"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """The record of one import: what came in, by whom, how far it got, what was applied and
    rejected. The status is always true: "applied"/"partial" is written in the same transaction
    as the values; a job that was running when its process died is found by `interrupted()`
    (its heartbeat stopped) and marked so, never left claiming success."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        APPLIED = "applied", _("已导入")
        PARTIAL = "partial", _("部分导入")
        REJECTED = "rejected", _("未导入")
        FAILED = "failed", _("导入失败")
        INTERRUPTED = "interrupted", _("已中断")

    FINISHED = {Status.APPLIED, Status.PARTIAL, Status.REJECTED, Status.FAILED, Status.INTERRUPTED}
    # A running job's worker writes its heartbeat at least this often (seconds).
    HEARTBEAT = 15

    file_name = models.CharField("文件", max_length=255)
    file_format = models.CharField("格式", max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField("时间", auto_now_add=True)
    status = models.CharField("结果", max_length=12, choices=Status.choices)
    partial = models.BooleanField("只导入正确的行", default=False)
    system = models.BooleanField("不限填报范围", default=False)
    upload = models.CharField("上传文件", max_length=500, blank=True)  # path under VAR_DIR/imports
    stage = models.CharField("阶段", max_length=40, blank=True)
    rows_total = models.PositiveBigIntegerField("行数", default=0)
    rows_read = models.PositiveBigIntegerField("已读行数", default=0)
    rows_checked = models.PositiveBigIntegerField("已校验行数", default=0)
    rows_applied = models.PositiveBigIntegerField("导入行数", default=0)
    rows_rejected = models.PositiveBigIntegerField("错误行数", default=0)
    bytes_total = models.PositiveBigIntegerField("文件大小", default=0)
    bytes_read = models.PositiveBigIntegerField("已读字节", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # the first errors in full
    error_counts = models.JSONField("错误统计", default=dict, blank=True)  # reason → rows
    changes = models.JSONField("改动", default=dict, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    heartbeat = models.DateTimeField("心跳", null=True, blank=True)
    worker = models.CharField("进程", max_length=100, blank=True)  # host:pid of the importing process
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["status", "heartbeat"])]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def progress(self) -> int:
        """Percent done, for the progress bar: reading is the first half, checking and
        writing the second."""
        if self.is_finished:
            return 100
        read = self.bytes_read / self.bytes_total if self.bytes_total else 0
        checked = self.rows_checked / self.rows_total if self.rows_total else 0
        return min(99, int(50 * read + 45 * checked + (5 if self.stage == "writing" else 0)))
