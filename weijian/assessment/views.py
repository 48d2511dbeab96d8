"""Assessment pages: scheme list and editor (items, points, rule parameters with the generated
评分标准), import of a 考核细则 table with a preview, the scoring board, a unit's scorecard (with
失分清单, gains and a what-if), the ranking grid, appeals, and the downloads.

Every object is read through its `for_user` queryset; every action asks workflow.py whether this
user may take it and shows the refusal in Chinese."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.views.decorators.http import require_POST

from . import exports, importing, rules, services, workflow
from .models import (
    EVIDENCE_SUFFIXES,
    MAX_EVIDENCE_BYTES,
    Appeal,
    AppealStatus,
    Evidence,
    Item,
    ItemScore,
    Kind,
    Result,
    Scheme,
    SchemeLocked,
    Source,
    Stage,
)


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    return get_object_or_404(Scheme.objects.for_user(request.user).select_related("area"), pk=pk)


def _result(request: HttpRequest, pk: int) -> Result:
    return get_object_or_404(
        Result.objects.for_user(request.user).select_related("scheme", "org_unit"), pk=pk
    )


def _manager(request: HttpRequest) -> None:
    if not workflow.can_manage(request.user):
        raise PermissionDenied("只有系统管理员可以编辑考核方案。")


def _decimal(text: str | None, field: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise workflow.WorkflowError(f"“{field}”应为数字，收到“{text[:20]}”。") from None


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(request.POST.get("next") or fallback)


# --- schemes ------------------------------------------------------------------------------


def scheme_list(request: HttpRequest) -> HttpResponse:
    schemes = (
        Scheme.objects.for_user(request.user)
        .select_related("area")
        .annotate(n_items=Count("items", distinct=True))
    )
    mine = []
    if request.user.org_unit_id:
        mine = (
            Result.objects.for_user(request.user)
            .filter(org_unit__path__startswith=request.user.org_unit.path)
            .select_related("scheme", "org_unit")
        )
    return render(
        request,
        "assessment/scheme_list.html",
        {
            "schemes": schemes,
            "mine": mine,
            "can_manage": workflow.can_manage(request.user),
            "kinds": Kind.choices,
        },
    )


def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    cats = list(scheme.categories.prefetch_related("items").order_by("order", "pk"))
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": scheme,
            "categories": cats,
            "can_manage": workflow.can_manage(request.user),
            "next_stage": workflow.next_stage(scheme),
            "refusal": workflow.refuse_advance(request.user, scheme)
            if workflow.can_manage(request.user)
            else "",
            "stages": Stage.choices,
            "full": scheme.full_points(),
            "sub": "scheme",
            "reviewer_choices": _reviewer_choices() if workflow.can_manage(request.user) else [],
            "reviewer_ids": set(scheme.reviewers.values_list("pk", flat=True)),
            "kinds": rules.LABELS.items(),
        },
    )


@require_POST
def scheme_advance(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    try:
        stage = workflow.advance(scheme, request.user)
    except workflow.WorkflowError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已进入“{Stage(stage).label}”环节。")
    return redirect("assessment:scheme", pk=scheme.pk)


@require_POST
def scheme_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    """The scheme's reviewers (审核人员): users of the commission (科室, 管理员) or of other units."""
    scheme = _scheme(request, pk)
    _manager(request)
    from weijian.accounts.models import User

    ids = [int(i) for i in request.POST.getlist("reviewers") if i.isdigit()]
    chosen = list(User.objects.filter(pk__in=ids, is_active=True))
    scheme.reviewers.set(chosen)
    names = "、".join(u.display_name for u in chosen) or "无"
    messages.success(request, f"审核人员已设为：{names}。")
    return redirect("assessment:scheme", pk=scheme.pk)


@require_POST
def scheme_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    _manager(request)
    copy = services.new_version(scheme, request.user)
    messages.success(request, f"已复制为第{copy.version}版（编制中），可以修改。")
    return redirect("assessment:scheme", pk=copy.pk)


def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor of one item: its name, points, data source, indicator and rule — the rule's
    type and its parameters, each named in Chinese; the 评分标准 sentence is regenerated as the
    parameters change (htmx preview), and saved with the rule. Changing the rule's type shows
    the new type's parameters (what both types share is kept) without saving."""
    item = get_object_or_404(Item.objects.select_related("scheme", "category", "indicator"), pk=pk)
    scheme = _scheme(request, item.scheme_id)
    _manager(request)
    error = ""
    rule_data = dict(item.rule)
    if request.method == "POST":
        kind = request.POST.get("kind") or item.rule.get("kind")
        if kind not in rules.RULE_KINDS:
            if request.POST.get("preview"):
                return HttpResponse('<p class="error">请选择评分规则类型。</p>')
            kind, error = item.rule.get("kind"), "请选择评分规则类型。"
        try:
            if error:
                raise _Shown
            if request.POST.get("switch"):
                rule_data = _switched(item.rule, kind)
                raise _Shown
            rule, points = _rule_from_post(request, item, kind)
            if request.POST.get("preview"):
                return HttpResponse(_criterion_html(rule.describe(points)))
            scheme.ensure_editable()
            item.points = points
            item.rule = rule.to_dict()
            item.name = request.POST.get("name", item.name).strip() or item.name
            item.content = request.POST.get("content", item.content)
            item.source, item.indicator = _source_from_post(request, item)
            services.save_item(item)
        except _Shown:
            pass
        except (workflow.WorkflowError, ValueError, KeyError, TypeError) as e:
            error = _rule_error(e)
            if request.POST.get("preview"):
                return HttpResponse(f'<p class="error">{escape(error)}</p>')
            rule_data = {**_switched(item.rule, kind), **_posted_params(request, kind)}
        except SchemeLocked as e:
            error = str(e)
        else:
            messages.success(request, f"已保存“{item.name}”，评分标准已按规则重新生成。")
            return redirect("assessment:scheme", pk=scheme.pk)
    from weijian.indicators.models import Indicator

    try:
        criterion = rules.rule_from_dict(rule_data).describe(item.points)
    except (rules.RuleError, ValueError, TypeError) as e:
        criterion = _rule_error(e)
    return render(
        request,
        "assessment/item_edit.html",
        {
            "item": item,
            "criterion": criterion,
            "scheme": scheme,
            "kind": rule_data.get("kind"),
            "kinds": rules.LABELS.items(),
            "params": _params(rule_data),
            "sources": Source.choices,
            "indicators": Indicator.objects.order_by("category", "code").only("pk", "code", "name"),
            "error": error,
            "locked": scheme.is_locked,
        },
    )


class _Shown(Exception):
    """The form is shown again (a change of rule type), nothing saved."""


def _switched(rule: dict, kind: str) -> dict:
    """The parameters of a rule of `kind`: its defaults, with what the current rule shares."""
    fresh = rules.defaults(kind)
    for key, value in rule.items():
        if key != "kind" and key in fresh:
            fresh[key] = value
    return fresh


@require_POST
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new item in a category of a scheme still being drafted: its number, name, points and
    rule type; the editor opens on it for the rest."""
    scheme = _scheme(request, pk)
    _manager(request)
    try:
        scheme.ensure_editable()
        category = scheme.categories.filter(pk=request.POST.get("category") or 0).first()
        if category is None:
            raise workflow.WorkflowError("请选择考核细则所属的类别。")
        name = (request.POST.get("name") or "").strip()
        if not name:
            raise workflow.WorkflowError("请填写考核指标名称。")
        points = _decimal(request.POST.get("points"), "分值")
        if points is None or points < 0:
            raise workflow.WorkflowError("请填写不小于0的分值。")
        kind = request.POST.get("kind") or "threshold"
        if kind not in rules.RULE_KINDS:
            raise workflow.WorkflowError("请选择评分规则类型。")
        rule = rules.defaults(kind)
        if kind == "bands":
            rule["bands"] = [{"lower": "0", "upper": None, "points": format(points, "f")}]
        last = scheme.items.order_by("-order").values_list("order", flat=True).first() or 0
        item = services.save_item(
            Item(
                scheme=scheme,
                category=category,
                num=(request.POST.get("num") or "").strip()[:20],
                name=name[:200],
                points=points,
                source=importing.source_of_kind(rules.rule_from_dict(rule)) or Source.INDICATOR,
                rule=rule,
                order=last + 1,
            )
        )
    except (workflow.WorkflowError, rules.RuleError, SchemeLocked) as e:
        messages.error(request, str(e))
        return redirect("assessment:scheme", pk=scheme.pk)
    messages.success(request, f"已添加“{item.name}”，请设置评分规则的参数。")
    return redirect("assessment:item_edit", pk=item.pk)


@require_POST
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("scheme"), pk=pk)
    scheme = _scheme(request, item.scheme_id)
    _manager(request)
    try:
        scheme.ensure_editable()
        if not request.POST.get("confirm"):
            raise workflow.WorkflowError("请勾选“确认删除”后再删除。")
    except (SchemeLocked, workflow.WorkflowError) as e:
        messages.error(request, str(e))
    else:
        item.delete()
        messages.success(request, f"已删除“{item.name}”。")
    return redirect("assessment:scheme", pk=scheme.pk)


def _source_from_post(request: HttpRequest, item: Item):
    source = request.POST.get("source") or item.source
    if source not in Source.values:
        raise workflow.WorkflowError("请选择数据来源。")
    indicator = item.indicator
    if "indicator" in request.POST:
        from weijian.indicators.models import Indicator

        code = request.POST["indicator"].strip()
        indicator = Indicator.objects.filter(pk=code).first() if code.isdigit() else None
        if code and indicator is None:
            raise workflow.WorkflowError("所选的指标不存在。")
    if source == Source.INDICATOR and indicator is None and item.element_id is None:
        raise workflow.WorkflowError("数据来源为“数据指标”时，请选择指标。")
    return source, indicator


def _reviewer_choices():
    from weijian.accounts.models import Role, User

    return User.objects.filter(is_active=True, role__in=[Role.DEPARTMENT, Role.ADMIN, Role.LEADER]).order_by(
        "role", "username"
    )


def _rule_error(e: Exception) -> str:
    text = str(e).strip("'\"")
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    return f"规则参数有误：{text}"


def _params(rule: dict) -> list[dict]:
    """The editable parameters of a rule, each with its Chinese name, its value as text and
    how it is edited: a choice, yes/no, a list of unit types, JSON (bands, levels) or text."""
    kind = rule.get("kind", "")
    out = []
    for key, value in rule.items():
        if key == "kind":
            continue
        choices = rules.parameter_choices(kind, key)
        if choices is not None:
            how, text = "choice", "" if value is None else str(value)
        elif isinstance(value, bool):
            how, text = "bool", "1" if value else ""
        elif key == "applies_to":
            how, text = "list", "、".join(value or ()) if isinstance(value, list | tuple) else str(value)
        elif isinstance(value, (list, dict)):
            how, text = "json", json.dumps(value, ensure_ascii=False)
        else:
            how, text = "text", "" if value is None else str(value)
        out.append(
            {
                "key": key,
                "label": rules.parameter_label(kind, key),
                "value": text,
                "how": how,
                "choices": list(choices.items()) if choices else [],
            }
        )
    return out


_LIST_SEP = re.compile(r"[、，,；;\s]+")


def _posted_params(request: HttpRequest, kind: str) -> dict:
    """The parameters as posted, for a rule of `kind` (unparsed lists left as typed)."""
    data = {}
    for key, value in rules.defaults(kind).items():
        field = f"p_{key}"
        if key == "kind":
            continue
        if isinstance(value, bool):
            data[key] = bool(request.POST.get(field))
        elif field in request.POST:
            data[key] = request.POST[field]
    return data


def _rule_from_post(request: HttpRequest, item: Item, kind: str | None = None):
    points = _decimal(request.POST.get("points"), "分值")
    if points is None or points < 0:
        raise workflow.WorkflowError("请填写不小于0的分值。")
    kind = kind or item.rule.get("kind")
    data = _switched(item.rule, kind) if kind != item.rule.get("kind") else dict(item.rule)
    for key, value in list(data.items()):
        if key == "kind":
            continue
        field = f"p_{key}"
        if isinstance(value, bool):
            data[key] = bool(request.POST.get(field))
        elif field not in request.POST:
            continue
        elif key == "applies_to":
            data[key] = [t for t in _LIST_SEP.split(request.POST[field].strip()) if t]
        elif isinstance(value, (list, dict)):
            try:
                data[key] = json.loads(request.POST[field])
            except json.JSONDecodeError:
                raise workflow.WorkflowError(f"“{rules.parameter_label(kind, key)}”格式有误。") from None
        else:
            data[key] = request.POST[field].strip() or None
            if data[key] is None and rules.parameter_choices(kind, key) is not None:
                data[key] = value
            elif data[key] is None and key in rules.text_parameters(kind):
                data[key] = ""
    return rules.rule_from_dict(data), points


def _criterion_html(text: str) -> str:
    from django.utils.html import escape

    return f'<p class="criterion" id="criterion">{escape(text)}</p>'


# --- import -------------------------------------------------------------------------------


def scheme_import(request: HttpRequest) -> HttpResponse:
    """Upload a 考核细则 table (.docx/.xlsx/.csv) → preview with every row's reading → save."""
    _manager(request)
    context = {"kinds": Kind.choices, "years": importing.year_choices()}
    if request.method == "POST" and request.FILES.get("file"):
        f = request.FILES["file"]
        draft = importing.read_upload(f.name, f.read())
        if draft.errors and not draft.rows:
            context["errors"] = draft.errors
        else:
            request.session["assessment_import"] = draft.to_session(
                year=request.POST.get("year"),
                kind=request.POST.get("kind"),
                name=request.POST.get("name", ""),
            )
            return redirect("assessment:import_preview")
    elif request.method == "POST":
        context["errors"] = ["请选择要上传的考核细则文件（Word、Excel 或 CSV）。"]
    return render(request, "assessment/import.html", context)


def scheme_import_preview(request: HttpRequest) -> HttpResponse:
    _manager(request)
    data = request.session.get("assessment_import")
    if not data:
        messages.error(request, "没有待确认的导入，请先上传考核细则文件。")
        return redirect("assessment:import")
    draft = importing.Draft.from_session(data)
    if request.method == "POST":
        draft.apply_corrections(request.POST)
        request.session["assessment_import"] = draft.to_session()
        if request.POST.get("confirm"):
            try:
                scheme = importing.save(draft, request.user)
            except importing.ImportRefused as e:
                messages.error(request, str(e))
            else:
                del request.session["assessment_import"]
                messages.success(request, f"已导入“{scheme.name}”：{scheme.items.count()}项考核细则。")
                return redirect("assessment:scheme", pk=scheme.pk)
    return render(
        request,
        "assessment/import_preview.html",
        {"draft": draft, "kinds": Kind.choices, "rule_kinds": importing.kind_labels()},
    )


# --- scoring board and scorecards ------------------------------------------------------------


def board(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    if not workflow.can_see_ranking(request.user, scheme):
        raise PermissionDenied("您只能查看本单位的考核结果。")
    results = (
        scheme.results.select_related("org_unit")
        .annotate(
            n=Count("scores", distinct=True),
            n_review=Count(
                "scores",
                filter=Q(scores__item__source=Source.REVIEW) & ~Q(scores__status="not_applicable"),
                distinct=True,
            ),
            n_reviewed=Count(
                "scores",
                filter=Q(scores__item__source=Source.REVIEW, scores__reviews__isnull=False),
                distinct=True,
            ),
            n_evidence=Count("scores__evidence", distinct=True),
            n_appeals=Count("appeals", filter=Q(appeals__status=AppealStatus.OPEN), distinct=True),
        )
        .order_by("org_unit__code")
    )
    total = len(results)
    submitted = sum(1 for r in results if r.self_submitted_at)
    reviews_due = sum(r.n_review for r in results)
    reviews_done = sum(r.n_reviewed for r in results)
    return render(
        request,
        "assessment/board.html",
        {
            "scheme": scheme,
            "results": results,
            "total": total,
            "submitted": submitted,
            "reviews_due": reviews_due,
            "reviews_done": reviews_done,
            "can_manage": workflow.can_manage(request.user),
            "sub": "board",
        },
    )


@require_POST
def board_score(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    _manager(request)
    if scheme.stage not in (Stage.REVIEW,):
        messages.error(request, "只能在审核环节按最新数据重新计算得分（之后的结果以快照为准）。")
    else:
        try:
            services.score_scheme(scheme, request.user, reason="审核环节按最新数据重新计算")
        except workflow.WorkflowError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "已按最新数据重新计算全部得分。")
    return redirect("assessment:board", pk=scheme.pk)


def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result(request, pk)
    scheme = result.scheme
    user = request.user
    scores = list(
        result.scores.select_related("item__category__parent").prefetch_related(
            "evidence", "reviews__reviewer", "appeals"
        )
    )
    return render(
        request,
        "assessment/scorecard.html",
        {
            "scheme": scheme,
            "result": result,
            "scores": scores,
            "lost": services.lost_points(result),
            "gains": services.gains(result),
            "last_year": services.change_since_last_year(result),
            "changes": result.changes.select_related("score__item", "user").order_by("-at")[:30],
            "can_self": not workflow.refuse_self_assess(user, result),
            "can_review": not workflow.refuse_review(user, result),
            "can_reply": not workflow.refuse_reply(user, result),
            "can_appeal": not workflow.refuse_appeal(user, result),
            "can_see_ranking": workflow.can_see_ranking(user, scheme),
            "shows_rank": workflow.can_see_ranking(user, scheme),
            "suffixes": "、".join(sorted(EVIDENCE_SUFFIXES)),
            "levels": rules_levels(),
            "sub": "card",
        },
    )


def rules_levels() -> list[str]:
    return list(getattr(rules, "REVIEW_LEVELS", ("好", "较好", "一般", "差")))


@require_POST
def self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(
        ItemScore.objects.select_related("result__scheme", "result__org_unit", "item"), pk=pk
    )
    result = _result(request, score.result_id)
    try:
        workflow.self_assess(
            request.user,
            score,
            _decimal(request.POST.get("self_points"), "自评得分"),
            request.POST.get("self_note", ""),
        )
        upload = request.FILES.get("file")
        if upload:
            add_evidence(request.user, score, upload, request.POST.get("evidence_note", ""))
    except workflow.WorkflowError as e:
        messages.error(request, f"{score.item.name}：{e}")
    else:
        messages.success(request, f"已保存“{score.item.name}”的自评。")
    return redirect(f"{_card_url(result)}#s{score.pk}")


def add_evidence(user, score: ItemScore, upload, note: str = "") -> Evidence:
    """Check and store a 佐证材料 file: type and size checked, refusal names the file."""
    refusal = workflow.refuse_self_assess(user, score.result)
    if refusal:
        raise workflow.WorkflowError(refusal)
    import os

    suffix = os.path.splitext(upload.name)[1].lower()
    if suffix not in EVIDENCE_SUFFIXES:
        raise workflow.WorkflowError(
            f"文件“{upload.name}”的类型不能作为佐证材料，请上传 {'、'.join(sorted(EVIDENCE_SUFFIXES))} 文件。"
        )
    if upload.size > MAX_EVIDENCE_BYTES:
        raise workflow.WorkflowError(
            f"文件“{upload.name}”大小为{upload.size / 1024 / 1024:.1f}MB，超过{MAX_EVIDENCE_BYTES // 1024 // 1024}MB的上限。"
        )
    if upload.size == 0:
        raise workflow.WorkflowError(f"文件“{upload.name}”是空文件。")
    return Evidence.objects.create(
        score=score, file=upload, name=upload.name, size=upload.size, note=note[:300], uploaded_by=user
    )


@require_POST
def submit_self(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result(request, pk)
    try:
        workflow.submit_self_assessment(request.user, result)
    except workflow.WorkflowError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "自评已提交。")
    return redirect(_card_url(result))


@require_POST
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(
        ItemScore.objects.select_related("result__scheme", "result__org_unit", "item"), pk=pk
    )
    result = _result(request, score.result_id)
    try:
        if score.item.source == Source.REVIEW:
            workflow.review(
                request.user,
                score,
                level=request.POST.get("level", ""),
                points=_decimal(request.POST.get("points"), "评分"),
                reason=request.POST.get("reason", ""),
            )
        else:
            count = request.POST.get("count", "").strip()
            if count and not count.isdigit():
                raise workflow.WorkflowError(f"“次数/问题数”应为不小于0的整数，收到“{count[:20]}”。")
            workflow.record_checked(
                request.user,
                score,
                value=_decimal(request.POST.get("value"), "核定数值"),
                count=int(count) if count else None,
                flag=bool(request.POST.get("flag")),
                note=request.POST.get("reason", ""),
            )
    except workflow.WorkflowError as e:
        messages.error(request, f"{score.item.name}：{e}")
    else:
        messages.success(request, f"已记录“{score.item.name}”的评分。")
    return redirect(f"{_card_url(result)}#s{score.pk}")


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result(request, pk)
    try:
        workflow.reply(request.user, result, request.POST.get("reply", ""))
    except workflow.WorkflowError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, "反馈意见已提交。")
    return redirect(_card_url(result))


def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the score and rank this unit would have if one item's value were different."""
    result = _result(request, pk)
    score = get_object_or_404(result.scores.select_related("item"), pk=request.GET.get("score") or 0)
    try:
        value = _decimal(request.GET.get("value"), "假设数值")
        raw_count = request.GET.get("count", "").strip()
        count = int(raw_count) if raw_count.isdigit() else None
        if value is None and count is None:
            raise workflow.WorkflowError("请填写一个假设的数值或次数。")
        outcome = services.what_if(result, score, value=value, count=count)
    except workflow.WorkflowError as e:
        return HttpResponse(f'<p class="error">{e}</p>')
    return render(
        request,
        "assessment/_what_if.html",
        {"w": outcome, "shows_rank": workflow.can_see_ranking(request.user, result.scheme)},
    )


def _card_url(result: Result) -> str:
    from django.urls import reverse

    return reverse("assessment:scorecard", args=[result.pk])


# --- rankings -----------------------------------------------------------------------------


def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    if not workflow.can_see_ranking(request.user, scheme):
        raise PermissionDenied("考核结果通报前，您只能查看本单位的得分。")
    grid = services.ranking_grid(scheme)
    cat_rows = services.category_table(scheme, [r for r, _ in grid["rows"]])
    groups: dict[str, list[Result]] = {}
    for r, _ in grid["rows"]:
        r.peer_group = scheme.peer_group_of(r.org_unit)
        r.last_year = services.change_since_last_year(r)
        groups.setdefault(scheme.peer_group_of(r.org_unit), []).append(r)
    for members in groups.values():
        members.sort(key=lambda r: (r.peer_rank or 999, r.org_unit.code))
    visible = set(Result.objects.for_user(request.user).filter(scheme=scheme).values_list("pk", flat=True))
    return render(
        request,
        "assessment/ranking.html",
        {
            "visible": visible,
            "scheme": scheme,
            "grid": grid,
            "cat_rows": cat_rows,
            "groups": groups,
            "sub": "ranking",
        },
    )


# --- appeals ------------------------------------------------------------------------------


@require_POST
def appeal_new(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(
        ItemScore.objects.select_related("result__scheme", "result__org_unit", "item"), pk=pk
    )
    result = _result(request, score.result_id)
    try:
        workflow.file_appeal(
            request.user,
            score,
            request.POST.get("text", ""),
            _decimal(request.POST.get("requested"), "申请得分"),
        )
    except workflow.WorkflowError as e:
        messages.error(request, f"{score.item.name}：{e}")
    else:
        messages.success(request, f"已就“{score.item.name}”提出申诉，处理结果将在本页显示。")
    return redirect(f"{_card_url(result)}#s{score.pk}")


def appeal_list(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    appeals = Appeal.objects.filter(result__in=Result.objects.for_user(request.user), result__scheme=scheme)
    if not (workflow.can_manage(request.user) or workflow.is_reviewer(request.user, scheme)):
        appeals = appeals.filter(
            result__org_unit__path__startswith=request.user.org_unit.path if request.user.org_unit_id else "~"
        )
    return render(
        request,
        "assessment/appeals.html",
        {
            "scheme": scheme,
            "appeals": appeals.select_related("result__org_unit", "score__item", "filed_by", "handler"),
            "sub": "appeals",
        },
    )


def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(
        Appeal.objects.select_related("result__scheme", "result__org_unit", "score__item"), pk=pk
    )
    result = _result(request, appeal.result_id)
    if request.method == "POST":
        try:
            upheld = request.POST.get("outcome") == "upheld"
            workflow.decide_appeal(
                request.user,
                appeal,
                upheld=upheld,
                opinion=request.POST.get("opinion", ""),
                new_points=_decimal(request.POST.get("new_points"), "调整后得分"),
            )
        except workflow.WorkflowError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "申诉已处理。")
            return redirect("assessment:appeal", pk=appeal.pk)
    return render(
        request,
        "assessment/appeal.html",
        {
            "appeal": appeal,
            "result": result,
            "scheme": result.scheme,
            "refusal": workflow.refuse_decide_appeal(request.user, appeal),
            "sub": "appeals",
        },
    )


# --- downloads ----------------------------------------------------------------------------


def _download(data: bytes, name: str, content_type: str) -> FileResponse:
    import io

    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=content_type)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export_scores(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    if not workflow.can_see_ranking(request.user, scheme):
        raise PermissionDenied("考核结果通报前，您只能下载本单位的反馈单。")
    return _download(exports.scores_xlsx(scheme), f"{scheme.name}评分表.xlsx", XLSX)


def export_scheme(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    return _download(exports.scheme_xlsx(scheme), f"{scheme.name}考核细则.xlsx", XLSX)


def export_scheme_docx(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    return _download(exports.scheme_docx(scheme), f"{scheme.name}考核细则.docx", DOCX)


def export_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result(request, pk)
    return _download(exports.feedback_docx(result), f"{result.org_unit.name}考核反馈单.docx", DOCX)


def export_notice(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    if not scheme.results_final:
        raise PermissionDenied("考核结果审定后才能生成通报。")
    if not (workflow.can_see_ranking(request.user, scheme)):
        raise PermissionDenied("考核结果通报前，您只能查看本单位的得分。")
    return _download(exports.notice_docx(scheme), f"{scheme.name}结果通报.docx", DOCX)


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_object_or_404(Evidence.objects.select_related("score__result"), pk=pk)
    result = _result(request, ev.score.result_id)
    if not (
        workflow.can_manage(request.user)
        or workflow.is_reviewer(request.user, result.scheme)
        or workflow.belongs_to(request.user, result.org_unit)
        or workflow.sees_all(request.user)
    ):
        raise PermissionDenied("您不能查看该单位的佐证材料。")
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)
