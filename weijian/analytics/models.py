"""Pre-aggregated totals (as DHIS2's analytics tables): for every org unit that has children,
every data element and every standard period (year, half, quarter, month), the element's
total over the unit's subtree, computed by the same rules as `data.aggregate`. Kept in step
with the stored values by `services` on every committed write; rebuilt whole by
`weijian analytics rebuild`."""

from __future__ import annotations

from django.db import models


class Total(models.Model):
    element = models.ForeignKey("indicators.DataElement", on_delete=models.CASCADE, db_index=False)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, db_index=False)
    period = models.ForeignKey("data.Period", on_delete=models.CASCADE, db_index=False)
    value = models.DecimalField(max_digits=30, decimal_places=6)

    class Meta:
        verbose_name = "汇总值"
        verbose_name_plural = "汇总值"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "element", "period"], name="unique_analytics_total")
        ]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.org_unit_id}/{self.period_id}={self.value}"


class State(models.Model):
    """One row: whether the totals are complete. Until the first rebuild, and after a change of
    the org hierarchy that the totals cannot follow, pages compute from the stored values."""

    built_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)

    class Meta:
        verbose_name = "汇总表状态"
        verbose_name_plural = "汇总表状态"

    def __str__(self) -> str:
        return f"built {self.built_at}, stale {self.stale}"

    @property
    def ready(self) -> bool:
        return self.built_at is not None and not self.stale
