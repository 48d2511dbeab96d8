"""Supervision: 督办 items and their chain 交办 → 办理 → 反馈 → 复核 → 办结 (each step recorded
with who, when and what was said), and problem lists (问题清单) from 巡察/督导/检查 with their
整改 status and completion rates per source and per unit.

Every function checks the user's right through plans.scope and raises SupervisionError with
a Chinese message when the step is not allowed; nothing is changed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from weijian.accounts.models import record

from . import scope
from .models import (
    ProblemItem,
    ProblemSource,
    Rectification,
    Stage,
    SupervisionItem,
    SupervisionStep,
    Task,
)


class SupervisionError(ValueError):
    """A step that may not be taken now or by this user; the message is for the user."""


# Which stage may follow which: 办理 may be skipped (a reply implies work), and a review that
# fails sends the item back to 办理.
NEXT = {
    Stage.ASSIGNED: {Stage.HANDLING, Stage.REPLIED},
    Stage.HANDLING: {Stage.REPLIED},
    Stage.REPLIED: {Stage.REVIEWED, Stage.HANDLING},
    Stage.REVIEWED: {Stage.CLOSED},
    Stage.CLOSED: set(),
}


@transaction.atomic
def raise_item(
    user,
    *,
    title: str,
    deadline: date,
    description: str = "",
    task: Task | None = None,
    assignee_department=None,
    assignee_org=None,
) -> SupervisionItem:
    """交办: a leader (or admin) raises an item, from a lagging task or on his own."""
    if not scope.can_raise_supervision(user):
        raise SupervisionError("只有委领导或系统管理员可以发起督办。")
    title = (title or "").strip()
    if not title:
        raise SupervisionError("督办事项不能为空。")
    if (assignee_department is None) == (assignee_org is None):
        raise SupervisionError("请指定一个承办科室或承办单位（二选一）。")
    if deadline < timezone.localdate():
        raise SupervisionError(f"办理时限 {deadline} 早于今天。")
    item = SupervisionItem.objects.create(
        plan=task.plan if task else None,
        task=task,
        title=title[:300],
        description=description,
        assignee_department=assignee_department,
        assignee_org=assignee_org,
        deadline=deadline,
        raised_by=user,
    )
    SupervisionStep.objects.create(
        item=item, stage=Stage.ASSIGNED, user=user, text=description or f"交办：{title}"
    )
    record(user, "create", item, detail=f"督办交办：{title}")
    return item


def _move(
    item: SupervisionItem, user, stage: str, text: str, approved: bool | None = None
) -> SupervisionStep:
    if stage not in NEXT[item.stage]:
        raise SupervisionError(
            f"督办事项当前处于“{item.get_stage_display()}”环节，不能进行“{Stage(stage).label}”。"
        )
    old = item.get_stage_display()
    item.stage = stage
    if stage == Stage.CLOSED:
        item.closed_at = timezone.now()
    item.save(update_fields=["stage", "closed_at"])
    step = SupervisionStep.objects.create(item=item, stage=stage, user=user, text=text, approved=approved)
    record(user, "update", item, old=old, new=item.get_stage_display(), detail=text[:200])
    return step


@transaction.atomic
def handle(user, item: SupervisionItem, text: str) -> SupervisionStep:
    """办理: the assignee takes the item up and says how."""
    if not scope.can_handle_supervision(user, item):
        raise SupervisionError("只有承办科室或承办单位可以办理该督办事项。")
    if not (text or "").strip():
        raise SupervisionError("请填写办理情况。")
    return _move(item, user, Stage.HANDLING, text.strip())


@transaction.atomic
def reply(user, item: SupervisionItem, text: str) -> SupervisionStep:
    """反馈: the assignee reports what was done."""
    if not scope.can_handle_supervision(user, item):
        raise SupervisionError("只有承办科室或承办单位可以反馈该督办事项。")
    if not (text or "").strip():
        raise SupervisionError("请填写反馈内容。")
    return _move(item, user, Stage.REPLIED, text.strip())


@transaction.atomic
def review(user, item: SupervisionItem, approved: bool, text: str) -> SupervisionStep:
    """复核: the raiser (or a leader) accepts the reply, or sends it back to 办理."""
    if not scope.can_review_supervision(user, item):
        raise SupervisionError("只有督办发起人、委领导或系统管理员可以复核。")
    if not (text or "").strip():
        raise SupervisionError("请填写复核意见。")
    if item.stage != Stage.REPLIED:
        raise SupervisionError(f"督办事项当前处于“{item.get_stage_display()}”环节，承办方反馈后才能复核。")
    if approved:
        return _move(item, user, Stage.REVIEWED, text.strip(), approved=True)
    return _move(item, user, Stage.HANDLING, f"复核未通过，退回办理：{text.strip()}", approved=False)


@transaction.atomic
def close(user, item: SupervisionItem, text: str = "") -> SupervisionStep:
    """办结 (销号): only after a review that passed."""
    if not scope.can_review_supervision(user, item):
        raise SupervisionError("只有督办发起人、委领导或系统管理员可以销号。")
    return _move(item, user, Stage.CLOSED, (text or "").strip() or "复核通过，予以销号。")


def is_overdue(item: SupervisionItem, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return item.stage != Stage.CLOSED and item.deadline < today


# --- Problem lists -------------------------------------------------------------------------


@transaction.atomic
def register_problem(
    user,
    *,
    source: str,
    description: str,
    deadline: date,
    source_name: str = "",
    owner_department=None,
    owner_org=None,
    plan=None,
) -> ProblemItem:
    if not scope.can_register_problem(user):
        raise SupervisionError("只有委领导或系统管理员可以登记问题。")
    if source not in ProblemSource.values:
        raise SupervisionError(f"问题来源“{source}”无效（应为巡察、督导或检查）。")
    if not (description or "").strip():
        raise SupervisionError("问题描述不能为空。")
    if (owner_department is None) == (owner_org is None):
        raise SupervisionError("请指定一个责任科室或责任单位（二选一）。")
    item = ProblemItem.objects.create(
        plan=plan,
        source=source,
        source_name=source_name[:200],
        description=description.strip(),
        owner_department=owner_department,
        owner_org=owner_org,
        deadline=deadline,
        created_by=user,
    )
    record(user, "create", item, detail=f"登记问题：{item}")
    return item


@transaction.atomic
def update_rectification(
    user, item: ProblemItem, status: str, measures: str, rectified_at: date | None = None
) -> ProblemItem:
    """The owner records 整改 measures and status; 已整改 needs the measures and a date."""
    if not scope.can_update_problem(user, item):
        raise SupervisionError("只有责任科室或责任单位可以填报整改情况。")
    if status not in Rectification.values:
        raise SupervisionError(f"整改状态“{status}”无效。")
    measures = (measures or "").strip()
    if status == Rectification.DONE:
        if not measures:
            raise SupervisionError("标记为已整改时必须填写整改措施。")
        rectified_at = rectified_at or timezone.localdate()
    else:
        rectified_at = None
    old = item.get_status_display()
    item.status, item.measures, item.rectified_at = status, measures, rectified_at
    item.save()
    record(user, "update", item, old=old, new=item.get_status_display(), detail=measures[:200])
    return item


@dataclass
class Completion:
    label: str
    done: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        """Completion rate in %, two decimals (36 of 38 → 94.74)."""
        if not self.total:
            return None
        return (Decimal(self.done) * 100 / Decimal(self.total)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def rate_display(self) -> str:
        return "—" if self.rate is None else f"{self.rate}%"


def completion_rates(problems) -> dict[str, list[Completion]]:
    """整改完成率 per source and per owner (department or unit), counted in SQL."""
    done = Count("pk", filter=Q(status=Rectification.DONE))
    by_source = [
        Completion(ProblemSource(row["source"]).label, row["done"], row["total"])
        for row in problems.order_by()
        .values("source")
        .annotate(total=Count("pk"), done=done)
        .order_by("source")
    ]
    by_owner = [
        Completion(
            row["owner_department__name"] or row["owner_org__name"] or "未指定", row["done"], row["total"]
        )
        for row in problems.order_by()
        .values("owner_department__name", "owner_org__name")
        .annotate(total=Count("pk"), done=done)
        .order_by("owner_department__name", "owner_org__name")
    ]
    totals = problems.aggregate(total=Count("pk"), done=done)
    return {
        "source": by_source,
        "owner": by_owner,
        "all": [Completion("合计", totals["done"] or 0, totals["total"] or 0)],
    }
