"""`weijian extract FILE [--format json|table]`: the document engine on the command line.

json prints the annotation format (shared spec) with the file name as `doc`; table prints the
same analysis for people, in columns aligned by display width (a Chinese character takes two
columns). FILE `-` reads standard input. A file that cannot be read gives a Chinese message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence

from . import ReadError, analyze, read
from .model import Analysis

_KIND = {"plan": "工作计划", "summary": "工作总结", "mixed": "总结及计划"}
_ROLE = {"actual": "实际", "target": "目标", "change": "变化", "share": "占比"}
_DEFECT = {
    "duplicate_sentence": "重复语句",
    "count_mismatch": "分别项数不符",
    "malformed_number": "数字格式错误",
    "conflicting_figures": "数字前后矛盾",
    "editor_note": "残留批注",
    "anachronism": "年代错误",
}


def width(s: str) -> int:
    """Display width: wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


def fit(s: str, cols: int) -> str:
    """Cut `s` to at most `cols` columns (marking the cut with …) and pad it to exactly `cols`."""
    s = " ".join(str(s).split())
    if width(s) > cols:
        out, w = [], 0
        for c in s:
            cw = width(c)
            if w + cw > cols - 1:
                break
            out.append(c)
            w += cw
        s = "".join(out) + "…"
    return s + " " * (cols - width(s))


def table(rows: list[list[str]], headers: list[str], max_cols: Sequence[int]) -> list[str]:
    cols = [
        min(mx, max([width(h)] + [width(" ".join(str(r[i]).split())) for r in rows]))
        for i, (h, mx) in enumerate(zip(headers, max_cols, strict=True))
    ]
    line = lambda cells: "  ".join(fit(c, w) for c, w in zip(cells, cols, strict=True)).rstrip()  # noqa: E731
    out = [line(headers), "  ".join("-" * w for w in cols)]
    out += [line(r) for r in rows]
    return out


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}" if abs(v) >= 1e6 else f"{v:g}"


def render_table(a: Analysis) -> str:
    out = [
        f"文件：{a.doc or '-'}",
        f"类型：{_KIND.get(a.kind, a.kind)}    地区：{a.region or '未注明'}    年度：{a.year or '未注明'}",
        "",
        f"章节（{len(a.sections)}）",
    ]
    if a.sections:
        out += table(
            [["  " * (s.level - 1) + s.num, str(s.level), s.title] for s in a.sections],
            ["编号", "层级", "标题"],
            [16, 4, 60],
        )
    out += ["", f"任务（{len(a.tasks)}）"]
    if a.tasks:
        rows = [
            [
                t.num or "—",
                t.title,
                "、".join(t.leaders),
                "、".join(t.lead_departments),
                "、".join(t.departments),
                "、".join(t.partners),
                t.deadline or "",
            ]
            for t in a.tasks
        ]
        out += table(
            rows,
            ["编号", "任务", "责任领导", "牵头科室", "责任科室", "配合单位", "完成时限"],
            [12, 36, 20, 14, 24, 14, 12],
        )
    out += ["", f"数字（{len(a.facts)}）"]
    if a.facts:
        linked = any(f.code for f in a.facts)
        rows = []
        for f in a.facts:
            role = _ROLE.get(f.role, f.role) + {"up": "↑", "down": "↓"}.get(f.direction or "", "")
            row = [f.text, _number(f.value), f.unit or "—", f.cmp, role, f.indicator or "—"]
            rows.append(row + [f.code or ""] if linked else row)
        headers = ["原文", "数值", "单位", "比较", "类别", "指标"] + (["编码"] if linked else [])
        out += table(rows, headers, [18, 16, 8, 4, 6, 30, 12][: len(headers)])
    out += ["", f"问题（{len(a.defects)}）"]
    if a.defects:
        rows = [[_DEFECT.get(d.type, d.type), d.text, d.note] for d in a.defects]
        out += table(rows, ["类型", "原文", "说明"], [12, 40, 50])
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="weijian extract", description="读取工作要点/工作总结，提取章节、任务、数字和问题。"
    )
    parser.add_argument(
        "file", metavar="FILE", help="文稿或任务表（.txt、.docx、.xlsx、.csv、.pdf），“-” 表示从标准输入读取"
    )
    parser.add_argument("--format", choices=("json", "table"), default="json", help="输出格式（默认 json）")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.file == "-":
            doc = read(sys.stdin.buffer.read(), name="标准输入")
        else:
            doc = read(args.file)
    except ReadError as exc:
        print(f"无法读取：{exc}", file=sys.stderr)
        return 2
    result = analyze(doc)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render_table(result))
    return 0
