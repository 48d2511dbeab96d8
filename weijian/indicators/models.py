"""The indicator catalogue: data elements (what is counted) and indicators (what is judged,
a formula over elements: numerator / denominator × factor)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ValueType(models.TextChoices):
    INTEGER = "int", _("整数")
    NUMBER = "number", pgettext_lazy("数值类型", "数值")


class Aggregation(models.TextChoices):
    """How an element's values combine across periods; across org units they are always
    summed (the city's average daily inpatients is the sum of its hospitals' averages)."""

    SUM = "sum", _("求和")
    AVERAGE = "avg", _("平均")
    LAST = "last", _("期末值")


class DataElement(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    aliases = models.JSONField("别名", default=list, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    value_type = models.CharField(
        "数值类型", max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        "汇总方式", max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    min_value = models.DecimalField("最小值", max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField("最大值", max_digits=20, decimal_places=4, null=True, blank=True)
    description = models.TextField("说明", blank=True)
    # Codes of the elements this one is a part of (儿科实有床位数 of 实有床位数): a unit's value
    # for this element may not exceed its value for any of them in the same period.
    part_of = models.JSONField("所属总数", default=list, blank=True)

    class Meta:
        verbose_name = "数据元"
        verbose_name_plural = "数据元"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """value = numerator / denominator × factor, each side an expression over element codes
    (e.g. "HTN_MANAGED_STD", "BEDS_ACTUAL * 1000"); an empty denominator means 1."""

    class Direction(models.TextChoices):
        HIGHER = "up", _("越高越好")
        LOWER = "down", _("越低越好")
        NEUTRAL = "none", _("无方向")

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    aliases = models.JSONField("别名", default=list, blank=True)
    category = models.CharField("类别", max_length=50, blank=True)
    numerator = models.CharField("分子", max_length=500)
    denominator = models.CharField("分母", max_length=500, blank=True)
    factor = models.DecimalField("系数", max_digits=12, decimal_places=2, default=1)
    unit = models.CharField("单位", max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField("小数位", default=2)
    direction = models.CharField("方向", max_length=4, choices=Direction.choices, default=Direction.HIGHER)
    definition = models.TextField("定义", blank=True)
    is_key = models.BooleanField("重点指标", default=False)
    # True when the definition makes the numerator a subset of the denominator (完成率, 覆盖率,
    # 占比): numerator ≤ denominator is then checked on entry. False for ratios and per-population
    # figures (医护比, 每千人口床位数) and for rates that may pass 100% (病床使用率).
    bounded = models.BooleanField("分子不大于分母", default=False)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        """A ratio of two element sums (a rate, share or per-capita figure)."""
        return bool(self.denominator.strip())

    def clean(self) -> None:
        """Refuse expressions that do not parse or that name elements the catalogue lacks."""
        from django.core.exceptions import ValidationError

        from .expressions import ExpressionError, parse

        errors: dict[str, str] = {}
        for field, label in (("numerator", "分子"), ("denominator", "分母")):
            text = (getattr(self, field) or "").strip()
            if field == "denominator" and not text:
                continue
            try:
                expr = parse(text)
            except ExpressionError as exc:
                errors[field] = str(exc)
                continue
            known = set(DataElement.objects.filter(code__in=expr.codes).values_list("code", flat=True))
            missing = sorted(expr.codes - known)
            if missing:
                errors[field] = f"{label}中的 {'、'.join(missing)} 不是已有的数据元编码"
        if self.factor is not None and self.factor == 0:
            errors["factor"] = "系数不能为0"
        if errors:
            raise ValidationError(errors)
