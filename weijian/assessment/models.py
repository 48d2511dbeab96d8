"""Assessment records: schemes (a tree of categories and items, each item with its data source
and typed rule), the units' results with a snapshot of every item's inputs and outcome, the
reviews, evidence, appeals and the audit of every score change.

The scoring rules themselves are plain Python in `rules.py` and `grading.py`; an item keeps its
rule as the JSON of `rules.to_dict`. The workflow (下达 → 自评 → 审核 → 预公示 → 申诉 → 审定 →
通报) lives in `workflow.py`, the scoring in `services.py`.
"""

from __future__ import annotations

import os
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from weijian.accounts import scope
from weijian.accounts.models import Role


class SchemeLocked(Exception):
    """An edit refused because the scheme has been used for scoring; the message is Chinese."""


class WorkflowError(Exception):
    """An action refused; the message is Chinese and says why."""


class Kind(models.TextChoices):
    COUNTY = "county", "县区"
    HOSPITAL = "hospital", "二级以上公立医院"
    PRIMARY = "primary", "乡镇卫生院/社区卫生服务中心"


class Stage(models.TextChoices):
    DRAFT = "draft", "编制"
    ISSUED = "issued", "下达"
    SELF = "self", "自评"
    REVIEW = "review", "审核"
    PREVIEW = "preview", "预公示"
    APPEAL = "appeal", "申诉"
    DECIDED = "decided", "审定"
    PUBLISHED = "published", "通报"


STAGE_ORDER = [s.value for s in Stage]


def stage_at_least(stage: str, floor: str) -> bool:
    return STAGE_ORDER.index(stage) >= STAGE_ORDER.index(floor)


class MissingPolicy(models.TextChoices):
    ZERO = "zero", "缺数据得0分"
    EXCLUDE = "exclude", "缺数据不计入（按适用分值折算）"
    FAIL = "fail", "缺数据视为不达标"


class Source(models.TextChoices):
    INDICATOR = "indicator", "数据指标"
    TARGET = "target", "计划目标"
    TASK = "task", "计划任务"
    SUPERVISION = "supervision", "逾期督办事项"
    PROBLEMS = "problems", "未整改问题"
    REVIEW = "review", "评审打分"
    EVIDENCE = "evidence", "佐证材料"
    MANUAL = "manual", "考核组核定"


def sees_all(user) -> bool:
    """Admin and leaders see every scheme and result; everyone else what their part gives."""
    return scope.is_admin(user) or scope.has_role(user, Role.LEADER)


class SchemeQuerySet(models.QuerySet):
    def for_user(self, user) -> SchemeQuerySet:
        """Schemes a user may open: admin and leaders every scheme; a reviewer the schemes it
        reviews; a unit the schemes issued to it (with a result for a unit in its subtree)."""
        if sees_all(user):
            return self
        if not scope.is_active(user):
            return self.none()
        q = Q(reviewers=user)
        if user.org_unit_id is not None:
            mine = Result.objects.filter(scope.subtree_q(user, "org_unit")).values("scheme_id")
            q |= Q(pk__in=mine) & ~Q(stage=Stage.DRAFT)
        return self.filter(q).distinct()


class Scheme(models.Model):
    """One assessment scheme (考核方案) for a year and an assessed kind, in a version.

    Scoring locks it (`scored_at`); a change after that is made on a new version."""

    name = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("考核对象", max_length=12, choices=Kind.choices, default=Kind.COUNTY)
    version = models.PositiveSmallIntegerField("版本", default=1)
    previous = models.ForeignKey(
        "self", verbose_name="上一版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(
        "orgs.OrgUnit", verbose_name="考核地区", on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    unit_group = models.ForeignKey(
        "orgs.OrgGroup",
        verbose_name="考核对象分组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="为空时按考核对象类型确定被考核单位",
    )
    peer_groups = models.JSONField("同类组", default=dict, blank=True, help_text="单位编码 → 同类组名称")
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="审核人员", blank=True, related_name="reviewed_schemes"
    )
    stage = models.CharField("环节", max_length=10, choices=Stage.choices, default=Stage.DRAFT)
    missing_policy = models.CharField(
        "缺数据处理", max_length=10, choices=MissingPolicy.choices, default=MissingPolicy.ZERO
    )
    grading = models.JSONField("等次规则", default=dict, blank=True)
    basis = models.TextField("考核依据", blank=True)
    requirements = models.TextField("工作要求", blank=True)
    appeal_days = models.PositiveSmallIntegerField("申诉期限(天)", default=5)
    appeal_deadline = models.DateField("申诉截止日期", null=True, blank=True)
    scored_at = models.DateTimeField("首次评分时间", null=True, blank=True)
    decided_at = models.DateTimeField("审定时间", null=True, blank=True)
    published_at = models.DateTimeField("通报时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField("创建时间", auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "version"], name="unique_scheme_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）" if self.version > 1 else self.name

    @property
    def is_locked(self) -> bool:
        """Issued to the units or used for scoring: the items are what the units were told."""
        return self.scored_at is not None or self.stage != Stage.DRAFT

    @property
    def results_final(self) -> bool:
        return stage_at_least(self.stage, Stage.DECIDED)

    @property
    def is_published(self) -> bool:
        return self.stage == Stage.PUBLISHED

    def ensure_editable(self) -> None:
        if self.is_locked:
            used = f"已用于评分（{self.scored_at:%Y-%m-%d}）" if self.scored_at else "已下达"
            raise SchemeLocked(f"方案“{self.name}”{used}，不能再修改；请新建版本后修改。")

    def full_points(self) -> Decimal:
        return sum((i.points for i in self.items.all() if not i.is_bonus), Decimal(0))

    def assessed_units(self):
        """The org units this scheme assesses, in code order."""
        from weijian.orgs.models import InstitutionType, Level, OrgUnit

        units = OrgUnit.objects.subtree_of(self.area).filter(active=True)
        if self.unit_group_id:
            return units.filter(groups=self.unit_group_id).order_by("code")
        if self.kind == Kind.COUNTY:
            return units.filter(level=Level.COUNTY).order_by("code")
        if self.kind == Kind.PRIMARY:
            return units.filter(
                inst_type__in=[InstitutionType.TOWNSHIP_HC, InstitutionType.COMMUNITY_HC]
            ).order_by("code")
        return units.filter(level=Level.INSTITUTION, grade__in=["2", "3"], ownership="public").order_by(
            "code"
        )

    def peer_group_of(self, unit) -> str:
        return self.peer_groups.get(unit.code, "全部")

    def last_year(self) -> Scheme | None:
        """Last year's scheme of the same kind and area (its latest version)."""
        return (
            Scheme.objects.filter(year=self.year - 1, kind=self.kind, area=self.area)
            .order_by("-version")
            .first()
        )


class Category(models.Model):
    """A 一级指标 (or a 二级指标 under it): a heading with its points."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField("名称", max_length=200)
    points = models.DecimalField("分值", max_digits=8, decimal_places=2, default=0)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核类别"
        verbose_name_plural = "考核类别"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        Scheme.objects.get(pk=self.scheme_id).ensure_editable()
        super().save(*args, **kwargs)


class Item(models.Model):
    """One scored item: points, the content assessed, where its figure comes from, the typed
    rule (JSON of rules.to_dict) and the 评分标准 sentence generated from it."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="items")
    num = models.CharField("序号", max_length=20, blank=True)
    name = models.CharField("考核指标", max_length=200)
    content = models.TextField("考核内容", blank=True)
    points = models.DecimalField("分值", max_digits=8, decimal_places=2)
    criterion = models.TextField("评分标准", blank=True)
    source = models.CharField("数据来源", max_length=12, choices=Source.choices, default=Source.INDICATOR)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    element = models.ForeignKey(
        "indicators.DataElement",
        verbose_name="数据元",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.ForeignKey(
        "plans.Target",
        verbose_name="计划目标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        "plans.Task",
        verbose_name="计划任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_value = models.DecimalField("目标值", max_digits=20, decimal_places=4, null=True, blank=True)
    rule = models.JSONField("评分规则", default=dict)
    is_bonus = models.BooleanField("加分项", default=False)
    applies_levels = models.JSONField("适用层级", default=list, blank=True)
    applies_inst_types = models.JSONField("适用机构类型", default=list, blank=True)
    applies_group = models.ForeignKey(
        "orgs.OrgGroup",
        verbose_name="适用分组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核细则"
        verbose_name_plural = "考核细则"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.num} {self.name}".strip()

    def save(self, *args, **kwargs):
        Scheme.objects.get(pk=self.scheme_id).ensure_editable()
        super().save(*args, **kwargs)

    def applies_to(self, unit, group_members: set[int] | None = None) -> bool:
        if self.applies_levels and unit.level not in self.applies_levels:
            return False
        if self.applies_inst_types and unit.inst_type not in self.applies_inst_types:
            return False
        if self.applies_group_id and group_members is not None and unit.pk not in group_members:
            return False
        return True

    @property
    def rule_kind(self) -> str:
        return self.rule.get("kind", "")


class ResultQuerySet(models.QuerySet):
    def for_user(self, user) -> ResultQuerySet:
        """Admin and leaders see every result; a reviewer the results of the schemes it reviews;
        a unit its own subtree's results of issued schemes. (Once a scheme is published every
        user also sees its ranking — the ranking page, not other units' scorecards.)"""
        if sees_all(user):
            return self
        if not scope.is_active(user):
            return self.none()
        q = Q(scheme__reviewers=user)
        if user.org_unit_id is not None:
            q |= scope.subtree_q(user, "org_unit") & ~Q(scheme__stage=Stage.DRAFT)
        return self.filter(q).distinct()


class Result(models.Model):
    """A unit's result under a scheme: totals, grade and rank as last computed."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="results")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="assessment_results")
    points = models.DecimalField("得分", max_digits=10, decimal_places=2, null=True, blank=True)
    full = models.DecimalField("满分", max_digits=10, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=20, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    peer_rank = models.PositiveIntegerField("同类组名次", null=True, blank=True)
    veto = models.BooleanField("一票否决", default=False)
    explanation = models.TextField("总分说明", blank=True)
    totals = models.JSONField("总分明细", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    self_submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    self_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField("预公示反馈意见", blank=True)
    reply_at = models.DateTimeField("反馈时间", null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["rank", "org_unit__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "org_unit"], name="unique_result_per_unit")]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.org_unit}"


class ItemScore(models.Model):
    """One item for one unit: the snapshot of its inputs at scoring time and the outcome.

    `inputs` holds what the rule saw (value, target, numerator, denominator, last year, peers,
    counts, reviews …) so a later change in the data does not move a locked result."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="scores")
    status = models.CharField("状态", max_length=16, default="missing")
    points = models.DecimalField("得分", max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField("分值", max_digits=8, decimal_places=2)
    lost = models.DecimalField("失分", max_digits=8, decimal_places=2, default=0)
    gain_potential = models.DecimalField("可提升分", max_digits=8, decimal_places=2, default=0)
    gain_text = models.CharField("提升途径", max_length=300, blank=True)
    veto = models.BooleanField("一票否决", default=False)
    computation = models.TextField("计算过程", blank=True)
    inputs = models.JSONField("输入快照", default=dict, blank=True)
    source_text = models.CharField("来源数据", max_length=300, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_points = models.DecimalField("自评得分", max_digits=8, decimal_places=2, null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True)
    # Figures the assessment team records by hand (manual and checklist items, veto events).
    manual_value = models.DecimalField("核定数值", max_digits=20, decimal_places=4, null=True, blank=True)
    manual_count = models.PositiveIntegerField("核定次数/问题数", null=True, blank=True)
    # None until the 考核组 records a check: a veto nobody has checked follows its missing-data policy.
    manual_flag = models.BooleanField("发生否决事项", null=True, blank=True, default=None)
    manual_note = models.TextField("核定说明", blank=True)

    class Meta:
        verbose_name = "单项得分"
        verbose_name_plural = "单项得分"
        ordering = ["item__order", "item__pk"]
        constraints = [models.UniqueConstraint(fields=["result", "item"], name="unique_score_per_item")]

    def __str__(self) -> str:
        return f"{self.result} · {self.item}"


class Review(models.Model):
    """A reviewer's score on a qualitative item (好/较好/一般/差 or points), reason required."""

    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("评价等级", max_length=10, blank=True)
    points = models.DecimalField("评分", max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.TextField("理由")
    at = models.DateTimeField("时间", auto_now=True)

    class Meta:
        verbose_name = "评审意见"
        verbose_name_plural = "评审意见"
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["score", "reviewer"], name="one_review_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.level or self.points}"


EVIDENCE_SUFFIXES = {".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".csv", ".ofd", ".zip"}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _evidence_path(instance, filename: str) -> str:
    return f"assessment/{instance.score.result.scheme_id}/{instance.score.result.org_unit_id}/{filename}"


class Evidence(models.Model):
    """A 佐证材料 file uploaded by a unit for one item."""

    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=_evidence_path)
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小", default=0)
    note = models.CharField("说明", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.name)[1].lower()


class ScoreChange(models.Model):
    """The audit of a score: who changed an item's points (or a unit's total), when, from what
    to what, and why. Written by every path that changes points."""

    score = models.ForeignKey(
        ItemScore, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    old = models.CharField("原值", max_length=40, blank=True)
    new = models.CharField("新值", max_length=40, blank=True)
    reason = models.CharField("原因", max_length=500)

    class Meta:
        verbose_name = "得分变更"
        verbose_name_plural = "得分变更"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}（{self.reason}）"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "维持原评分"


class Appeal(models.Model):
    """A unit's 申诉 against an item's score, decided by someone other than the first scorer."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="appeals")
    score = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField("申诉理由")
    requested_points = models.DecimalField("申请得分", max_digits=8, decimal_places=2, null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    status = models.CharField(
        "处理结果", max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField("处理意见", blank=True)
    new_points = models.DecimalField("调整后得分", max_digits=8, decimal_places=2, null=True, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result.org_unit} · {self.score.item}"
