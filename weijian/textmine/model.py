"""The result types of the document engine. `Analysis.to_dict()` is exactly the annotation
format (shared spec), plus character offsets (`start`, `end`) and, on linked facts, `code`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class Fact:
    text: str  # the characters as written, e.g. "95%以上"
    value: float  # plain units, 万/亿 folded in
    unit: str  # "%", "‰", "1/10万", "元", "张", "" ...
    cmp: str = "="  # = >= <= > < ~
    role: str = "actual"  # actual | target | change | share
    direction: str | None = None  # up | down, for role == "change"
    indicator: str = ""  # the shortest phrase naming what is measured
    start: int = 0  # offset of `text` in the analysed string
    end: int = 0
    code: str | None = None  # catalogue indicator code, when linked

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["direction"] is None:
            del d["direction"]
        if d["code"] is None:
            del d["code"]
        return d


@dataclass(slots=True)
class Section:
    num: str  # as written: "一", "（三）", "1", "①" (without the trailing 、 or .)
    level: int  # 1 for the top ladder in use, 2 below it ...
    title: str
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Task:
    num: str | None  # joined down the nesting: "二.（三）", "一.1"; None when unnumbered
    title: str
    leaders: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    lead_departments: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)  # 配合/协作单位, kept apart
    deadline: str | None = None  # 完成时限 as written (“6月底前”, “长期坚持”), when the document gives one
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Defect:
    type: str  # duplicate_sentence | count_mismatch | malformed_number | conflicting_figures | editor_note | anachronism
    text: str
    note: str
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Analysis:
    kind: str  # plan | summary | mixed
    region: str | None
    year: int | None
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    doc: str | None = None

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "kind": self.kind,
            "region": self.region,
            "year": self.year,
            "sections": [s.to_dict() for s in self.sections],
            "tasks": [t.to_dict() for t in self.tasks],
            "facts": [f.to_dict() for f in self.facts],
            "defects": [d.to_dict() for d in self.defects],
        }
