"""Task tables (任务分解表, 台账): rows of a table read as tasks with their owners and deadline.

The reader (read.py) writes every table row as one line, cells joined by a tab and kept in their
columns; a text file may carry the same rows as `a | b | c`. Here a run of such lines is a table
when one of its rows is a header naming a task column (工作任务, 重点任务, 具体措施 …) and an owner
column (责任领导, 牵头单位, 责任单位 …). Header names vary from one commission to the next, so
columns are recognised by keywords, not by exact strings.

Below the header, a row whose task cell is filled starts a task; a row whose task cell is empty
(a merged cell, or a 台账 that writes the task once) adds its measures and owners to the task
above. A header row repeated on each page is skipped, and a table that goes on after a page break
without a header keeps the columns of the one before when it has as many cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Task

# Column kinds, tried in this order on each header cell (责任领导 before 责任单位, 牵头 before 责任).
_COLUMNS: tuple[tuple[str, re.Pattern], ...] = (
    ("num", re.compile(r"^(?:序号|编号|序列|序次|No\.?)$", re.I)),
    ("leaders", re.compile(r"领导")),
    ("partners", re.compile(r"配合|协作|协办|参与|协同")),
    ("lead_departments", re.compile(r"牵头")),
    ("deadline", re.compile(r"时限|完成时间|时间节点|时间要求|完成期限|期限|进度安排|时间安排|^时间$")),
    ("departments", re.compile(r"责任(?:单位|处室|科室|部门|股室|主体)|承办|主办|实施(?:单位|科室)")),
    ("measure", re.compile(r"措施|细化分工|分工|具体内容|工作举措|举措|推进步骤|主要内容|工作要求|标准")),
    ("task", re.compile(r"任务|事项|工作内容|项目|内容|重点工作|工作名称|目标")),
    ("note", re.compile(r"备注|说明")),
)
_OWNER_KINDS = ("leaders", "lead_departments", "departments")
_PIPE_EDGE = re.compile(r"^\s*\|?|\|?\s*$")
_PIPE_RULE = re.compile(r"^[\s|:：\-—=+]+$")
_NAME_SPLIT = re.compile(r"[、，,；;/\s]+")
_LEAD_MARK = re.compile(r"[（(]牵头[）)]$")
_NUM_TRAIL = re.compile(r"[、．.，,\s]+$")
_SENTENCE = re.compile(r"[。！？!?；;]")


@dataclass
class _Row:
    start: int
    end: int
    cells: list[str]


@dataclass
class _Header:
    columns: dict[str, int]  # kind → column index
    width: int
    signature: tuple[str, ...]


@dataclass
class _Open:
    task: Task
    title_cell: str
    deadlines: list[str] = field(default_factory=list)


def _split_cells(line: str) -> list[str] | None:
    """The cells of a table line, or None when the line is not a table row."""
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    elif line.count("|") >= 2 or (line.count("|") == 1 and not line.strip().startswith("|")):
        if _PIPE_RULE.match(line):
            return []  # a markdown rule row |---|---|: part of the table, no content
        cells = [c.strip() for c in _PIPE_EDGE.sub("", line).split("|")]
    else:
        return None
    return cells if len(cells) >= 2 else None


def _blocks(text: str) -> list[list[_Row]]:
    """Runs of consecutive table lines."""
    blocks: list[list[_Row]] = []
    current: list[_Row] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        cells = _split_cells(line)
        if cells is None:
            if current:
                blocks.append(current)
                current = []
        elif cells:
            current.append(_Row(pos, end, cells))
        pos = end + 1
    if current:
        blocks.append(current)
    return blocks


def _kind(cell: str) -> str | None:
    cell = re.sub(r"\s+", "", cell)
    if not cell or len(cell) > 20:
        return None
    for kind, rx in _COLUMNS:
        if rx.search(cell):
            return kind
    return None


def _header(cells: list[str]) -> _Header | None:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        kind = _kind(cell)
        if kind and kind not in columns:
            columns[kind] = i
    has_item = "task" in columns or "measure" in columns
    has_owner = any(k in columns for k in _OWNER_KINDS)
    if not (has_item and has_owner):
        return None
    return _Header(columns, len(cells), tuple(re.sub(r"\s+", "", c) for c in cells))


def _names(cell: str) -> tuple[list[str], list[str]]:
    """Names in an owner cell, and those marked （牵头） among them."""
    names, lead = [], []
    for name in _NAME_SPLIT.split(cell):
        name = name.strip("。.：:“”\"' ")
        if not name or name in ("—", "-", "/", "无"):
            continue
        if _LEAD_MARK.search(name):
            name = _LEAD_MARK.sub("", name)
            lead.append(name)
        names.append(name)
    return names, lead


def _add(names: list[str], more: list[str]) -> None:
    for n in more:
        if n not in names:
            names.append(n)


def _title(cell: str) -> str:
    m = _SENTENCE.search(cell)
    title = cell[: m.start()] if m else cell
    return title.strip(" \t\u3000")[:200]


def _cell(row: _Row, header: _Header, kind: str) -> str:
    i = header.columns.get(kind)
    return row.cells[i] if i is not None and i < len(row.cells) else ""


def table_tasks(text: str) -> tuple[list[Task], list[tuple[int, int]]]:
    """Tasks read from the task tables in `text`, and the spans those tables cover (so the
    note reader leaves their rows alone)."""
    tasks: list[Task] = []
    spans: list[tuple[int, int]] = []
    header: _Header | None = None
    for block in _blocks(text):
        open_: _Open | None = None
        table_start: int | None = None
        if header is not None and _header(block[0].cells) is None and not _continues(block[0], header):
            header = None  # a table of another kind: the task table has ended
        for row in block:
            found = _header(row.cells)
            if found is not None:
                if header is not None and found.signature == header.signature:
                    continue  # the header repeated on a new page
                header, open_ = found, None
                table_start = row.start if table_start is None else table_start
                continue
            if header is None:
                continue
            table_start = row.start if table_start is None else table_start
            open_ = _row(row, header, open_, tasks)
            if open_ is not None:
                open_.task.end = row.end
        if table_start is not None:
            spans.append((table_start, block[-1].end))
    return tasks, spans


def _continues(row: _Row, header: _Header) -> bool:
    """A table after a page break without its header goes on with the task table above when its
    rows have about as many cells and an owner cell filled."""
    if not header.width - 2 <= len(row.cells) <= header.width + 1:
        return False
    return any(_cell(row, header, k) for k in (*_OWNER_KINDS, "partners"))


def _row(row: _Row, header: _Header, open_: _Open | None, tasks: list[Task]) -> _Open | None:
    item_kind = "task" if "task" in header.columns else "measure"
    item = _cell(row, header, item_kind)
    measure = _cell(row, header, "measure")
    num = _NUM_TRAIL.sub("", _cell(row, header, "num"))
    owners = {k: _cell(row, header, k) for k in (*_OWNER_KINDS, "partners")}
    deadline = _cell(row, header, "deadline")
    continues = open_ is not None and (not item or item == open_.title_cell)
    if not continues:
        if not item:
            return open_ if not any(owners.values()) and not measure else None
        if not any(owners.values()) and not measure and not deadline and item_kind == "task":
            # A row with only a heading in it (一、…, spanning the table) groups the tasks below.
            others = [c for i, c in enumerate(row.cells) if c and i != header.columns.get(item_kind)]
            if not others or others == [num]:
                return None
        task = Task(num=num or None, title=_title(item), start=row.start, end=row.end)
        tasks.append(task)
        open_ = _Open(task, item)
    task = open_.task
    for kind in _OWNER_KINDS:
        names, lead = _names(owners[kind])
        if kind == "departments" and lead:
            _add(task.lead_departments, lead)
            names = [n for n in names if n not in lead]
        _add(getattr(task, kind), names)
    partners, _lead = _names(owners["partners"])
    _add(task.partners, partners)
    if deadline and deadline not in open_.deadlines:
        open_.deadlines.append(deadline)
        task.deadline = "；".join(open_.deadlines)
    return open_
