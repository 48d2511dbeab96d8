"""Stored reports: drafted summaries and 排名通报 (with their figures, so a re-draft shows what
changed), and the files users upload for proofreading (visible to their owner and admin)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportKind(models.TextChoices):
    SUMMARY = "summary", "工作总结"
    RANKING = "ranking", "排名通报"


class Report(models.Model):
    kind = models.CharField("类型", max_length=10, choices=ReportKind.choices)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    period_code = models.CharField("期间", max_length=10, blank=True)
    indicator_code = models.CharField("指标", max_length=40, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.JSONField("内容")  # Draft.to_json(): blocks and figures
    docx = models.BinaryField("Word 文件")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField("起草时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告"
        verbose_name_plural = "报告"
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def figures(self) -> list[dict]:
        return self.content.get("figures", [])

    def previous(self) -> Report | None:
        """The draft of the same report made before this one."""
        return (
            Report.objects.filter(
                kind=self.kind,
                org_unit=self.org_unit,
                year=self.year,
                period_code=self.period_code,
                indicator_code=self.indicator_code,
                created__lte=self.created,
            )
            .exclude(pk=self.pk)
            .filter(pk__lt=self.pk)
            .order_by("-pk")
            .first()
        )


class Proofreading(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("文件名", max_length=255)
    format = models.CharField("格式", max_length=10)
    size = models.PositiveIntegerField("大小")
    data = models.BinaryField("文件")
    result = models.JSONField("校对结果")
    created = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "校对"
        verbose_name_plural = "校对"
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.name
