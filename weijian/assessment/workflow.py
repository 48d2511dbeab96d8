"""The assessment workflow and who may act in it.

    编制 draft → 下达 issued → 自评 self → 审核 review → 预公示 preview → 申诉 appeal → 审定 decided → 通报 published

* Only an administrator edits a scheme and moves it along.
* A unit (county or institution user) self-assesses its own result in 自评 (points it claims,
  a note, 佐证材料), replies in 预公示, and files 申诉 until the appeal deadline.
* A reviewer is a user named on the scheme (or an administrator) who does not belong to the unit
  reviewed; reviewers score qualitative items and record checked figures in 审核.
* An appeal is decided by someone other than the unit and other than whoever scored the item
  first (its reviewers and the user who computed it), with an opinion.
* 审定 locks every result; 通报 publishes the ranking to every unit.

Each check returns a Chinese refusal (or "" when allowed) so pages, the API and the CLI say the
same thing. Every change of points is written to ScoreChange.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from weijian.accounts import scope
from weijian.accounts.models import Role

from . import services
from .models import (
    STAGE_ORDER,
    Appeal,
    AppealStatus,
    ItemScore,
    Result,
    Review,
    Scheme,
    Source,
    Stage,
    WorkflowError,
    sees_all,
    stage_at_least,
)
from .rules import format_points as _fmt


class Refused(WorkflowError):
    """Refused because of who the user is or where the scheme stands (not because of the input)."""


def _stage_label(stage: str) -> str:
    return Stage(stage).label


# --- who ---------------------------------------------------------------------------------


def can_manage(user) -> bool:
    return scope.is_admin(user)


def belongs_to(user, unit) -> bool:
    """The user is the unit (or above it in the hierarchy): it cannot judge that unit."""
    return scope.is_active(user) and user.org_unit_id is not None and unit.path.startswith(user.org_unit.path)


def is_unit_user(user, unit) -> bool:
    return scope.has_role(user, Role.COUNTY, Role.INSTITUTION) and belongs_to(user, unit)


def is_reviewer(user, scheme: Scheme) -> bool:
    if not scope.is_active(user):
        return False
    return scope.is_admin(user) or scheme.reviewers.filter(pk=user.pk).exists()


def can_view_result(user, result: Result) -> bool:
    return Result.objects.for_user(user).filter(pk=result.pk).exists()


def can_see_ranking(user, scheme: Scheme) -> bool:
    """The whole ranking: admin, leaders and the scheme's reviewers always; units once published."""
    return sees_all(user) or is_reviewer(user, scheme) or (scheme.is_published and scope.is_active(user))


def refuse_self_assess(user, result: Result) -> str:
    if not is_unit_user(user, result.org_unit):
        return "只有被考核单位本身可以自评。"
    if result.scheme.stage != Stage.SELF:
        return f"当前环节为“{_stage_label(result.scheme.stage)}”，不在自评阶段。"
    return ""


def refuse_review(user, result: Result) -> str:
    if not is_reviewer(user, result.scheme):
        return "您不是本方案的审核人员。"
    if belongs_to(user, result.org_unit):
        return "审核人员不能审核本单位（或下级单位）的得分。"
    if result.scheme.stage != Stage.REVIEW:
        return f"当前环节为“{_stage_label(result.scheme.stage)}”，不在审核阶段。"
    return ""


def refuse_reply(user, result: Result) -> str:
    if not is_unit_user(user, result.org_unit):
        return "只有被考核单位可以对预公示结果提出反馈意见。"
    if result.scheme.stage != Stage.PREVIEW:
        return f"当前环节为“{_stage_label(result.scheme.stage)}”，不在预公示阶段。"
    return ""


def refuse_appeal(user, result: Result, today: date | None = None) -> str:
    today = today or timezone.localdate()
    scheme = result.scheme
    if not is_unit_user(user, result.org_unit):
        return "只有被考核单位可以提出申诉。"
    if scheme.stage not in (Stage.PREVIEW, Stage.APPEAL):
        return f"当前环节为“{_stage_label(scheme.stage)}”，不接受申诉。"
    if scheme.appeal_deadline and today > scheme.appeal_deadline:
        return f"申诉期已于{scheme.appeal_deadline:%Y年%m月%d日}截止。"
    return ""


def first_scorers(score: ItemScore) -> set[int]:
    """The people whose judgement the item's points are: its reviewers and whoever checked its figure."""
    ids = set(score.reviews.values_list("reviewer_id", flat=True))
    if score.scored_by_id:
        ids.add(score.scored_by_id)
    return ids


def refuse_decide_appeal(user, appeal: Appeal) -> str:
    result = appeal.result
    if not (can_manage(user) or is_reviewer(user, result.scheme)):
        return "只有考核管理人员可以处理申诉。"
    if belongs_to(user, result.org_unit):
        return "不能处理本单位提出的申诉。"
    if user.pk in first_scorers(appeal.score):
        return "该项由您评分，申诉须由其他人员处理。"
    if appeal.status != AppealStatus.OPEN:
        return "该申诉已处理。"
    if result.scheme.results_final:
        return "考核结果已审定，不能再处理申诉。"
    return ""


# --- moving the scheme along --------------------------------------------------------------


def next_stage(scheme: Scheme) -> str | None:
    i = STAGE_ORDER.index(scheme.stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


def refuse_advance(user, scheme: Scheme) -> str:
    if not can_manage(user):
        return "只有系统管理员可以推进考核环节。"
    nxt = next_stage(scheme)
    if nxt is None:
        return "考核结果已通报，没有后续环节。"
    if scheme.stage == Stage.DRAFT and not scheme.items.exists():
        return "方案还没有考核细则，不能下达。"
    if scheme.stage == Stage.REVIEW:
        missing = missing_reviews(scheme)
        if missing:
            shown = "；".join(missing[:5]) + ("等" if len(missing) > 5 else "")
            return f"还有{len(missing)}项评审未完成：{shown}。"
    if scheme.stage == Stage.APPEAL:
        n = Appeal.objects.filter(result__scheme=scheme, status=AppealStatus.OPEN).count()
        if n:
            return f"还有{n}件申诉未处理，不能审定。"
    return ""


def missing_reviews(scheme: Scheme) -> list[str]:
    """Applicable reviewer-scored items without a review, as "单位·指标"."""
    rows = (
        ItemScore.objects.filter(result__scheme=scheme, item__source=Source.REVIEW)
        .exclude(status="not_applicable")
        .filter(reviews__isnull=True)
        .select_related("result__org_unit", "item")
        .order_by("result__org_unit__code", "item__order")
    )
    return [f"{s.result.org_unit.name}·{s.item.name}" for s in rows]


@transaction.atomic
def advance(scheme: Scheme, user, today: date | None = None) -> str:
    """Move the scheme to its next stage; returns the new stage. Raises WorkflowError."""
    refusal = refuse_advance(user, scheme)
    if refusal:
        raise Refused(refusal)
    today = today or timezone.localdate()
    nxt = next_stage(scheme)
    now = timezone.now()
    if nxt == Stage.ISSUED:
        services.issue(scheme)
    elif nxt == Stage.REVIEW:
        services.score_scheme(scheme, user, reason="自评结束，按数据快照计算得分")
    elif nxt == Stage.PREVIEW:
        scheme.appeal_deadline = today + timedelta(days=scheme.appeal_days)
    elif nxt == Stage.DECIDED:
        scheme.decided_at = now
    elif nxt == Stage.PUBLISHED:
        scheme.published_at = now
    scheme.stage = nxt
    scheme.save(update_fields=["stage", "appeal_deadline", "decided_at", "published_at"])
    from weijian.accounts.models import AuditEvent, record

    record(
        user,
        AuditEvent.Action.UPDATE,
        scheme,
        new=_stage_label(nxt),
        detail=f"考核环节推进至“{_stage_label(nxt)}”",
    )
    return nxt


# --- unit actions --------------------------------------------------------------------------


def self_assess(user, score: ItemScore, points: Decimal | None, note: str) -> None:
    refusal = refuse_self_assess(user, score.result)
    if refusal:
        raise Refused(refusal)
    if points is not None and (points < 0 or points > score.max_points):
        raise WorkflowError(f"自评得分应在0至{_fmt(score.max_points)}分之间。")
    score.self_points = points
    score.self_note = note
    score.save(update_fields=["self_points", "self_note"])


def submit_self_assessment(user, result: Result) -> None:
    refusal = refuse_self_assess(user, result)
    if refusal:
        raise Refused(refusal)
    result.self_submitted_at = timezone.now()
    result.self_submitted_by = user
    result.save(update_fields=["self_submitted_at", "self_submitted_by"])


def reply(user, result: Result, text: str) -> None:
    refusal = refuse_reply(user, result)
    if refusal:
        raise Refused(refusal)
    if not text.strip():
        raise WorkflowError("反馈意见不能为空。")
    result.reply = text.strip()
    result.reply_at = timezone.now()
    result.save(update_fields=["reply", "reply_at"])


def file_appeal(user, score: ItemScore, text: str, requested: Decimal | None = None, today=None) -> Appeal:
    refusal = refuse_appeal(user, score.result, today)
    if refusal:
        raise Refused(refusal)
    if not text.strip():
        raise WorkflowError("请写明申诉理由。")
    if requested is not None and (requested < 0 or requested > score.max_points):
        raise WorkflowError(f"申请得分应在0至{_fmt(score.max_points)}分之间。")
    if score.appeals.filter(status=AppealStatus.OPEN).exists():
        raise WorkflowError("该项已有待处理的申诉。")
    return Appeal.objects.create(
        result=score.result, score=score, text=text.strip(), requested_points=requested, filed_by=user
    )


# --- reviewer actions ----------------------------------------------------------------------


def review(user, score: ItemScore, *, level: str = "", points: Decimal | None = None, reason: str) -> Review:
    """Record (or replace) this reviewer's score of a qualitative item and rescore it."""
    refusal = refuse_review(user, score.result)
    if refusal:
        raise Refused(refusal)
    if score.item.source != Source.REVIEW:
        raise WorkflowError("该项不是评审打分项。")
    if not reason.strip():
        raise WorkflowError("请填写评分理由。")
    if not level and points is None:
        raise WorkflowError("请选择评价等级或填写分数。")
    if points is not None and (points < 0 or points > score.max_points):
        raise WorkflowError(f"评分应在0至{_fmt(score.max_points)}分之间。")
    obj, _ = Review.objects.update_or_create(
        score=score, reviewer=user, defaults={"level": level, "points": points, "reason": reason.strip()}
    )
    services.rescore_item(score, user, reason=f"评审打分：{reason.strip()}", as_scorer=True)
    return obj


def record_checked(user, score: ItemScore, *, value=None, count=None, flag=False, note: str) -> None:
    """A reviewer records a checked figure (核定): a value, a count of findings or events, or a
    veto event, with a note; the item is rescored."""
    refusal = refuse_review(user, score.result)
    if refusal:
        raise Refused(refusal)
    if not note.strip():
        raise WorkflowError("请填写核定说明（依据、来源）。")
    if count is not None and count < 0:
        raise WorkflowError("次数/问题数不能为负数。")
    score.manual_value = value
    score.manual_count = count
    score.manual_flag = bool(flag)
    score.manual_note = note.strip()
    score.save(update_fields=["manual_value", "manual_count", "manual_flag", "manual_note"])
    services.rescore_item(score, user, reason=f"考核组核定：{note.strip()}", as_scorer=True)


@transaction.atomic
def decide_appeal(
    user, appeal: Appeal, *, upheld: bool, opinion: str, new_points: Decimal | None = None
) -> None:
    refusal = refuse_decide_appeal(user, appeal)
    if refusal:
        raise Refused(refusal)
    if not opinion.strip():
        raise WorkflowError("请填写处理意见。")
    score = appeal.score
    if upheld:
        if new_points is None:
            raise WorkflowError("申诉成立时请填写调整后的得分。")
        if new_points < 0 or new_points > score.max_points:
            raise WorkflowError(f"调整后得分应在0至{_fmt(score.max_points)}分之间。")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.handler = user
    appeal.opinion = opinion.strip()
    appeal.new_points = new_points if upheld else None
    appeal.decided_at = timezone.now()
    appeal.save()
    if upheld:
        services.override_points(score, user, new_points, reason=f"申诉成立：{opinion.strip()}")


def stage_reached(scheme: Scheme, stage: str) -> bool:
    return stage_at_least(scheme.stage, stage)
