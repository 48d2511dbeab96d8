"""The catalogue as a whole: checking it, loading it into the database (create or update by
code, never duplicate), exporting it, and the lexicon of indicator names for the document engine.

    load_catalogue()          the national set shipped in `national.py`
    load_catalogue(data)      a catalogue in the export format ({"elements": [...], "indicators": [...]})
    export_catalogue()        what is in the database, in that format
    lexicon_entries()         [(name or alias, indicator code), ...] for every indicator
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from weijian.indicators.expressions import ExpressionError, parse
from weijian.indicators.models import Aggregation, DataElement, Indicator, ValueType

from . import national

ELEMENT_FIELDS = (
    "name",
    "aliases",
    "unit",
    "value_type",
    "aggregation",
    "min_value",
    "max_value",
    "description",
    "part_of",
)
INDICATOR_FIELDS = (
    "name",
    "aliases",
    "category",
    "numerator",
    "denominator",
    "factor",
    "unit",
    "decimals",
    "direction",
    "definition",
    "is_key",
    "bounded",
)


class CatalogueError(ValueError):
    """A catalogue that cannot be loaded; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class LoadResult:
    elements_created: int = 0
    elements_updated: int = 0
    elements_unchanged: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    indicators_unchanged: int = 0
    created_codes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"数据元：新增 {self.elements_created} 个，更新 {self.elements_updated} 个，未变 {self.elements_unchanged} 个；"
            f"指标：新增 {self.indicators_created} 个，更新 {self.indicators_updated} 个，未变 {self.indicators_unchanged} 个。"
        )


def national_catalogue() -> dict:
    """The national set as plain data (a copy: callers may change it)."""
    return {
        "elements": [dict(e, aliases=list(e["aliases"])) for e in national.ELEMENTS],
        "indicators": [dict(i, aliases=list(i["aliases"])) for i in national.INDICATORS],
    }


def check_catalogue(data: dict, known_element_codes: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Every problem in a catalogue, in Chinese; empty when it can be loaded.

    Checks: codes present and unique, choices valid, numbers readable, every expression parses
    and names an element of this catalogue (or one already in the database), every indicator has
    a definition, and no name or alias belongs to two indicators.
    """
    problems: list[str] = []
    elements = data.get("elements") or []
    indicators = data.get("indicators") or []
    if not isinstance(elements, list) or not isinstance(indicators, list):
        return ['目录格式不对：应为 {"elements": [...], "indicators": [...]}']

    element_codes: set[str] = set()
    for n, e in enumerate(elements, start=1):
        code = str(e.get("code") or "").strip()
        where = f"第{n}个数据元“{code or e.get('name') or '?'}”"
        if not code:
            problems.append(f"{where}缺少编码")
            continue
        if code in element_codes:
            problems.append(f"数据元编码“{code}”重复")
        element_codes.add(code)
        if not str(e.get("name") or "").strip():
            problems.append(f"{where}缺少名称")
        if not isinstance(e.get("aliases") or [], list):
            problems.append(f"{where}的别名应为列表")
        if e.get("aggregation", Aggregation.SUM) not in Aggregation.values:
            problems.append(f"{where}的汇总方式“{e.get('aggregation')}”无效（应为 sum、avg 或 last）")
        if e.get("value_type", ValueType.INTEGER) not in ValueType.values:
            problems.append(f"{where}的数值类型“{e.get('value_type')}”无效（应为 int 或 number）")
        if not isinstance(e.get("part_of") or [], list):
            problems.append(f"{where}的所属总数应为数据元编码的列表")
        for key in ("min_value", "max_value"):
            if e.get(key) not in (None, "") and _decimal(e.get(key)) is None:
                problems.append(
                    f"{where}的{'最小值' if key == 'min_value' else '最大值'}“{e.get(key)}”不是数字"
                )

    available = element_codes | set(known_element_codes)
    for e in elements:
        wholes = e.get("part_of") or []
        for whole in wholes if isinstance(wholes, list) else []:
            if str(whole) not in available or str(whole) == str(e.get("code")):
                problems.append(f"数据元“{e.get('code')}”的所属总数“{whole}”不是另一个已有的数据元编码")
    indicator_codes: set[str] = set()
    owner: dict[str, str] = {}
    for n, i in enumerate(indicators, start=1):
        code = str(i.get("code") or "").strip()
        name = str(i.get("name") or "").strip()
        where = f"第{n}个指标“{name or code or '?'}”"
        if not code:
            problems.append(f"{where}缺少编码")
            continue
        if code in indicator_codes:
            problems.append(f"指标编码“{code}”重复")
        indicator_codes.add(code)
        if not name:
            problems.append(f"{where}缺少名称")
        if not str(i.get("definition") or "").strip():
            problems.append(f"{where}缺少定义")
        if i.get("direction", Indicator.Direction.HIGHER) not in Indicator.Direction.values:
            problems.append(f"{where}的方向“{i.get('direction')}”无效（应为 up、down 或 none）")
        if not isinstance(i.get("aliases") or [], list):
            problems.append(f"{where}的别名应为列表")
        if (
            not isinstance(i.get("decimals", 0), int)
            or isinstance(i.get("decimals"), bool)
            or i.get("decimals", 0) < 0
        ):
            problems.append(f"{where}的小数位“{i.get('decimals')}”应为不小于0的整数")
        if _decimal(i.get("factor", 1)) in (None, Decimal(0)):
            problems.append(f"{where}的系数“{i.get('factor')}”不是非零数字")
        for side, label in (("numerator", "分子"), ("denominator", "分母")):
            text = str(i.get(side) or "").strip()
            if side == "denominator" and not text:
                continue
            try:
                expr = parse(text)
            except ExpressionError as exc:
                problems.append(f"{where}的{label}：{exc}")
                continue
            for missing in sorted(expr.codes - available):
                problems.append(f"{where}的{label}用到了不存在的数据元“{missing}”")
        for term in [name, *(i.get("aliases") or [])]:
            term = str(term).strip()
            if not term:
                continue
            if term in owner and owner[term] != code:
                problems.append(f"名称或别名“{term}”同时属于指标“{owner[term]}”和“{code}”")
            owner.setdefault(term, code)
    return problems


def load_catalogue(data: dict | None = None) -> LoadResult:
    """Create or update elements and indicators by code; the national set when `data` is None.

    All or nothing: a catalogue with any problem raises CatalogueError and changes nothing.
    Elements and indicators that are not in `data` are left as they are.
    """
    data = national_catalogue() if data is None else data
    known = set(DataElement.objects.values_list("code", flat=True))
    problems = check_catalogue(data, known)
    if problems:
        raise CatalogueError(problems)

    result = LoadResult()
    with transaction.atomic():
        existing = {e.code: e for e in DataElement.objects.all()}
        to_create, to_update = [], []
        for raw in data["elements"]:
            values = _element_values(raw)
            obj = existing.get(values["code"])
            if obj is None:
                to_create.append(DataElement(**values))
            elif _changed(obj, values, ELEMENT_FIELDS):
                to_update.append(obj)
            else:
                result.elements_unchanged += 1
        DataElement.objects.bulk_create(to_create)
        DataElement.objects.bulk_update(to_update, ELEMENT_FIELDS)
        result.elements_created, result.elements_updated = len(to_create), len(to_update)

        existing_ind = {i.code: i for i in Indicator.objects.all()}
        to_create, to_update = [], []
        for raw in data["indicators"]:
            values = _indicator_values(raw)
            obj = existing_ind.get(values["code"])
            if obj is None:
                to_create.append(Indicator(**values))
                result.created_codes.append(values["code"])
            elif _changed(obj, values, INDICATOR_FIELDS):
                to_update.append(obj)
            else:
                result.indicators_unchanged += 1
        Indicator.objects.bulk_create(to_create)
        Indicator.objects.bulk_update(to_update, INDICATOR_FIELDS)
        result.indicators_created, result.indicators_updated = len(to_create), len(to_update)
    return result


def catalogue_is_loaded() -> bool:
    """True when every national indicator and element is in the database."""
    codes = {i["code"] for i in national.INDICATORS}
    element_codes = {e["code"] for e in national.ELEMENTS}
    return Indicator.objects.filter(code__in=codes).count() == len(codes) and DataElement.objects.filter(
        code__in=element_codes
    ).count() == len(element_codes)


def export_catalogue() -> dict:
    """Everything in the database, in the shape `load_catalogue` reads."""
    elements = []
    for e in DataElement.objects.order_by("code"):
        row = {"code": e.code}
        for f in ELEMENT_FIELDS:
            row[f] = getattr(e, f)
        for f in ("min_value", "max_value"):
            row[f] = None if row[f] is None else _plain_number(row[f])
        elements.append(row)
    indicators = []
    for i in Indicator.objects.order_by("category", "code"):
        row = {"code": i.code}
        for f in INDICATOR_FIELDS:
            row[f] = getattr(i, f)
        row["factor"] = _plain_number(i.factor)
        indicators.append(row)
    return {"elements": elements, "indicators": indicators}


def lexicon_entries() -> list[tuple[str, str]]:
    """(name or alias, indicator code) for every indicator in the database.

    An indicator's own name always links to it. An alias that another indicator uses as its name,
    or that two indicators share, is left out: an ambiguous phrase should link to nothing rather
    than to the wrong indicator.
    """
    rows = list(Indicator.objects.order_by("code").values_list("code", "name", "aliases"))
    by_name: dict[str, str] = {}
    for code, name, _ in rows:
        by_name.setdefault(name.strip(), code)
    alias_owners: dict[str, set[str]] = {}
    for code, _, aliases in rows:
        for alias in aliases or []:
            alias = str(alias).strip()
            if alias:
                alias_owners.setdefault(alias, set()).add(code)
    entries = list(by_name.items())
    for alias, owners in alias_owners.items():
        if alias in by_name or len(owners) > 1:
            continue
        entries.append((alias, next(iter(owners))))
    return entries


def _element_values(raw: dict) -> dict:
    return {
        "code": str(raw["code"]).strip(),
        "name": str(raw["name"]).strip(),
        "aliases": [str(a).strip() for a in raw.get("aliases") or [] if str(a).strip()],
        "unit": str(raw.get("unit") or ""),
        "value_type": raw.get("value_type") or ValueType.INTEGER,
        "aggregation": raw.get("aggregation") or Aggregation.SUM,
        "min_value": _decimal(raw.get("min_value")),
        "max_value": _decimal(raw.get("max_value")),
        "description": str(raw.get("description") or ""),
        "part_of": [str(c).strip() for c in raw.get("part_of") or [] if str(c).strip()],
    }


def _indicator_values(raw: dict) -> dict:
    denominator = str(raw.get("denominator") or "").strip()
    return {
        "code": str(raw["code"]).strip(),
        "name": str(raw["name"]).strip(),
        "aliases": [str(a).strip() for a in raw.get("aliases") or [] if str(a).strip()],
        "category": str(raw.get("category") or ""),
        "numerator": str(raw["numerator"]).strip(),
        "denominator": denominator,
        "factor": _decimal(raw.get("factor", 1)),
        "unit": str(raw.get("unit") or ""),
        "decimals": int(raw.get("decimals", 2 if denominator else 0)),
        "direction": raw.get("direction") or Indicator.Direction.HIGHER,
        "definition": str(raw.get("definition") or "").strip(),
        "is_key": bool(raw.get("is_key", False)),
        "bounded": bool(raw.get("bounded", False)),
    }


def _changed(obj, values: dict, fields: tuple[str, ...]) -> bool:
    changed = False
    for f in fields:
        new = values[f]
        old = getattr(obj, f)
        if isinstance(old, Decimal) or isinstance(new, Decimal):
            same = (old is None and new is None) or (
                old is not None and new is not None and Decimal(old) == new
            )
        else:
            same = old == new
        if not same:
            setattr(obj, f, new)
            changed = True
    return changed


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _plain_number(value: Decimal) -> int | float:
    """Decimal → int when whole (factor 100, not "100.00"), else float, for readable JSON."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)
