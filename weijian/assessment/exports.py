"""Assessment downloads: the scheme's 考核细则 and the 评分表 as Excel (numbers in numeric
cells; text that starts with = + - @ escaped so no spreadsheet runs it as a formula), a unit's
反馈单 and the 考核结果通报 as Word.

Word files are built through `new_document` only, so a house style (GB/T 9704, from the reports
app once it exists) can replace the plain one in one place.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from . import services
from .models import AppealStatus, ItemScore, Result, Scheme

FORMULA_START = ("=", "+", "-", "@")
HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")


def safe_text(value: str) -> str:
    """Text for a spreadsheet cell: a leading = + - @ would make it a formula; quote it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _cell(ws, row: int, col: int, value) -> None:
    c = ws.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, Decimal):
        c.value = float(value)
        c.number_format = "0.00"
    elif isinstance(value, (int, float)):
        c.value = value
    else:
        c.value = safe_text(str(value))
        c.data_type = "s"


def _sheet(ws, head: list[str], rows: list[list], widths: list[int] | None = None) -> None:
    for j, h in enumerate(head, 1):
        c = ws.cell(row=1, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, row in enumerate(rows, 2):
        for j, v in enumerate(row, 1):
            _cell(ws, i, j, v)
    for j, w in enumerate(widths or [], 1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = w
    ws.freeze_panes = "B2"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def scheme_xlsx(scheme: Scheme) -> bytes:
    """The scheme as a 考核细则 table (一级指标 / 二级指标 / 分值 / 考核内容 / 评分标准), the same
    columns the importer reads, so an exported scheme can be imported again."""
    wb = Workbook()
    ws = wb.active
    ws.title = "考核细则"
    _sheet(ws, SCHEME_HEAD, _scheme_rows(scheme), [18, 28, 8, 40, 60])
    return _save(wb)


def _scheme_rows(scheme: Scheme) -> list[list]:
    rows = []
    for item in scheme.items.select_related("category__parent").order_by("order", "pk"):
        cat = item.category
        top = cat.parent.name if cat.parent_id else cat.name
        rows.append([top, item.name, item.points, item.content, item.criterion])
    return rows


SCHEME_HEAD = ["一级指标", "二级指标", "分值", "考核内容", "评分标准"]


def scheme_docx(scheme: Scheme) -> bytes:
    """The scheme as a Word 考核细则 in the house style: the same columns as the Excel export,
    with a 合计 row, so the file can be sent out and imported again."""
    doc = new_document(f"{scheme.name}考核细则", _issuer(scheme))
    rows = [[a, b, _pts(c), d, e] for a, b, c, d, e in _scheme_rows(scheme)]
    total = sum((r[2] for r in _scheme_rows(scheme)), Decimal(0))
    rows.append(["合计", "", _pts(total), "", ""])
    doc.table(SCHEME_HEAD, rows, widths_mm=[22, 30, 12, 44, 52])
    return _docx_bytes(doc)


def scores_xlsx(scheme: Scheme) -> bytes:
    """评分表: one row per unit with its total, grade, rank and every item's points; a second
    sheet with every item's computation for every unit."""
    items = list(scheme.items.order_by("order", "pk"))
    results = list(scheme.results.select_related("org_unit").order_by("rank", "org_unit__code"))
    cells = {(s.result_id, s.item_id): s for s in ItemScore.objects.filter(result__scheme=scheme)}
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    head = [
        "名次",
        "单位",
        "总分",
        "等次",
        *[f"{i.num} {i.name}（{services._plain(i.points)}分）".strip() for i in items],
    ]
    rows = []
    for r in results:
        row = [r.rank, r.org_unit.name, r.points, r.grade + ("（一票否决）" if r.veto else "")]
        for i in items:
            s = cells.get((r.pk, i.pk))
            row.append(None if s is None or s.points is None else s.points)
        rows.append(row)
    _sheet(ws, head, rows, [6, 16, 9, 10] + [12] * len(items))
    detail = wb.create_sheet("计算过程")
    drows = []
    for r in results:
        for i in items:
            s = cells.get((r.pk, i.pk))
            if s is None:
                continue
            inp = s.inputs or {}
            drows.append(
                [
                    r.org_unit.name,
                    i.name,
                    s.max_points,
                    s.points,
                    services._d(inp.get("value")),
                    services._d(inp.get("target")),
                    services._d(inp.get("numerator")),
                    services._d(inp.get("denominator")),
                    s.computation,
                    s.source_text,
                ]
            )
    _sheet(
        detail,
        ["单位", "指标", "分值", "得分", "实际值", "目标值", "分子", "分母", "计算过程", "来源数据"],
        drows,
        [14, 24, 7, 7, 10, 10, 10, 10, 60, 40],
    )
    return _save(wb)


# --- Word ----------------------------------------------------------------------------------


def new_document(title: str, issuer: str = ""):
    """A Word document in the house style (公文, GB/T 9704, from the reports app): the one place
    the style of assessment documents is decided."""
    from weijian.gongwen import Gongwen

    return Gongwen(title=title, issuer=issuer, date=timezone.localdate())


def _heading(doc, text: str) -> None:
    doc.heading1(text)


def _para(doc, text: str) -> None:
    doc.para(text)


def _table(doc, head: list[str], rows: list[list[str]]) -> None:
    doc.table(head, rows)


def _docx_bytes(doc) -> bytes:
    return doc.save()


def _issuer(scheme: Scheme) -> str:
    return f"{scheme.area.name}卫生健康委员会"


def _pts(v: Decimal | None) -> str:
    return "—" if v is None else services._plain(v)


def feedback_docx(result: Result) -> bytes:
    """A unit's 反馈单: total, grade, each item's points with its computation, the 失分清单 and
    where the unit can gain most."""
    scheme = result.scheme
    doc = new_document(f"{scheme.name}反馈单", _issuer(scheme))
    _para(doc, f"{result.org_unit.name}：")
    shown_rank = scheme.is_published
    line = f"总分{_pts(result.points)}分（满分{_pts(result.full)}分），等次：{result.grade or '—'}"
    if shown_rank and result.rank:
        line += f"，全部{scheme.results.count()}个单位中第{result.rank}名"
    _para(doc, line + "。")
    if result.explanation:
        _para(doc, result.explanation)
    _heading(doc, "逐项得分")
    scores = list(result.scores.select_related("item").order_by("item__order", "item__pk"))
    _table(
        doc,
        ["指标", "分值", "得分", "计算过程"],
        [[s.item.name, _pts(s.max_points), _pts(s.points), s.computation] for s in scores],
    )
    _heading(doc, "失分清单")
    lost = services.lost_points(result)
    if lost:
        for n, s in enumerate(lost, 1):
            _para(doc, f"{n}. {s.item.name}：失{_pts(s.lost)}分。{s.computation}")
    else:
        _para(doc, "无失分项。")
    _heading(doc, "提升方向")
    gains = services.gains(result)
    for n, s in enumerate(gains, 1):
        _para(doc, f"{n}. {s.item.name}：{s.gain_text}。")
    if not gains:
        _para(doc, "各项均已达到满分要求。")
    return _docx_bytes(doc)


def notice_docx(scheme: Scheme) -> bytes:
    """考核结果通报: basis, method, the units by 等次, the ranking table, problems found (the items
    most units lost points on, and vetoes), and requirements."""
    results = list(scheme.results.select_related("org_unit").order_by("rank", "org_unit__code"))
    doc = new_document(f"关于{scheme.name}结果的通报", _issuer(scheme))
    _heading(doc, "考核依据")
    _para(
        doc, scheme.basis or f"依据{scheme.year}年度{scheme.name}，对各{scheme.get_kind_display()}开展考核。"
    )
    _heading(doc, "考核方法")
    full = scheme.full_points()
    n_items = scheme.items.count()
    _para(
        doc,
        f"考核共设{n_items}项细则，满分{services._plain(full)}分，按数据快照计分，经单位自评、考核组审核、"
        f"结果预公示和申诉处理后审定。{scheme.get_missing_policy_display()}；不适用的项目按适用分值折算。",
    )
    _heading(doc, "考核结果")
    grades: dict[str, list[str]] = {}
    for r in results:
        grades.setdefault(r.grade or "未定等次", []).append(r.org_unit.name)
    for grade, names in grades.items():
        _para(doc, f"{grade}（{len(names)}个）：{'、'.join(names)}。")
    _table(
        doc,
        ["名次", "单位", "得分", "等次"],
        [
            [
                str(r.rank or "—"),
                r.org_unit.name,
                _pts(r.points),
                r.grade + ("（一票否决）" if r.veto else ""),
            ]
            for r in results
        ],
    )
    _heading(doc, "存在问题")
    problems = _common_problems(scheme)
    for n, text in enumerate(problems, 1):
        _para(doc, f"{n}. {text}")
    if not problems:
        _para(doc, "各单位考核指标完成情况较好，未发现普遍性问题。")
    _heading(doc, "工作要求")
    _para(
        doc,
        scheme.requirements
        or "各单位要对照失分清单逐项分析原因，制定整改措施，于一个月内将整改情况报市卫生健康委。",
    )
    doc.closing()
    return _docx_bytes(doc)


def _common_problems(scheme: Scheme, n: int = 5) -> list[str]:
    """The items with most units losing points, and every veto, as sentences."""
    out = []
    for r in scheme.results.filter(veto=True).select_related("org_unit"):
        vetoed = r.scores.filter(veto=True).select_related("item").first()
        what = vetoed.computation if vetoed else "触发一票否决事项"
        out.append(f"{r.org_unit.name}{what}。")
    by_item: dict[int, list[ItemScore]] = {}
    for s in ItemScore.objects.filter(result__scheme=scheme, lost__gt=0, veto=False).select_related(
        "item", "result__org_unit"
    ):
        by_item.setdefault(s.item_id, []).append(s)
    ranked = sorted(by_item.values(), key=lambda ss: (-len(ss), -sum(s.lost for s in ss)))
    for ss in ranked[:n]:
        names = "、".join(s.result.org_unit.name for s in ss[:6]) + ("等" if len(ss) > 6 else "")
        total = sum((s.lost for s in ss), Decimal(0))
        out.append(f"“{ss[0].item.name}”有{len(ss)}个单位失分，合计失{services._plain(total)}分（{names}）。")
    open_appeals = scheme.results.filter(appeals__status=AppealStatus.OPEN).count()
    if open_appeals:
        out.append(f"尚有{open_appeals}件申诉未处理。")
    return out
