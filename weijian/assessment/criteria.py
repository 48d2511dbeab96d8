"""Reading a 评分标准 sentence (and the item's 分值) into a typed rule with its parameters.

`read_criterion(text, points=None) -> Reading`: `Reading.rule` is the rule or None, `confidence`
runs from 0 to 1, and `notes` say in Chinese what was assumed or not understood. A sentence that
is not a rule gives None with a note; a rule is never returned silently when part of the sentence
carrying a number was not read (the note names it and the confidence drops).

How it reads: numerals are first written as Arabic digits with textmine's number reading
(Chinese numerals, 百分之…, full-width digits), comparison signs as words (≥95% → 95%及以上); then
the sentence is tried against the ways commissions write each kind of rule, the more specific
first (veto, 督办/问题清单 deductions, bonus, reviewers' levels, rank, improvement over last year,
per-finding deductions, per-step deductions, interpolation, proportional, bands, threshold).
Bounds follow the legal reading of Chinese: 以上/以下/以内 include the figure, 高于/超过/低于/不足
exclude it; where two bands both claim a bound it goes to the band worth more (in the unit's
favour), with a note. Every sentence `rules.Rule.describe()` writes is read back to the same rule
(bands that are a plain threshold — full points from a cut, nothing below — read as that threshold).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from weijian.textmine.numbers import NUMERAL_CHARS, parse_fraction, parse_number, to_halfwidth

from . import rules as R

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Reading:
    rule: R.Rule | None
    confidence: float
    notes: tuple[str, ...] = field(default_factory=tuple)


# --- normalising ------------------------------------------------------------------------------

# Per-population units would lose their 万 to the number reader: kept as one private character.
_PER_POP = {"/10万": "\ue000", "/万": "\ue001"}
_UNIT_BACK = {"\ue000": "1/10万", "\ue001": "1/万"}
_NUMERAL_RUN = re.compile(
    f"(?:百分之|千分之)?[{NUMERAL_CHARS}0-9.]*[{NUMERAL_CHARS}][{NUMERAL_CHARS}0-9.点]*"
)
# A Chinese numeral is a number here only beside a measure word or a verb of scoring; elsewhere
# it is a word (一般, 一票否决, 统一).
_AFTER_OK = set("个分处项次名%‰倍起例人张家所件条位档年岁户床台篇")
_BEFORE_OK = set("第每扣得加低高于至到和与过超降增提少多减计达在为-")
# The units a figure in a criterion carries (rates, and the measure words of counts).
_UNIT = r"(?:%|‰|\ue000|\ue001|万元|亿元|人次|平方米|小时|分钟|公里|[张人家所元天日岁户床台件篇例])?"
_FIGURE = rf"(\d+(?:\.\d+)?{_UNIT})"
_SIGNS = [
    (re.compile(rf"(?:≥|>=|≧|不小于){_FIGURE}"), r"\1及以上"),
    (re.compile(rf"(?:≤|<=|≦|不大于){_FIGURE}"), r"\1及以下"),
    (re.compile(rf">{_FIGURE}"), r"高于\1"),
    (re.compile(rf"<{_FIGURE}"), r"低于\1"),
]


def _decimal_text(v: float) -> str:
    d = Decimal(repr(v))
    return R.format_number(d)


def _arabic(m: re.Match, s: str) -> str:
    run = m.group()
    before = s[m.start() - 1] if m.start() else ""
    after = s[m.end()] if m.end() < len(s) else ""
    if run.startswith(("百分之", "千分之")):
        f = parse_fraction(run)
        return f"{_decimal_text(f[0])}{f[1]}" if f else run
    if not any(c in NUMERAL_CHARS for c in run) or run in ("百", "千", "万", "亿", "佰", "仟"):
        return run  # 百分点, 千分比: a place value alone is a word
    if after not in _AFTER_OK and before not in _BEFORE_OK:
        return run
    v = parse_number(run)
    if v is None:
        return run
    return _decimal_text(v)


def _tidy(text: str) -> str:
    """Half-width digits, no spaces, one set of brackets, commas and dashes."""
    s = to_halfwidth(text or "")
    s = re.sub(r"[\s\u3000]+", "", s)
    s = s.replace("(", "（").replace(")", "）").replace(",", "，").replace(";", "；").replace(":", "：")
    return re.sub(r"[~～—–]+", "-", s).rstrip("。；，")


_BETWEEN_SIGNS = re.compile(rf"{_FIGURE}(<=|≤|≦|<)[^\d，；]{{0,12}}?(<=|≤|≦|<){_FIGURE}")


def _between(m: re.Match) -> str:
    lo = "（不含）" if m.group(2) == "<" else "（含）"
    hi = "（不含）" if m.group(3) == "<" else "（含）"
    return f"{m.group(1)}{lo}-{m.group(4)}{hi}"


def normalise(text: str) -> str:
    """`_tidy`, then numerals as Arabic digits and comparison signs as words."""
    s = _tidy(text)
    for k, v in _PER_POP.items():
        s = s.replace(k, v)
    s = re.sub(r"/(?!\d)", "÷", s).replace("*", "×")
    s = _NUMERAL_RUN.sub(lambda m: _arabic(m, s), s)
    s = _BETWEEN_SIGNS.sub(_between, s)
    for rx, rep in _SIGNS:
        s = rx.sub(rep, s)
    return s.rstrip("。；，")


# --- pieces -----------------------------------------------------------------------------------

NUM = r"\d+(?:\.\d+)?"
_TGT = r"(?:年度目标任务|目标任务|年度目标|目标要求|目标值)"
_PTS = rf"(?:得满分|满分|不得分|不计分|得0分|计0分|得(?P<{{p}}>{NUM})分|计(?P<{{q}}>{NUM})分)"


def _pts_rx(tag: str) -> str:
    return _PTS.replace("{p}", f"{tag}p").replace("{q}", f"{tag}q")


_HIGH_INC = ("达到", "达", "完成", "不低于", "不少于", "在", "")
_HIGH_EXC = ("高于", "超过", "大于", "多于")
_LOW_INC = ("控制在", "降至", "不高于", "不超过")
_LOW_EXC = ("低于", "少于", "小于", "不足", "不满", "未达到")
_PRE = "|".join(sorted(_HIGH_INC + _HIGH_EXC + _LOW_INC + _LOW_EXC, key=len, reverse=True)[:-1])
_POST = r"及以上|以上|及以下|以下|以内|之内"
_COND = rf"(?P<pre>{_PRE})?(?:(?P<num>{NUM})(?P<unit>{_UNIT})|(?P<tgt>{_TGT}))(?P<post>{_POST})?"


def D(s: str) -> Decimal:
    return Decimal(s)


def _unit(u: str | None) -> str:
    u = u or ""
    return _UNIT_BACK.get(u, u)


def _direction(pre: str | None, post: str | None) -> tuple[bool, bool] | None:
    """(higher_is_better, inclusive) from the words around a figure; None when they disagree."""
    pre, post = pre or "", post or ""
    a = None
    if pre in _HIGH_INC and pre:
        a = (True, True)
    elif pre in _HIGH_EXC:
        a = (True, False)
    elif pre in _LOW_INC:
        a = (False, True)
    elif pre in _LOW_EXC:
        a = (False, False)
    b = None
    if post in ("及以上", "以上"):
        b = (True, True)
    elif post in ("及以下", "以下", "以内", "之内"):
        b = (False, True)
    if a and b:
        if a[0] != b[0]:
            return None
        return a if pre not in ("达到", "达", "在") else b
    return a or b


def _points_of(m: re.Match, tag: str) -> Decimal | str:
    """Points a clause gives: a Decimal, "full" for 满分, or None when unreadable."""
    text = m.group(0)
    p = m.group(f"{tag}p") or m.group(f"{tag}q")
    if p is not None:
        return D(p)
    if "满分" in text:
        return "full"
    return ZERO


class _Read:
    """The state of one reading: notes, confidence and the spans of the text used."""

    def __init__(self, s: str, points: Decimal | None):
        self.s = s
        self.points = points
        self.notes: list[str] = []
        self.confidence = 1.0
        self.used: list[tuple[int, int]] = []

    def note(self, text: str, weight: float = 0.8) -> None:
        self.notes.append(text)
        self.confidence *= weight

    def use(self, m: re.Match | None) -> re.Match | None:
        if m:
            self.used.append(m.span())
        return m

    def find(self, rx: str | re.Pattern) -> re.Match | None:
        return self.use(re.search(rx, self.s))

    def leftover_digits(self) -> bool:
        return bool(re.search(r"\d", self.leftover()))

    def leftover(self) -> str:
        keep = [True] * len(self.s)
        for a, b in self.used:
            for i in range(a, b):
                keep[i] = False
        return "".join(c for c, k in zip(self.s, keep, strict=True) if k)


class _NotARule(Exception):
    def __init__(self, note: str):
        self.note = note


# --- suffixes: missing data, applicability, unit ----------------------------------------------

_MISSING = [
    (
        re.compile(
            r"(?:数据缺失|缺少数据|无数据|未上报数据|数据未上报)的?，?(?:该项)?(?:按不适用处理|不参与计分|不计分|视为不适用)[^；]*"
        ),
        "excluded",
    ),
    (
        re.compile(
            r"(?:数据缺失|缺少数据|无数据|未上报数据|数据未上报)的?，?(?:按未达标处理|视为未达标|按不达标处理)[^；]*"
        ),
        "failing",
    ),
    (
        re.compile(
            r"(?:数据缺失|缺少数据|无数据|未上报数据|数据未上报)的?，?(?:该项)?(?:不得分|得0分|计0分)"
        ),
        "zero",
    ),
]
_APPLIES = re.compile(r"（?(?:仅)?适用于(?P<who>[^；，。）]+)）?")
_UNIT_NOTE = re.compile(r"计量单位[：:为](?P<u>[^；，。]*)")


def _suffixes(s: str) -> tuple[str, dict]:
    extra: dict = {}
    for rx, policy in _MISSING:
        m = rx.search(s)
        if m:
            extra["missing"] = policy
            s = s[: m.start()] + s[m.end() :]
            break
    m = _APPLIES.search(s)
    if m:
        extra["applies_to"] = tuple(w for w in re.split(r"[、和及]", m.group("who").strip("（）")) if w)
        s = s[: m.start()] + s[m.end() :]
    m = _UNIT_NOTE.search(s)
    if m:
        u = m.group("u")
        extra["unit"] = "" if u == "无" else u
        s = s[: m.start()] + s[m.end() :]
    s = re.sub(r"[；，]{2,}", "；", s).strip("；，（）")
    return s, extra


# --- the readers, most specific first ---------------------------------------------------------


def _veto(r: _Read) -> R.Rule | None:
    s = r.s
    m = re.search(r"(?:实行|予以|给予|执行|实施)?一票否决", s)
    cap = re.search(r"(?:考核)?等次最高(?:为|评为|定为)(?P<g>[^，；。的]{1,4}?)(?:等次)?(?=$|[，；。])", s)
    bar = re.search(r"(?:不得评为|不能评为)(?P<g>[^，；。的]{1,4}?)(?:等次)?(?=$|[，；。])", s)
    fail = re.search(r"(?:考核)?(?:等次)?(?:直接)?(?:为|评为|定为|确定为)不合格(?:等次)?", s)
    evaluate = re.search(r"取消评优(?:评先)?资格", s)
    if not (m or (fail and re.search("直接|一律", s)) or cap or evaluate):
        return None
    r.use(m)
    effect, grade = "fail", ""
    if cap:
        r.use(cap)
        effect, grade = "cap", cap.group("g")
    elif evaluate:
        r.use(evaluate)
        effect, grade = "bar", "优秀"
    elif bar and not fail:
        r.use(bar)
        g = bar.group("g")
        effect, grade = "bar", {"评优": "优秀"}.get(g, g)
    if fail:
        r.use(fail)
    head = s[: min(x.start() for x in (m, cap, bar, fail, evaluate) if x)]
    head = head.strip("，；：")
    head = re.sub(r"^(?:凡|如|若|对|对于|凡是|如有|若有)", "", head)
    head = re.sub(r"(?:的|者)$", "", head).strip("，")
    head = re.sub(r"[，]?(?:年度考核|本项考核|考核|本年度)$", "", head).strip("，")
    head = re.sub(r"(?:的|者)$", "", head)
    if not head:
        raise _NotARule("写明了一票否决，但未写明否决的条件")
    min_count = 1
    cm = re.search(rf"累计(?P<n>{NUM})(?:次|起|例|件)(?:及以上|以上)?", head) or re.search(
        rf"(?P<n>{NUM})(?:次|起|例|件)(?:及以上|以上)", head
    )
    if cm:
        n = D(cm.group("n"))
        if n != n.to_integral_value():
            raise _NotARule(f"否决条件的次数“{cm.group('n')}”不是整数")
        min_count = int(n)
        head = head[: cm.start()] + head[cm.end() :]
    r.used.append((0, len(s[: min(x.start() for x in (m, cap, bar, fail, evaluate) if x)])))
    if "，" in head:
        r.note(f"否决条件“{head}”较长，已整体作为条件", 0.9)
        head = head.replace("，", "、")
    return R.Veto(condition=head, min_count=min_count, effect=effect, grade=grade)


_CAP_DEDUCT = rf"(?:最多|最高|累计最多|累计)扣(?P<cap>{NUM})分|扣分(?:累计)?不超过(?P<cap2>{NUM})分|以(?P<cap3>{NUM})分为限|扣满(?P<cap4>{NUM})分为止"
_TO_ZERO = r"扣完为止|扣完该项分值为止|扣至0分为止|扣分不超过该项分值|该项分值扣完为止"


def _cap(r: _Read, rx: str = _CAP_DEDUCT, zero: str = _TO_ZERO) -> Decimal | None:
    m = r.find(rx)
    if m:
        value = next((g for g in m.groups() if g), None)
        return D(value) if value is not None else None
    r.find(zero)
    return None


def _deduction(r: _Read) -> R.Rule | None:
    s = r.s
    overdue = re.search(
        r"督办(?:事项|件|任务)?[^，；]*?(?:逾期|超期|未按期|未按时|未在规定时限)[^，；]*?(?:办结|完成|办理|反馈)?",
        s,
    )
    unrect = re.search(
        r"(?:问题(?:清单)?[^，；]*?)?(?:逾期未整改|未按期整改|未整改到位|整改不到位|未完成整改|未整改|未销号)",
        s,
    )
    if not (overdue or unrect):
        return None
    per = re.search(rf"扣(?P<k>{NUM})分", s)
    if not per or "加" in s[: per.start()][-3:]:
        return None
    r.use(overdue or unrect)
    r.use(per)
    r.find(rf"每(?:有|发现)?(?:{NUM})?(?:项|个|件|条|次|处)?")
    r.find(r"每(?:项|个|件|条|次|处)")
    source = "overdue" if overdue else "unrectified"
    cap = _cap(r, _CAP_DEDUCT + "|扣分不超过该项分值")
    return R.Deduction(source=source, per=D(per.group("k")), cap=cap)


_BONUS_CAP = rf"(?:最多|最高|累计最多|累计)加(?P<cap>{NUM})分|加分(?:累计)?不超过(?P<cap2>{NUM})分|加满(?P<cap3>{NUM})分为止|加分以(?P<cap4>{NUM})分为限"


def _bonus(r: _Read) -> R.Rule | None:
    s = r.s
    if not re.search(rf"加(?:{NUM})分", s) or re.search(rf"扣(?:{NUM})分", s):
        return None
    m = re.search(
        rf"每(?P<event>[^，；]+?)(?P<n>1)?(?P<m>项|次|个|篇|人次|人|家|件|条|例)加(?P<k>{NUM})分", s
    ) or re.search(rf"(?P<event>[^，；]+?)的?，每(?P<m>项|次|个|篇|人次|人|家|件|条|例)加(?P<k>{NUM})分", s)
    if not m:
        m3 = re.search(
            rf"每(?P<v>获得|被|承办|完成|有|获)?1(?P<m>项|次|个|篇|人次|人|家|件|条|例)(?P<o>[^，；]+?)(?:的)?加(?P<k>{NUM})分",
            s,
        )
        if m3:
            r.use(m3)
            cap = _cap(r, _BONUS_CAP, r"加分不超过该项分值")
            event = (m3.group("v") or "") + m3.group("o")
            return R.Bonus(per=D(m3.group("k")), cap=cap, event=event, measure=m3.group("m"))
        pairs = re.findall(rf"加(?:{NUM})分", s)
        if len(pairs) > 1:
            raise _NotARule("加分标准分多档（不同事项加分不同），请拆分为多个加分项")
        m2 = re.search(rf"(?P<event>[^，；]+?)的?，?加(?P<k>{NUM})分", s)
        if not m2:
            raise _NotARule("有加分，但未能读出加分事项")
        r.use(m2)
        event = re.sub(r"^(?:对|凡|如|若)", "", m2.group("event"))
        r.note("未写明“每项”，按每项加分理解")
        cap = _cap(r, _BONUS_CAP, r"加分不超过该项分值")
        return R.Bonus(per=D(m2.group("k")), cap=cap, event=event, measure="项")
    if len(re.findall(rf"加(?:{NUM})分", s)) > 1 + len(re.findall(_BONUS_CAP, s)):
        raise _NotARule("加分标准分多档（不同事项加分不同），请拆分为多个加分项")
    r.use(m)
    event = re.sub(r"^(?:对|凡|如|若)", "", m.group("event"))
    cap = _cap(r, _BONUS_CAP, r"加分不超过该项分值")
    return R.Bonus(per=D(m.group("k")), cap=cap, event=event, measure=m.group("m"))


_LEVEL_CLAUSE = re.compile(
    rf"(?:^|[，；：、])(?P<name>[\u4e00-\u9fff]{{1,6}}?)(?:的|者)?(?:得满分|不得分|得0分|得(?P<p>{NUM})分|得分值的(?P<f>{NUM})%|按分值的(?P<f2>{NUM})%计|得(?P<f3>{NUM})%)"
)
_REVIEW_WORDS = r"评审|评定|评议|评估|打分|综合评价|专家|考评组"


def _qualitative(r: _Read) -> R.Rule | None:
    s = r.s
    each = re.search(
        rf"(?P<names>[\u4e00-\u9fff]{{1,6}}(?:、[\u4e00-\u9fff]{{1,6}})+)的?(?:等次)?分别(?:得|计|按)(?P<vals>{NUM}(?:分?、{NUM})+)分",
        s,
    )
    if each:
        names = [_level_name(n) for n in each.group("names").split("、")]
        values = [D(v) for v in re.findall(NUM, each.group("vals"))]
        if len(names) != len(values):
            raise _NotARule(f"“分别”前列了{len(names)}个等级，后面却有{len(values)}个分数")
        r.use(each)
        r.find(rf"[^，；]*(?:{_REVIEW_WORDS})[^，；]*?(?=，|；|$)")
        r.find(r"(?:评定)?低于满分的?(?:须|需|应)说明(?:理由|扣分理由|原因)")
        return R.Qualitative(
            levels=tuple(zip(names, values, strict=True)), as_points=True, combine=_combine(r)
        )
    found = [m for m in _LEVEL_CLAUSE.finditer(s)]
    named = [
        m
        for m in found
        if not re.search(r"\d|满分|达到|完成率|低于|高于|以上|以下|排名|上年|每|发现", m.group("name"))
    ]
    if len(named) < 2 and not (re.search(_REVIEW_WORDS, s) and named):
        if re.search(_REVIEW_WORDS, s) and not re.search(r"加|扣", s):
            probe = _Read(s, r.points)
            combine = _combine(probe)
            if not re.search(r"\d", probe.leftover()):
                r.used = probe.used
                r.find(rf"[^，；]*(?:{_REVIEW_WORDS})[^，；]*")
                r.note("未列出评定等级，按默认等级（好、较好、一般、差）计分，请核对", 0.6)
                return R.Qualitative(combine=combine)
        return None
    if len(named) < 2:
        return None
    levels: list[tuple[str, Decimal]] = []
    as_points = any(m.group("p") for m in named)
    if as_points and any(m.group("f") or m.group("f2") or m.group("f3") for m in named):
        raise _NotARule("评定等级有的按分值、有的按比例，无法统一")
    for m in named:
        r.use(m)
        name = _level_name(m.group("name"))
        text = m.group(0)
        if m.group("p"):
            v = D(m.group("p"))
        elif m.group("f") or m.group("f2") or m.group("f3"):
            v = D(m.group("f") or m.group("f2") or m.group("f3")) / HUNDRED
        elif "满分" in text:
            if as_points:
                if r.points is None:
                    raise _NotARule("等级按分值计，但“满分”是多少不知道（缺少分值）")
                v = r.points
            else:
                v = Decimal(1)
        else:
            v = ZERO
        levels.append((name, v))
    r.find(rf"[^，；]*(?:{_REVIEW_WORDS})[^，；]*?(?=，|；|$)")
    r.find(r"(?:评定)?低于满分的?(?:须|需|应)说明(?:理由|扣分理由|原因)")
    return R.Qualitative(levels=tuple(levels), as_points=as_points, combine=_combine(r))


_LEVEL_WORDS = sorted(
    "好 较好 一般 差 较差 优 良 中 优秀 良好 合格 基本合格 不合格 完成 基本完成 未完成 按时完成 到位 基本到位 不到位".split(),
    key=len,
    reverse=True,
)


def _level_name(name: str) -> str:
    """The level a clause names: a known level word ending it (工作开展好 → 好), else the clause."""
    name = re.sub(r"^(?:评定为|评为|为|由评审人评定|评审人评定)", "", name)
    for w in _LEVEL_WORDS:
        if name.endswith(w):
            return w
    return name


def _combine(r: _Read) -> str:
    if r.find(
        r"多名评审人评分的，?去掉(?:1个)?最高分和(?:1个)?最低分后?取平均(?:分)?|去掉(?:1个)?最高分(?:和|、)(?:1个)?最低分后?取平均(?:分)?"
    ):
        return "trimmed"
    r.find(r"多名评审人评分的，?取平均(?:分)?|取平均(?:分)?")
    return "mean"


def _rank(r: _Read) -> R.Rule | None:
    s = r.s
    if not re.search(r"排名|名次|排序|排位", s):
        return None
    higher = True
    if r.find(r"（?(?:数值越低名次越前|由低到高排(?:名|序)|从低到高排(?:名|序)|按从低到高)）?"):
        higher = False
    r.find(r"[；，]?并列的?(?:名次相同|按同一名次计|名次并列)")
    r.find(r"(?:并列的?)?(?:按同一名次计)")
    scope_m = re.search(r"在(?P<scope>[^，；在]{1,12}?)(?:排名|按名次)", s) or re.search(
        r"(?:在|按)?(?P<scope>全[省市县区]|同类单位中?|同级同类单位中?|同组单位中?|全市同类[^，；]{0,6}中|[^，；]{0,8}?中)?(?:排名|按名次)",
        s,
    )
    scope = ""
    if scope_m and scope_m.group("scope"):
        scope = scope_m.group("scope")
    prop = r.find(
        r"按名次比例计分：?得分=（参评单位数[−-]名次）÷（参评单位数[−-]1）×分值|按名次比例计分|按排名比例计分|按名次折算得分"
    )
    if prop:
        r.find(r"^(?:在[^，；]*?)?(?=按名次)")
        if scope_m:
            r.use(scope_m)
        return R.Rank(mode="proportional", step=None, scope=scope, higher_is_better=higher)
    first = r.find(r"(?:(?:在)?[^，；]*?(?:排名|排))?第1(?:名|位)?(?:的)?(?:得满分|得(?P<p>" + NUM + r")分)")
    step = r.find(
        rf"(?:每(?:降低|下降|后退|落后|低|后移)1个?(?:名次|名|位)|依次(?:递减|减少)|第2名起每(?:名|位)?|其余每(?:降低|低)1(?:名|个名次))(?:扣|减|递减)?(?P<k>{NUM})分"
    )
    if first and step:
        if first.group("p") and r.points is not None and D(first.group("p")) != r.points:
            r.note(f"第一名得{first.group('p')}分与分值{R.format_number(r.points)}分不同，按满分理解")
        r.find(_TO_ZERO)
        return R.Rank(mode="step", step=D(step.group("k")), scope=scope, higher_is_better=higher)
    listed = re.findall(rf"第(\d+)(?:名|位)得({NUM})分", s)
    if len(listed) >= 2:
        ranks = [(int(a), D(b)) for a, b in listed]
        diffs = {ranks[i][1] - ranks[i + 1][1] for i in range(len(ranks) - 1)}
        if [a for a, _ in ranks] == list(range(1, len(ranks) + 1)) and len(diffs) == 1 and diffs.pop() > 0:
            r.find(rf"(?:第\d+(?:名|位)得{NUM}分[，、]?)+(?:……|…|，依此类推|依此类推|以此类推)*")
            k = ranks[0][1] - ranks[1][1]
            r.note("按列出的名次得分等差递减理解")
            return R.Rank(mode="step", step=k, scope=scope, higher_is_better=higher)
    raise _NotARule("提到排名，但未能读出按名次计分的方法")


_CHANGE_UP = r"提高|增长|提升|上升|增加"
_CHANGE_DOWN = r"下降|降低|减少"
_LAST_YEAR = r"较上年|比上年|同比|与上年相比|较去年|比去年|较上一年度|较上年度"


def _gap_unit(r: _Read, u: str, value_unit: str | None) -> tuple[str, str]:
    """(gap_unit, value unit) from how a difference is written."""
    if u in ("个百分点", "百分点"):
        return "百分点", "%"
    if u in ("个千分点", "千分点"):
        return "", "‰"
    if u == "%":
        if value_unit == "%":
            r.note("“%”的差距按百分点理解（目标值本身是百分比）")
            return "百分点", "%"
        return "%", value_unit if value_unit is not None else "%"
    return "", _unit(u) if u else (value_unit or "")


def _improvement(r: _Read) -> R.Rule | None:
    s = r.s
    m = re.search(
        rf"(?:{_LAST_YEAR})(?P<verb>{_CHANGE_UP}|{_CHANGE_DOWN})(?P<by>{NUM})(?P<u>个百分点|百分点|个千分点|千分点|%|{_UNIT})(?:（按相对幅度计）)?(?:及以上|以上)?(?:的)?(?:得满分|得(?P<p>{NUM})分)",
        s,
    )
    if not m:
        if re.search(rf"(?:{_LAST_YEAR})(?:{_CHANGE_UP}|{_CHANGE_DOWN})", s) and re.search(r"得满分|得\d", s):
            raise _NotARule("提到较上年变化，但未能读出要求的幅度")
        return None
    r.use(m)
    higher = re.fullmatch(_CHANGE_UP, m.group("verb")) is not None
    gap_unit, unit = _gap_unit(r, m.group("u"), None)
    if m.group("u") == "%":
        gap_unit, unit = "%", "%"
    verb = r"(?:提高|增长|提升|上升|增加|下降|降低|减少)"
    prop = r.find(
        rf"{verb}?不足{NUM}(?:个百分点|百分点|个千分点|千分点|%|{_UNIT})?的?(?:按比例(?:得分|计分)|按比例折算)|未达到的?按比例(?:得分|计分)|不足的?按比例(?:得分|计分)"
    )
    r.find(rf"未{verb}的?(?:不得分|得0分)|(?:下降|降低|减少|提高|增长)的?不得分|持平或{verb}的?不得分")
    thr = r.find(r"否则不得分|未达到的?不得分|不足的?不得分")
    mode = "proportional" if prop else "threshold"
    if not prop and not thr:
        r.note("未写明提高不足时如何计分，按不得分理解")
    return R.Improvement(by=D(m.group("by")), by_unit=gap_unit, unit=unit, mode=mode, higher_is_better=higher)


_MEASURE = r"处|项|个|次|例|起|件|条|份|人次|人|家"


def _checklist(r: _Read) -> R.Rule | None:
    s = r.s
    m = re.search(
        rf"(?:每)?(?:发现|查出|出现|存在|有|检查发现)?(?P<n>1)?(?P<m>{_MEASURE})(?P<f>[^，；\d]{{1,12}}?)(?:的)?(?:扣|减)(?P<k>{NUM})分",
        s,
    )
    if not m:
        m2 = re.search(rf"(?P<f>[^，；\d]{{2,14}}?)的，?每(?P<m>{_MEASURE})(?:扣|减)(?P<k>{NUM})分", s)
        if not m2 or re.search(r"低|高|降|百分点|名次", m2.group("f")):
            return None
        r.use(m2)
        finding = re.sub(r"^(?:对|凡|如|若|其中)", "", m2.group("f"))
        return R.Checklist(per=D(m2.group("k")), cap=_cap(r), measure=m2.group("m"), finding=finding)
    pre = s[max(0, m.start() - 3) : m.start()]
    if re.search(r"低|高|少|降|百分点", m.group("f")) or re.search(r"每(?:低|高|降)", s[: m.start() + 3]):
        return None
    if not (
        m.group(0).startswith(("每", "发现", "查出", "出现", "存在", "有", "检查")) or pre.endswith("每")
    ):
        return None
    r.use(m)
    finding = m.group("f")
    finding = re.sub(r"^(?:的)", "", finding) or "问题"
    cap = _cap(r)
    return R.Checklist(per=D(m.group("k")), cap=cap, measure=m.group("m"), finding=finding)


_STEP_NOTE = [
    (re.compile(r"（?不足[^，；）]*?按[^，；）比]*?计）?"), "ceil"),
    (re.compile(r"（?不足[^，；）]*?的?不扣分）?"), "floor"),
    (
        re.compile(
            r"（?(?:不足[^，；）]*?的?)?(?:按实际差距折算|按比例折算|按实际差距计算|按比例扣分|按比例扣减)）?"
        ),
        "exact",
    ),
]


def _steps(r: _Read) -> str:
    for rx, steps in _STEP_NOTE:
        m = rx.search(r.s)
        if m and not any(a <= m.start() < b for a, b in r.used):
            r.use(m)
            return steps
    return ""


def _target_clause(r: _Read) -> tuple[Decimal | None, str | None, bool, bool, re.Match | None]:
    """The clause that gives full points at a target: (target, unit, higher, inclusive, match)."""
    m = re.search(_COND + r"(?:的|者)?(?:，)?(?:得满分|满分|得(?P<p>" + NUM + r")分)", r.s)
    if not m:
        return None, None, True, True, None
    d = _direction(m.group("pre"), m.group("post")) or (True, True)
    if not m.group("pre") and not m.group("post"):
        r.note("未写明达到还是控制在目标值，按达到目标值及以上理解", 0.9)
    p = m.group("p")
    if p is not None and r.points is not None and D(p) != r.points:
        return None, None, True, True, None
    if p is not None and r.points is None:
        r.note(f"得{p}分视为满分")
    r.use(m)
    if m.group("tgt"):
        return None, None, d[0], d[1], m
    return D(m.group("num")), _unit(m.group("unit")), d[0], d[1], m


def _stated_target(r: _Read) -> tuple[Decimal | None, str | None, bool]:
    """A target named apart from the points: 目标值为90% / 以90%为目标 / 未达到目标值的 (a plan
    target). Returns (target, unit, found)."""
    m = r.find(rf"(?:其中)?目标值?(?:为|是|：)(?P<t>{NUM})(?P<u>{_UNIT})") or r.find(
        rf"以(?P<t>{NUM})(?P<u>{_UNIT})为目标值?"
    )
    if m:
        return D(m.group("t")), _unit(m.group("u")), True
    if r.find(r"(?:未达到|未完成|低于)(?:年度)?目标(?:值|任务)?的?"):
        return None, None, True
    return None, None, False


def _linear(r: _Read) -> R.Rule | None:
    s = r.s
    m = re.search(
        rf"每(?P<verb>低于目标值?|低|降低|下降|减少|少|差|高于目标值?|高|升高|上升|超过|超出|超|增加|多)(?P<per>{NUM})(?P<u>个百分点|百分点|个千分点|千分点|%|{_UNIT})(?P<rel>（按与目标值的相对差距计）)?(?:的)?(?:扣|减)(?P<k>{NUM})分",
        s,
    )
    if not m:
        return None
    r.use(m)
    target, unit, higher, _incl, tm = _target_clause(r)
    lower_verb = re.match(r"高|升高|上升|超过|超出|超|增加|多", m.group("verb")) is not None
    if tm is None:
        st, su, found = _stated_target(r)
        if found:
            target, unit, higher = st, su, not lower_verb
        else:
            bt, bu, bh = _bare_target(r)
            if bt is None:
                raise _NotARule("写明了每低多少扣分，但未写明达到多少得满分")
            target, unit, higher = bt, bu, bh
    elif lower_verb == higher:
        if tm.group("pre") or tm.group("post"):
            raise _NotARule("达标方向与扣分方向不一致（一处要求高、一处要求低）")
        higher = not lower_verb
    u = m.group("u")
    if m.group("rel"):
        gap_unit, unit2 = "%", unit if unit is not None else "%"
    else:
        gap_unit, unit2 = _gap_unit(r, u, unit)
    if unit is not None and unit != unit2 and gap_unit != "%":
        if not (unit == "" and u == ""):
            raise _NotARule(f"目标值的单位“{unit}”与差距的单位“{u}”不一致")
    unit = unit if unit is not None else unit2
    steps = _steps(r)
    if not steps:
        steps = "exact"
        r.note("未写明不足一档如何计，按实际差距折算", 0.9)
    cap = _cap(r)
    return R.LinearDeduction(
        target=target,
        unit=unit,
        per=D(m.group("per")),
        gap_unit=gap_unit,
        deduct=D(m.group("k")),
        steps=steps,
        higher_is_better=higher,
        cap=cap,
    )


def _interpolation(r: _Read) -> R.Rule | None:
    s = r.s
    between = re.search(
        rf"(?:介于|在)(?P<a>{NUM}|目标值)(?P<au>{_UNIT})(?:和|与|至|-|到)(?P<b>{NUM}|目标值)(?P<bu>{_UNIT})之间的?(?:按比例得分|按比例计分|按插值计分|按比例折算)",
        s,
    )
    if not between:
        between = re.search(
            rf"(?P<a>{NUM})(?P<au>{_UNIT})(?:（含）|（不含）)?(?:-|至|到)(?P<b>{NUM}|目标值)(?P<bu>{_UNIT})(?:（含）|（不含）)?之间的?(?:按比例得分|按比例计分|按插值计分)",
            s,
        )
    if not between:
        return None
    r.use(between)
    target, unit, higher, _incl, tm = _target_clause(r)
    if tm is None:
        raise _NotARule("写明了区间内按比例得分，但未写明达到多少得满分")
    zero = r.find(
        rf"(?P<f>{NUM})(?P<fu>{_UNIT})(?P<post>及以下|以下|及以上|以上)(?:的)?(?:不得分|得0分)"
    ) or r.find(rf"(?P<pre>低于|高于|不足|超过)(?P<f>{NUM})(?P<fu>{_UNIT})(?:的)?(?:不得分|得0分)")
    ends = [x for x in (between.group("a"), between.group("b")) if x != "目标值"]
    if zero:
        floor = D(zero.group("f"))
    else:
        others = [D(x) for x in ends if target is None or D(x) != target]
        if len(others) != 1:
            raise _NotARule("未能读出按比例得分的起点值")
        floor = others[0]
        r.note("未写明起点以下得分，按不得分理解")
    if unit is None:
        unit = _unit(between.group("au") or between.group("bu"))
    try:
        return R.Interpolation(floor=floor, target=target, unit=unit, higher_is_better=higher)
    except R.RuleError as e:
        raise _NotARule(str(e)) from None


def _bare_target(r: _Read) -> tuple[Decimal | None, str, bool]:
    """A target written without the points it earns: 平均住院日不超过9天，每超过…"""
    for m in re.finditer(_COND, r.s):
        if (m.group("pre") or m.group("post")) and not m.group("tgt") and m.group("num"):
            if any(a <= m.start() < b for a, b in r.used):
                continue
            d = _direction(m.group("pre"), m.group("post")) or (True, True)
            r.use(m)
            return D(m.group("num")), _unit(m.group("unit")), d[0]
    return None, "%", True


def _proportional(r: _Read) -> R.Rule | None:
    s = r.s
    formula = r.find(
        rf"按(?P<how>完成|控制)比例计分，得分=(?:实际值÷(?P<t1>{NUM}|目标值)(?P<u1>{_UNIT})|(?P<t2>{NUM}|目标值)(?P<u2>{_UNIT})÷实际值)×分值"
    )
    loose = None
    if not formula:
        loose = r.find(
            r"(?:未达到的?|未完成的?|不足的?|超过的?|超出的?)?按(?:实际)?(?:完成|完成率|完成比例|任务完成|比例|实际完成比例|完成进度)(?:的比例)?(?:计分|得分|折算得分|折算)|(?:得分=|按)?[^，；=]*?目标值?÷[^，；=]*?实际[^，；=]*?值?×(?:该项)?分值(?:计分|得分)?|(?:得分=|按)?[^，；=]*?(?:实际|完成)[^，；=]*?÷[^，；=]*?目标值?×(?:该项)?分值(?:计分|得分)?|按?(?:完成率|完成比例)×(?:该项)?分值(?:计分|得分)?"
        )
        if not loose:
            return None
    cap = None
    cm = r.find(rf"(?:超额完成的?按比例(?:计分|加分)，)?最高不超过(?:该项)?分值的(?P<c>{NUM})倍")
    if cm:
        cap = D(cm.group("c"))
    elif cm := r.find(rf"超额完成的?按比例(?:计分|加分)，最高(?:不超过|得)(?P<pts>{NUM})分"):
        if r.points is None:
            raise _NotARule("超额计分的上限以分数写出，但缺少该项分值")
        cap = D(cm.group("pts")) / r.points
        if cap == 1:
            cap = None
    else:
        r.find(r"最高得满分|最高不超过(?:该项)?满分|最高不超过(?:该项)?分值|不超过满分")
    if formula:
        higher = formula.group("how") == "完成"
        t = formula.group("t1") or formula.group("t2")
        unit = _unit(formula.group("u1") or formula.group("u2"))
        target = None if t == "目标值" else D(t)
        if target is None:
            unit = "%"
    else:
        target, unit, higher, _incl, tm = _target_clause(r)
        if tm is None:
            target, unit, found = _stated_target(r)
            if not found:
                target, unit, higher = _bare_target(r)
            if target is None:
                r.note("未写明目标值，按计划目标计", 0.9)
                unit = "%"
        if re.search(r"目标值?÷[^，；=]*?实际", s):
            higher = False
    try:
        return R.Proportional(target=target, unit=unit or "", higher_is_better=higher, cap=cap)
    except R.RuleError as e:
        raise _NotARule(str(e)) from None


_RANGE_BAND = re.compile(
    rf"(?P<a>{NUM})(?P<au>{_UNIT})(?P<am>（含）|（不含）)?(?:-|至|到)(?P<b>{NUM})(?P<bu>{_UNIT})(?P<bm>（含）|（不含）)?(?:之间)?(?:的|者)?(?:，)?{_pts_rx('r')}"
)
_OPEN_BAND = re.compile(rf"{_COND}(?:的|者)?(?:，)?{_pts_rx('o')}")


def _bands(r: _Read) -> R.Rule | None:
    s = r.s
    found: list[
        tuple[int, R.Band, bool, bool, str]
    ] = []  # (start, band, explicit lower, explicit upper, unit)
    ranges = list(_RANGE_BAND.finditer(s))
    taken = [m.span() for m in ranges]
    for m in ranges:
        p = _points_of(m, "r")
        lo, hi = D(m.group("a")), D(m.group("b"))
        if lo > hi:
            lo, hi = hi, lo
        band_points = _full(r, p)
        found.append(
            (
                m.start(),
                R.Band(lo, hi, band_points, m.group("am") != "（不含）", m.group("bm") == "（含）"),
                m.group("am") is not None,
                m.group("bm") is not None,
                _unit(m.group("au") or m.group("bu")),
            )
        )
    for m in _OPEN_BAND.finditer(s):
        if any(a <= m.start() < b for a, b in taken) or m.group("tgt"):
            continue
        d = _direction(m.group("pre"), m.group("post"))
        if d is None:
            raise _NotARule(f"“{m.group(0)}”的方向前后矛盾")
        if not m.group("pre") and not m.group("post"):
            continue
        p = _points_of(m, "o")
        v = D(m.group("num"))
        band = R.Band(v, None, _full(r, p), d[1], False) if d[0] else R.Band(None, v, _full(r, p), True, d[1])
        explicit = m.group("pre") in _HIGH_EXC + _LOW_EXC or m.group(
            "post",
        ) in ("及以上", "及以下")
        found.append((m.start(), band, explicit, explicit, _unit(m.group("unit"))))
        taken.append(m.span())
    if not found:
        return None
    units = {u for *_, u in found if u}
    if len(units) > 1:
        raise _NotARule(f"各分段的单位不一致：{'、'.join(sorted(units))}")
    if all(f[1].points == 0 for f in found):
        raise _NotARule("只写明了不得分的情形，未写明如何得分")
    for a, b in taken:
        r.used.append((a, b))
    found.sort(key=lambda f: f[0])
    bands = [f[1] for f in found]
    bands = _settle_bounds(r, bands, [(f[2], f[3]) for f in found])
    unit = units.pop() if units else ""
    r.find(r"(?:其他|其余|其它)(?:情况)?的?(?:不得分|得0分)|否则不得分")
    try:
        rule = R.Bands(bands=tuple(bands), unit=unit)
    except R.RuleError as e:
        raise _NotARule(str(e)) from None
    return rule


def _full(r: _Read, p: Decimal | str | None) -> Decimal:
    if p == "full":
        if r.points is None:
            raise _NotARule("分段中写了“满分”，但缺少该项分值")
        return r.points
    return p  # type: ignore[return-value]


def _settle_bounds(r: _Read, bands: list[R.Band], explicit: list[tuple[bool, bool]]) -> list[R.Band]:
    """Where two bands claim the same bound and neither says 含/不含, the bound goes to the band
    worth more (in the unit's favour)."""
    out = list(bands)
    for i in range(len(out)):
        for j in range(len(out)):
            a, b = out[i], out[j]
            if i == j or a.upper is None or b.lower is None or a.upper != b.lower:
                continue
            if not (a.upper_inclusive and b.lower_inclusive):
                continue
            # a = [.., x], b = [x, ..]: both claim x
            a_exp, b_exp = explicit[i][1], explicit[j][0]
            if a_exp and not b_exp:
                out[j] = R.Band(b.lower, b.upper, b.points, False, b.upper_inclusive)
            elif b_exp and not a_exp:
                out[i] = R.Band(a.lower, a.upper, a.points, a.lower_inclusive, False)
            elif a.points >= b.points:
                out[j] = R.Band(b.lower, b.upper, b.points, False, b.upper_inclusive)
                r.note(f"{R.format_number(a.upper)}同属两档，按得分较高的一档计")
            else:
                out[i] = R.Band(a.lower, a.upper, a.points, a.lower_inclusive, False)
                r.note(f"{R.format_number(a.upper)}同属两档，按得分较高的一档计")
    return out


def _threshold(r: _Read, bands: R.Bands) -> R.Rule | None:
    """A single open band worth the item's points, plus what happens otherwise, is a threshold."""
    nonzero = [b for b in bands.bands if b.points > 0]
    zero = [b for b in bands.bands if b.points == 0]
    if len(nonzero) != 1 or len(zero) > 1:
        return None
    b = nonzero[0]
    if b.lower is not None and b.upper is not None:
        return None
    if r.points is None or b.points != r.points:
        return None
    if zero:
        z = zero[0]
        # the failing band must be exactly the complement
        if b.lower is not None and not (
            z.upper == b.lower and z.lower is None and z.upper_inclusive != b.lower_inclusive
        ):
            return None
        if b.upper is not None and not (
            z.lower == b.upper and z.upper is None and z.lower_inclusive != b.upper_inclusive
        ):
            return None
    higher = b.lower is not None
    return R.Threshold(
        target=b.lower if higher else b.upper,
        unit=bands.unit,
        higher_is_better=higher,
        inclusive=b.lower_inclusive if higher else b.upper_inclusive,
    )


def _plain_threshold(r: _Read) -> R.Rule | None:
    target, unit, higher, inclusive, tm = _target_clause(r)
    if tm is None:
        return None
    partial = None
    if not r.find(r"(?:，)?(?:否则|未达到的?|未达标的?|不达标的?|未完成的?)(?:不得分|得0分|不计分)"):
        pm = r.find(rf"(?:，)?(?:否则|未达到的?|未达标的?|不达标的?|未完成的?)得(?P<k>{NUM})分")
        if pm:
            partial = D(pm.group("k"))
        else:
            r.note("未写明未达到时的得分，按不得分理解", 0.9)
    try:
        return R.Threshold(
            target=target,
            unit=unit if unit is not None else "%",
            higher_is_better=higher,
            inclusive=inclusive,
            partial=partial,
        )
    except R.RuleError as e:
        raise _NotARule(str(e)) from None


def _read_body(r: _Read) -> R.Rule | None:
    for reader in (
        _veto,
        _deduction,
        _bonus,
        _qualitative,
        _rank,
        _improvement,
        _checklist,
        _linear,
        _interpolation,
        _proportional,
    ):
        rule = reader(r)
        if rule is not None:
            return rule
    # Bands or a threshold: the sentence's open and closed ranges.
    probe = _Read(r.s, r.points)
    try:
        bands = _bands(probe)
    except _NotARule:
        bands = None
        if not _OPEN_BAND.search(r.s) and not _RANGE_BAND.search(r.s):
            raise
    if isinstance(bands, R.Bands):
        simple = _Read(r.s, r.points)
        t = _plain_threshold(simple)
        th = _threshold(probe, bands)
        if t is not None and (len(bands.bands) == 1 or th is not None) and not simple.leftover_digits():
            r.used, r.notes, r.confidence = simple.used, simple.notes, simple.confidence
            return t
        if th is not None:
            r.used, r.notes, r.confidence = probe.used, probe.notes, probe.confidence
            return th
        r.used, r.notes, r.confidence = probe.used, probe.notes, probe.confidence
        return bands
    return _plain_threshold(r)


def read_criterion(text: str, points: Decimal | None = None) -> Reading:
    """Read a 评分标准 sentence (with the item's 分值 when known) into a rule."""
    if points is not None:
        points = Decimal(points)
        if points == 0:
            points = None  # an item without points (a veto, or not yet given): 满分 is unknown
    raw = _tidy(text)
    if not raw:
        return Reading(None, 0.0, ("评分标准为空",))
    body, extra = _suffixes(raw)
    r = _Read(normalise(body), points)
    try:
        rule = _read_body(r)
    except _NotARule as e:
        return Reading(None, 0.0, (e.note,))
    except R.RuleError as e:
        return Reading(None, 0.0, (f"读出的参数无效：{e}",))
    if rule is None:
        return Reading(None, 0.0, (f"未能识别评分方法：“{text.strip()}”",))
    if extra:
        kw = {k: v for k, v in extra.items() if k != "unit"}
        if "unit" in extra and hasattr(rule, "unit"):
            kw["unit"] = extra["unit"]
        try:
            rule = _replace(rule, **kw)
        except R.RuleError as e:
            return Reading(None, 0.0, (f"读出的参数无效：{e}",))
    left = r.leftover()
    scoring = re.findall(r"[^，；]*(?:扣|加|得)\d+(?:\.\d+)?分[^，；]*", left)
    if scoring:
        bits = "、".join(f"“{b}”" for b in scoring)
        return Reading(None, 0.0, (f"评分标准中有未能理解的计分规定：{bits}，请手工设置评分规则",))
    if re.search(r"\d", left):
        bits = "、".join(f"“{b}”" for b in re.findall(r"[^，；]*\d[^，；]*", left))
        r.note(f"未能理解：{bits}", 0.5)
    if points is not None:
        for p in rule.problems(points):
            r.note(p, 0.7)
    return Reading(rule, round(r.confidence, 2), tuple(r.notes))


def _replace(rule: R.Rule, **kw) -> R.Rule:
    d = rule.to_dict()
    d.update({k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()})
    return R.rule_from_dict(d)
