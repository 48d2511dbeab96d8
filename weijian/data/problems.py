"""Bounded lists of refused rows. A file of a million bad rows must not make a million messages
(nor a 174 MB answer): the first `limit` problems are kept in full, the rest are counted by
reason ("数据元编码“…”不存在：12 345 行"), so an answer's size does not grow with the file."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

LIMIT = 200  # problems kept in full per import or request
_KINDS = 50  # distinct reasons counted; the rest are counted together
OTHER = "其他错误"

_QUOTED = re.compile(r"“[^”]*”")
_NUMBER = re.compile(r"\d+(\.\d+)?")


def reason_kind(reason: str) -> str:
    """The reason with what varies from row to row masked (quoted codes, numbers, and the
    "unit period：" a rule's message starts with), so rows refused for one reason count together."""
    head, colon, rest = reason.partition("：")
    if colon and "“" not in head:
        reason = rest
    return _NUMBER.sub("N", _QUOTED.sub("“…”", reason))[:120]


class ProblemLog:
    """Collects problems: the first `limit` in full, a count per reason for all of them, and
    the number of distinct rows refused (a row's problems arrive together)."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self.shown: list = []
        self.counts: Counter[str] = Counter()
        self.total = 0
        self.rows = 0
        self._last_row: object = object()

    def add(self, problem) -> None:
        """Add a Problem (or a dict with "row" and "reason", as the API reports them)."""
        row, reason = (
            (problem.get("row"), problem.get("reason", ""))
            if isinstance(problem, dict)
            else (problem.row, problem.reason)
        )
        self.total += 1
        if len(self.shown) < self.limit:
            self.shown.append(problem)
        kind = reason_kind(reason)
        if kind not in self.counts and len(self.counts) >= _KINDS:
            kind = OTHER
        self.counts[kind] += 1
        if row is None or row != self._last_row:
            self.rows += 1
            self._last_row = row

    def extend(self, problems: Iterable) -> None:
        for p in problems:
            self.add(p)

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def hidden(self) -> int:
        return self.total - len(self.shown)

    def summary(self) -> dict[str, int]:
        """Rows refused per reason, most frequent first."""
        return dict(self.counts.most_common())

    def more_text(self) -> str:
        """One sentence for what is not shown in full ("" when everything is)."""
        if not self.hidden:
            return ""
        parts = "；".join(f"{kind}：{n}处" for kind, n in self.counts.most_common(3))
        return f"另有{self.hidden}处错误未逐条列出（按原因统计：{parts}）"


def bounded_rows(numbers: list[int], word: str = "行", shown: int = 5) -> str:
    """ "第3、7、9行" or "第3、7、9、12、15行等共1234行": a list of row numbers of bounded length."""
    head = "、".join(str(n) for n in numbers[:shown])
    if len(numbers) <= shown:
        return f"第{head}{word}"
    return f"第{head}{word}等共{len(numbers)}{word}"
