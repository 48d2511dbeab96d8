"""Importing a scheme from the commission's 考核细则 table (Word, Excel, CSV): the file is read by
schemefile.py (rows, categories, every 评分标准 sentence read into a typed rule by criteria.py),
kept as a draft in the session, shown for correction, and saved as a Scheme in one transaction.

Each item's data source follows from its rule and its name: a catalogue indicator named in the
item (the document engine's Aho-Corasick lexicon, as plan import links targets), reviewer scoring
for qualitative rules, 督办/问题清单 counts for deductions, the assessment team's checked figure
otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from weijian.orgs.models import Level, OrgUnit

from . import rules
from .models import Category, Item, Kind, Scheme, Source


class ImportRefused(Exception):
    """The draft cannot be saved; the message lists the rows to correct, in Chinese."""


@dataclass
class Row:
    row: int
    category: str
    name: str
    points: str
    content: str = ""
    criterion: str = ""
    rule: dict | None = None
    reading: str = ""  # what the reader understood, or why it could not
    dropped: bool = False
    subcategory: str = ""

    @property
    def described(self) -> str:
        if not self.rule:
            return ""
        try:
            return rules.rule_from_dict(self.rule).describe(Decimal(self.points))
        except (rules.RuleError, InvalidOperation, ValueError):
            return ""

    @property
    def kind_label(self) -> str:
        return rules.LABELS.get((self.rule or {}).get("kind", ""), "未识别")


@dataclass
class Draft:
    file_name: str
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    year: int | None = None
    kind: str = Kind.COUNTY
    name: str = ""

    def to_session(self, year=None, kind=None, name=None) -> dict:
        if year:
            try:
                self.year = int(year)
            except ValueError:
                pass
        if kind in Kind.values:
            self.kind = kind
        if name:
            self.name = name.strip()
        d = asdict(self)
        return d

    @classmethod
    def from_session(cls, d: dict) -> Draft:
        rows = [Row(**r) for r in d.get("rows", [])]
        return cls(
            file_name=d["file_name"],
            rows=rows,
            errors=d.get("errors", []),
            year=d.get("year"),
            kind=d.get("kind", Kind.COUNTY),
            name=d.get("name", ""),
        )

    def apply_corrections(self, post) -> None:
        """Corrections from the preview form: a row's name, points, 评分标准 (read again), drop."""
        if post.get("name"):
            self.name = post["name"].strip()
        if post.get("year", "").isdigit():
            self.year = int(post["year"])
        if post.get("kind") in Kind.values:
            self.kind = post["kind"]
        for r in self.rows:
            key = str(r.row)
            r.dropped = bool(post.get(f"drop_{key}"))
            if f"name_{key}" in post:
                r.name = post[f"name_{key}"].strip() or r.name
            if f"points_{key}" in post:
                r.points = post[f"points_{key}"].strip()
            text = post.get(f"criterion_{key}")
            if text is not None and text.strip() != r.criterion:
                r.criterion = text.strip()
                _read_rule(r)

    def problems(self) -> list[str]:
        out = []
        if not self.name:
            out.append("请填写方案名称。")
        if not self.year:
            out.append("请选择考核年度。")
        for r in self.rows:
            if r.dropped:
                continue
            try:
                p = Decimal(r.points)
                if p < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                out.append(f"第{r.row}行“{r.name}”：分值“{r.points}”不是有效的数字。")
                continue
            if not r.rule:
                out.append(
                    f"第{r.row}行“{r.name}”：评分标准未能识别为评分规则（{r.reading}），请改写或删除该行。"
                )
        if not any(not r.dropped for r in self.rows):
            out.append("没有可导入的考核细则。")
        return out


def _read_rule(r: Row) -> None:
    try:
        points = Decimal(r.points)
    except (InvalidOperation, ValueError):
        points = Decimal(0)
    from . import criteria

    reading = criteria.read_criterion(r.criterion, points)
    r.rule = reading.rule.to_dict() if reading.rule is not None else None
    r.reading = reading_text(reading)


def reading_text(reading) -> str:
    if reading.rule is None:
        return "；".join(
            getattr(reading, "problems", None) or getattr(reading, "notes", None) or ["未能识别"]
        )
    notes = getattr(reading, "notes", None) or ()
    return "；".join(notes)


def read_upload(name: str, data: bytes) -> Draft:
    """Read an uploaded 考核细则 file into a draft: every item with its reading; a file that
    cannot be read gives a draft with no rows and the reader's errors (file, row, column)."""
    from . import schemefile

    try:
        table = schemefile.read_scheme_file(data, name)
    except schemefile.SchemeFileError as e:
        return Draft(file_name=name, errors=list(e.errors))
    draft = Draft(file_name=name, errors=list(table.warnings), name=_title(name))
    for cat in table.categories:
        for item in cat.items:
            reading = item.reading
            draft.rows.append(
                Row(
                    row=item.row,
                    category=cat.name,
                    subcategory=item.group,
                    name=item.name,
                    points=rules.format_number(item.points) if item.points is not None else "0",
                    content=item.content,
                    criterion=item.criterion,
                    rule=reading.rule.to_dict() if reading.rule is not None else None,
                    reading=reading_text(reading),
                )
            )
    return draft


def _title(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem


def year_choices() -> list[int]:
    y = timezone.localdate().year
    return [y - 1, y, y + 1]


def kind_labels() -> dict[str, str]:
    return dict(rules.LABELS)


def _area() -> OrgUnit:
    return (
        OrgUnit.objects.filter(level=Level.CITY).order_by("path").first()
        or OrgUnit.objects.order_by("path").first()
    )


def source_of_kind(rule: rules.Rule) -> str | None:
    """The data source a rule's kind implies, or None for a figure that needs an indicator."""
    if rule.kind == "qualitative":
        return Source.REVIEW
    if rule.kind == "deduction":
        return Source.SUPERVISION if getattr(rule, "source", "") == "overdue" else Source.PROBLEMS
    if rule.kind in ("checklist", "bonus", "veto"):
        return Source.MANUAL
    return None


def source_for(rule: rules.Rule, text: str, lexicon, codes: dict[str, str]) -> tuple[str, object]:
    """The data source of an item: (Source, indicator or None)."""
    from weijian.indicators.models import Indicator

    fixed = source_of_kind(rule)
    if fixed is not None:
        return fixed, None
    code = lexicon.link(text)
    if code:
        ind = Indicator.objects.filter(code=code).first()
        if ind is not None:
            return Source.INDICATOR, ind
    return Source.MANUAL, None


@transaction.atomic
def save(draft: Draft, user) -> Scheme:
    problems = draft.problems()
    if problems:
        raise ImportRefused("不能保存：" + " ".join(problems))
    from weijian.plans.importing import catalogue_lexicon

    lexicon, codes = catalogue_lexicon()
    latest = Scheme.objects.filter(year=draft.year, kind=draft.kind).order_by("-version").first()
    scheme = Scheme.objects.create(
        name=draft.name,
        year=draft.year,
        kind=draft.kind,
        version=(latest.version + 1) if latest else 1,
        previous=latest,
        area=_area(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        basis=f"依据《{draft.file_name.rsplit('.', 1)[0]}》",
    )
    cats: dict[tuple[str, str], Category] = {}
    order = 0
    for r in draft.rows:
        if r.dropped:
            continue
        order += 1
        top = cats.get((r.category, ""))
        if top is None:
            top = cats[(r.category, "")] = Category.objects.create(
                scheme=scheme, name=r.category or "其他", order=len(cats)
            )
        cat = top
        if r.subcategory:
            cat = cats.get((r.category, r.subcategory))
            if cat is None:
                cat = cats[(r.category, r.subcategory)] = Category.objects.create(
                    scheme=scheme, parent=top, name=r.subcategory, order=len(cats)
                )
        rule = rules.rule_from_dict(r.rule)
        source, indicator = source_for(rule, f"{r.name} {r.content}", lexicon, codes)
        points = Decimal(r.points)
        Item.objects.create(
            scheme=scheme,
            category=cat,
            num=str(order),
            name=r.name,
            content=r.content,
            points=points,
            rule=rule.to_dict(),
            criterion=rule.describe(points),
            source=source,
            indicator=indicator,
            is_bonus=rule.role in ("bonus", "deduction", "veto"),
            order=order,
        )
    for cat in cats.values():
        total = sum(
            (
                i.points
                for i in Item.objects.filter(category__in=[cat, *cat.children.all()])
                if not i.is_bonus
            ),
            Decimal(0),
        )
        Category.objects.filter(pk=cat.pk).update(points=total)
    return scheme
