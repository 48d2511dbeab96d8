"""Quantity mentions in health-work documents: every number that states an amount, a rate, a target
or a change, as the annotation spec (shared/spec/annotation.md) defines a fact.

This module owns the *reading in context*: finding numerals in running text (one precompiled
pattern, one pass), telling quantities from the many numerals that are not (years and dates,
document numbers, ordinals, section numbers, slogans and codes in quotes, names, enumerators
一是/二是, qualifiers inside a noun phrase such as 65周岁以上老年人, 一 used as an article,
negations, labels, ratios), then giving each quantity its unit, comparator, role, direction and
indicator phrase. Numeral values come from `numbers.py`.

Public:
    extract_facts(text, *, kind="summary") -> list[Fact]
    malformed_numbers(text) -> list[Defect]   (88.1%%, 份10.85%, 67356人次数, 1400名例)
"""

from __future__ import annotations

import re

from .model import Defect, Fact
from .numbers import CN_BIG_UNITS, CN_DIGITS, NUMERAL_CHARS, parse_fraction, parse_number, to_halfwidth

# --------------------------------------------------------------------------- units

# surface form -> unit as reported. Longest forms are tried first.
_UNIT_TABLE: dict[str, str] = {}


def _units(canonical: str, *surfaces: str) -> None:
    for s in surfaces or (canonical,):
        _UNIT_TABLE[s] = canonical


_units("%", "%", "％", "个百分比")
_units("‰", "‰")
_units("1/万", "‱", "/万", "1/万")
_units("1/10万", "/10万", "1/10万", "/十万", "1/十万", "/100000")
_units("百分点", "百分点", "个百分点")
_units("千分点", "千分点", "个千分点")  # change in a ‰ rate: 比上年下降0.4个千分点
# money
_units(
    "元", "元", "圆", "块", "块钱", "元钱", "元整", "圆整", "元正", "圆正", "元人民币", "人民币", "人民币元"
)
_units("美元", "美元", "美金", "美圆", "美刀")
_units("港元", "港元", "港币")
_units("日元", "日元", "日圆")
_units("台币", "台币", "新台币")
for _c in ("欧元", "英镑", "韩元", "澳元", "卢布", "泰铢", "瑞士法郎", "奈拉", "比特币", "法郎", "加元"):
    _units(_c)
_units("比特币", "个比特币")
# measures
for _c in (
    "千克",
    "公斤",
    "克",
    "毫克",
    "微克",
    "斤",
    "吨",
    "米",
    "千米",
    "公里",
    "厘米",
    "公分",
    "毫米",
    "平方米",
    "平方公里",
    "平方千米",
    "立方米",
    "亩",
    "公顷",
    "升",
    "毫升",
    "千卡",
    "大卡",
    "千瓦",
    "千瓦时",
    "赫兹",
    "比特",
    "字节",
    "兆字节",
    "度",
    "摄氏度",
    "华氏度",
    "℃",
    "℉",
    "倍",
):
    _units(_c)
_units("℃", "°C", "°c", "摄氏")
_units("℉", "°F", "°f")
for _a, _c in (
    ("cm", "厘米"),
    ("CM", "厘米"),
    ("mm", "毫米"),
    ("km", "千米"),
    ("KM", "千米"),
    ("kg", "千克"),
    ("KG", "千克"),
    ("mg", "毫克"),
    ("ml", "毫升"),
    ("mL", "毫升"),
    ("m", "米"),
    ("g", "克"),
):
    _units(_c, _a)
# time
for _c in (
    "年",
    "周",
    "天",
    "日",
    "小时",
    "分钟",
    "秒",
    "季度",
    "学时",
    "课时",
    "工作日",
    "周岁",
    "岁",
    "星期",
    "年度",
):
    _units(_c)
_units("月", "个月", "月")
_units("小时", "个小时")
_units("季度", "个季度")
_units("工作日", "个工作日")
_units("星期", "个星期")
# counts: measure words as written
_MEASURES = (
    "个 人 人次 人日 例 例次 名 位 家 家次 所 张 床 项 件 份 次 场 场次 期 批 批次 类 种 病种 条 户 户次 对 台 "
    "台次 套 部 篇 则 本 册 轮 起 支 队 组 处 单 间 管 层 栋 幢 座 辆 艘 架 架次 枚 剂 剂次 针 盒 瓶 袋 片 粒 "
    "只 双 株 棵 根 首 章 节 课 堂 方面 区 县 乡 镇 村 乡镇 街道 省 市 分 折 成 打 单位 床日 车次 "
    "人份 张床 余人 万人"
).split()
for _c in _MEASURES:
    if _c not in _UNIT_TABLE:
        _units(_c)
_UNIT_TABLE["张床"] = "张"
del _UNIT_TABLE["余人"], _UNIT_TABLE["万人"]
# bracketed alternatives and garbled forms, folded to the intended unit
_units("人次", "人（户）次", "人(户)次", "人（次）", "人(次)", "人次数")
_units("户次", "户（次）", "户(次)", "户次数")
_units("例次", "例次数")
_units("家次", "家（次）", "家(次)")
_units("例", "名例")
_units("单位", "血量单位", "治疗单位")

_PHYSICAL = {
    "元",
    "美元",
    "港元",
    "日元",
    "台币",
    "欧元",
    "英镑",
    "韩元",
    "澳元",
    "卢布",
    "泰铢",
    "瑞士法郎",
    "奈拉",
    "比特币",
    "法郎",
    "加元",
    "千克",
    "克",
    "毫克",
    "微克",
    "斤",
    "吨",
    "米",
    "千米",
    "厘米",
    "毫米",
    "平方米",
    "平方公里",
    "平方千米",
    "立方米",
    "亩",
    "公顷",
    "升",
    "毫升",
    "千卡",
    "千瓦",
    "千瓦时",
    "赫兹",
    "比特",
    "字节",
    "兆字节",
    "度",
    "摄氏度",
    "华氏度",
    "℃",
    "℉",
    "%",
    "‰",
    "1/万",
    "1/10万",
    "百分点",
    "千分点",
    "倍",
    "折",
    "成",
}
_RATE_UNITS = {"%", "‰", "1/万", "1/10万", "百分点", "千分点", ""}
_AGE_TIME_QUALIFIERS = {"岁", "周岁", "小时", "分钟"}  # 65周岁以上老年人, 24小时应急响应
_DATE_UNITS = {"月", "日"}


def _unit_alternation() -> str:
    forms = sorted(_UNIT_TABLE, key=len, reverse=True)
    parts = []
    for f in forms:
        p = re.escape(f)
        if f in ("百分点", "个百分点", "千分点", "个千分点"):
            p = "[ \\t]*".join(re.escape(c) for c in f)
        if f.isascii() and f.isalpha():
            p += "(?![A-Za-z])"
        parts.append(p)
    return "|".join(parts)


# --------------------------------------------------------------------------- the one pattern

# 千 before 米/克/瓦/卡 is the unit's prefix (12千米 is 12 千米), not a place value.
_CN = "(?:[" + NUMERAL_CHARS.replace("千", "") + "]|千(?![米克瓦卡]))"
# Atomic groups: a run of digits is read one way only, so a long digit string cannot make the
# pattern backtrack through every way of splitting it.
_AR = r"(?>(?>\d{1,3}(?:,\d{3})+(?!\d)|\d++)(?:\.\d++)?|(?<![\d.])\.\d++)(?>[eE][+-]?\d++(?![A-Za-z\d]))?"
_ATOM = f"(?:{_AR}|{_CN})"
_JOIN = f"(?:[ \\t]*点[ \\t]*|个(?=[万亿])|[ \\t]+(?={_CN})|(?<=[{NUMERAL_CHARS}])[ \\t]+(?=\\d))"
_NUMERAL = f"{_ATOM}(?:{_JOIN}?{_ATOM})*+"
_UNIT = _unit_alternation()
_TAIL = "及以上|及以下|以上|以下|以内|之内|左右|上下|内|多|余|强"
_RANGE = "[-~～—–至到]"

_FACT_RX = re.compile(
    f"(?=[-负零.\\d{NUMERAL_CHARS}])"
    "(?P<sign>负|零下|(?<![\\dA-Za-z.\\-])-)?"
    "(?:"
    f"(?P<fden>百|千|万|佰|仟|{_NUMERAL})[ \\t]*分[ \\t]*之[ \\t]*(?P<fnum>负?{_NUMERAL})"
    "|"
    f"(?P<num>{_NUMERAL})"
    f"(?:(?P<u1>%|‰|{_UNIT})?[ \\t]*(?P<rng>{_RANGE})[ \\t]*(?P<num2>{_NUMERAL}))?"
    ")"
    "(?P<approx>[余多])?"
    "(?P<mag>[万亿]{1,2})?"
    f"(?:[ \\t]*(?P<unit>{_UNIT}))?"
    f"(?P<tail>{_TAIL})?"
)

# Money written as yuan + jiao + fen: 五元三毛, 50元6角三分, 壹佰元零壹分, 两美元又三美分.
_SMALL_MONEY = re.compile(
    f"(?:又|零)?(?:(?P<jiao>{_NUMERAL})[角毛])?(?:零?(?P<fen>{_NUMERAL})(?:美)?分)?(?:钱)?"
)
_STANDALONE_JIAO = re.compile(
    f"负?(?P<jiao>{_NUMERAL})[角毛](?:零?(?P<fen>{_NUMERAL})分)?|负?(?P<fen2>{_NUMERAL})分"
)
_FINANCIAL = set("壹贰貳叁參肆伍陆陸柒捌玖拾佰仟")

# --------------------------------------------------------------------------- what is not a quantity

# Spans where no numeral is a quantity: dates, quoted slogans and codes, book titles, document
# numbers, URLs, e-mail, times of day and ratios.
_EXCLUDED = re.compile(
    r"(?=[\d一二三四五六七八九十〔\[【(（“‘「\"《hwA-Za-z._\-])"  # a cheap first-character gate
    r"(?:(?:19|20)\d{2}[.\-/](?:0?[1-9]|1[0-2])(?:[.\-/](?:[0-2]?\d|3[01]))?(?!\d)"
    r"|(?:19|20)\d{2}[ \t]*[-~～—–至到][ \t]*(?:19|20)?\d{2}(?=[ \t]*年|[^\d])"
    r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})[ \t]*月(?:[ \t]*(?:\d{1,2}|[一二三四五六七八九十廿卅]{1,3})[ \t]*[日号])?"
    r"|[〔\[【(（](?:19|20)\d{2}[〕\]】)）][ \t]*\d+[ \t]*号"
    r"|“[^“”\n]{1,14}”|‘[^‘’\n]{1,14}’|「[^「」\n]{1,14}」|\"[^\"\n]{1,14}\"|《[^《》\n]{1,60}》"
    r"|https?://\S+|www\.\S+|(?<![A-Za-z0-9._\-])[A-Za-z0-9._\-]+@[A-Za-z0-9.\-]+"
    r"|(?<!\d)\d++(?:[:：]\d++)+)"
)
# Fixed political and health phrases built on numerals: never quantities.
_SLOGANS = re.compile(
    r"(?=[一二三四五六七八九十两])(?:四个(?:意识|自信|全面|服务|坚持|现代化)|两个(?:维护|确立|允许|责任|一百年|毫不动摇|务必)|三个(?:代表|务必|有利于)"
    r"|一票否决|八项规定|两学一做|三严三实|三会一课|三重一大|一岗双责|一带一路|两票制|一对一|一站式|一把手|一揽子"
    r"|[一二三四五六七八九十]位一体|十[二三四五]五|三医联动|三医|两癌|两非|两孩|二孩|三孩|一孩|两会|两委|三公|"
    r"一二孩|三甲|二甲|三乙|二乙|两纲|四风|五险一金|一老一小|一人一档|一户一档|一村一|一乡一|一县一|一院一"
    r"|[一二三四五六七八九十]+次(?:全会|全体会议|党代会|代表大会)|[一二三四五六七八九十]+中全会"
    r"|[一二三四五六七八九十]年(?:行动|计划|规划|攻坚|建设|实施|工程))"
)
_ARTICLE_ONE_FOLLOWERS = set("切些直定致起般样律体线流道同旦度向贯举再并手心键网码门系方步带级揽把")
_ONE_COMPOUND_BEFORE = set("统唯同专万不之逐单划均进合如归第其初周星礼某任")
_BOUNDARY_AFTER = set("，。；、！？,;!?：:）)」』”’》 \t\n\r这那不而却和与及或")
_BOUNDARY_BEFORE = set("，。；、！？,;!?：:（(「『“‘《 \t\n\r是为有")
_PUNCT_AFTER = set("，。；！？,;!?：:）)」』”’》 \t\n\r、")
_OPEN_QUOTES = set("“‘「『《\"'")
_SECTION_AFTER = set("、.．)）")

# --------------------------------------------------------------------------- comparators, roles

_CMP_LEFT = [
    (
        re.compile(
            r"(?:不少于|不低于|不小于|至少|最少|起码|达到或超过)(?:配备|设置|开展|保持|有|达到|达|为|每[^，。；,;\d]{1,4})?$"
        ),
        ">=",
    ),
    (
        re.compile(
            r"(?:不超过|不高于|不大于|不多于|最多(?!时)|最高|上限|封顶|控制在|最长)[^，。；,;时]{0,6}$"
        ),
        "<=",
    ),
    (re.compile(r"(?:逾|超过|超|多于|高于|大于)$"), ">"),
    (re.compile(r"(?:低于|不足|不到|少于|小于|未满|不满)$"), "<"),
    (
        re.compile(
            r"(?:(?<![签节预制公条契合婚邀相特履守违])约|大约|(?<![最附邻接就])近|将近|接近|约为|大概|估计)(?:有|为|达)?$"
        ),
        "~",
    ),
]
# Any of the above: most figures have no comparator word, and one search tells so.
_CMP_LEFT_ANY = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in _CMP_LEFT))
_CMP_TAIL = {
    "以上": ">=",
    "及以上": ">=",
    "以下": "<=",
    "及以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "内": "<=",
    "多": ">",
    "余": ">",
    "强": ">",
    "左右": "~",
    "上下": "~",
}
_CHANGE_VERB = re.compile(
    r"(?P<verb>增长|增加|提高|上升|提升|增幅|涨幅|下降|减少|降低|降幅|回落|减|降|增|多|少)"
    r"(?:了|幅度)?(?:为|达到|达)?[份个]?[ \t]*$"
)
_CHANGE_OBJECT = re.compile(
    r"(增加|减少|降低|节约|节省|下降|提高|增长)(?![率幅速])[^\d，。；,;到至为达：:]{1,10}$"
)
_CHANGE_NOT = re.compile(r"(?:新增|新|增设|增补|减免)$")
_UP_VERBS = ("增", "提", "上", "涨", "多")
_SHARE = re.compile(r"占")
_TARGET_MARKS = re.compile(
    r"力争|确保|力求|计划(?!生育|免疫)|预计|可获|要占|要达|要求|目标(?:是|为|任务是)|争取到|争取在|到20\d\d年|将达到|将实现"
)
_EXISTING = re.compile(r"已建成|已有|已经|目前已|现已|现有|原有|(?<![新])共有|在建|继续加强|继续办好")
_FUTURE_HEADING = re.compile(
    r"(?:^|[。\n]\s*)(?:[一二三四五六七八九十]+、|\d+[.、]|（[一二三四五六七八九十]+）)?[ \t]*"
    r"(?:(?:20\d\d[ \t]*年|明年)[^。，,；;\n]{0,14}?(?:工作|任务)?(?:计划|打算|思路|安排|重点|要点|目标)"
    r"|下一步(?:工作)?(?:计划|打算|安排|思路|重点)?)[:：]?(?=[ \t\u3000]|$|\n)",
    re.M,
)
_CLAUSE_DELIMS = "，。；！？,;!?\n：:"
_SENTENCE_DELIMS = "。；！？;!?\n"
_CMP_DELIMS = _CLAUSE_DELIMS + "、（("  # a comparator word sits in the same list item
_ROLE_DELIMS = _CLAUSE_DELIMS + "、"
_INDICATOR_LEFT_DELIMS = _CLAUSE_DELIMS + "、（(）)"
_INDICATOR_RIGHT_DELIMS = _CLAUSE_DELIMS + "、（("
_LEAD_WORDS = (
    "全市 全区 全县 全省 全镇 我市 我区 我县 我委 全年 今年 去年 上年 当年 本年度 年度 其中 同时 并 共 共有 累计 已 现 "
    "目前 分别 各 均 全部 总计 合计 另 又 还 再 以及 和 及 通过 对 力争 确保 力求 争取 年底前 年内 截至目前 截至 截止 "
    "过去一年 全乡 全州 全旗 我乡 我镇 本市 本区 本县 本镇 本乡 辖区内 辖区 区域内"
).split()
# Time and aim words open a clause without naming what is measured: 2024年全县…, 力争到2025年底…
_INDICATOR_LEAD = re.compile(
    "^(?:(?:到|至|截至|截止)?(?:19|20)\\d\\d年(?:底|末|年底|年末|度)?(?:前)?|(?:共|累计)?完成(?!率|情况)"
    "|以[^，。；,;]{1,8}为单位|" + "|".join(sorted(_LEAD_WORDS, key=len, reverse=True)) + ")+"
)
# Section numbers and punctuation before a phrase; digits that qualify the noun (65岁及以上) stay.
_NON_WORD_LEAD = re.compile(
    r"^(?:[^\u4e00-\u9fffA-Za-zⅠ-Ⅻ“\d]"
    r"|\d+(?:\.\d+)?(?![\d.]*(?:[-~～至]\d+)?(?:岁|周岁|月龄|周龄))(?:[.．、)）]|[个家名位所张项件份次场批类种条户台月年日号])?)+"
)
_TRAIL_WORDS = (
    "分别为 分别达到 分别达 分别 达到了 达到 保持在 稳定在 控制在 提高到 提高至 下降到 降至 增至 增长到 上升到 "
    "下降至 降低到 降低至 减少到 减少至 上升至 提升到 提升至 增加到 增加至 "
    "共计 合计 累计 总数为 总数达 总计 为 是 达 共 近 逾 超过 超 有 了 至 到 计 在 的 获 获得 居 "
    "不少于 不低于 不超过 不高于 低于 高于 最高 最低 上限 同比 环比 比上年 较上年 比去年 较去年 比上年度 较上年度"
).split()
# A change verb ends the phrase but is not what is measured (居民健康素养水平提高2个百分点).
_CHANGE_TRAIL = "增长 增加 提高 提升 上升 下降 降低 减少".split()
_INDICATOR_TRAIL = re.compile(
    "(?:"
    + "|".join(_TRAIL_WORDS + _CHANGE_TRAIL)
    + "|(?<![签节预制公条契合婚邀相特履守违])约"  # 约 = about, but not in 签约, 预约, 节约
    + "|[比较][ \\t]*(?:19|20)\\d\\d[ \\t]*年(?:底|末|同期)?"
    + ")+$"
)
# A trail can only be there when the phrase ends the way one of its words ends.
_TRAIL_LAST_CHARS = tuple({w[-1] for w in _TRAIL_WORDS + _CHANGE_TRAIL} | {"约", "年", "底", "末", "期"})


# Small patterns used on the window around each figure (compiled once, not looked up per call).
_TO_END = re.compile(r"(?:到|至)[ \t]*$")
_COMPARED_END = re.compile(r"比[^，。；,;]{0,12}(?:多|少)$")
_WHOLE_AREA_END = re.compile(r"(?:全市|全区|全县|全省|全镇)[ \t]*$")
_LISTED_PLACE_END = re.compile(r"、[\u4e00-\u9fff]{1,4}$")
_LINK_LEAD = re.compile(r"^(?:的|之|，)+")
_SHORT_WORD = re.compile(r"[\u4e00-\u9fff]{1,4}")
_LEADING_ZERO = re.compile(r"0\d")
_ENUMERATOR_AT = re.compile(r"[ \t]*[是要则来]")
_YEARS_IN_BRACKETS_AT = re.compile(r"[ \t]*[（(][ \t]*(?:19|20)\d\d")
_PLACE_VALUE = re.compile("[十拾百佰千仟万亿点]")
_JIAO_FEN_AT = re.compile(f"零?[{NUMERAL_CHARS}]+[角毛分]")
_PER_POPULATION = re.compile(r"[ \t]*[万亿]?(?:常住|户籍|服务|总)?人口")
_CAP_END = re.compile(r"(?:最高|上限|封顶)[^，。；,;]{0,6}$")


_DELIM_RX: dict[str, re.Pattern] = {}  # one character class per delimiter set


def _delims_rx(delims: str) -> re.Pattern:
    rx = _DELIM_RX.get(delims)
    if rx is None:
        rx = _DELIM_RX[delims] = re.compile("[" + re.escape(delims) + "]")
    return rx


def _clause_start(d: _Doc, i: int, delims: str, limit: int = 80) -> int:
    """Start of the clause that holds position i: just after the last delimiter before it (at most `limit` back)."""
    lo = max(0, i - limit)
    n = len(d.t)
    # The last delimiter before i is the first one met reading the reversed text from i backwards;
    # the search looks at no more than `limit` characters.
    m = _delims_rx(delims).search(d.rev, n - i, n - lo)
    return n - m.start() if m else lo


def _clause_end(d: _Doc, i: int, delims: str, limit: int = 60) -> int:
    """Position of the first delimiter at or after i (at most `limit` on)."""
    m = _delims_rx(delims).search(d.t, i, i + limit)
    return m.start() if m else min(len(d.t), i + limit)


def _is_year(v: float, s: str) -> bool:
    s = s.strip()
    return v.is_integer() and 1900 <= v <= 2100 and (len(s) == 4 or all(c in CN_DIGITS for c in s))


def _digit_by_digit(s: str) -> bool:
    """A run of Chinese digits with no place value (一七二零): a number only when clearly meant as one."""
    core = s.replace(" ", "").replace("\t", "").replace("负", "")
    core = core.split("点")[0]
    return len(core) >= 2 and all(c in CN_DIGITS for c in core)


def _value_of(num: str) -> float | None:
    return parse_number(num)


# --------------------------------------------------------------------------- the extractor


class _Doc:
    """Per-call state: the half-width copy, excluded spans, future zone start."""

    __slots__ = ("raw", "t", "rev", "excluded", "kind", "future_from", "plan_year", "past_zones")

    def __init__(self, text: str, kind: str) -> None:
        self.raw = text
        self.t = to_halfwidth(text)
        self.rev = self.t[::-1]  # for finding the start of a clause (see _clause_start)
        n = len(text)
        ex = bytearray(n)
        for m in _EXCLUDED.finditer(self.t):
            s, e = m.span()
            g = m.group()
            if g[0] in '“‘「"':
                inner = g[1:-1].strip()
                # “一”和“五”: a single digit in quotes is the digit itself.
                if len(inner) == 1 and inner in CN_DIGITS and inner not in "零〇两":
                    continue
            ex[s:e] = b"\x01" * (e - s)
        for m in _SLOGANS.finditer(self.t):
            s, e = m.span()
            ex[s:e] = b"\x01" * (e - s)
        self.excluded = ex
        self.kind = kind
        self.future_from = n + 1
        # The year a plan is for, from its title (2025年…工作要点): earlier years are the past.
        py = _PLAN_YEAR.search(self.t, 0, 300)
        self.plan_year = int(py.group(1)) if py else 0
        # A plan's section that reviews the year behind it (一、2024年工作回顾, 工作基础) reports
        # results, up to the next heading numbered the same way.
        self.past_zones: list[tuple[int, int]] = []
        if kind != "summary":
            for hm in _REVIEW_HEADING.finditer(self.t):
                nxt = _NEXT_HEADING[hm.group("num")[0] in "（("].search(self.t, hm.end())
                self.past_zones.append((hm.end(), nxt.start() if nxt else n))
        if kind != "plan":
            for m in _FUTURE_HEADING.finditer(self.t):
                # A title such as “2018年总结及2019年工作要点” at the very top is not the plan part.
                if m.start() > 200:
                    self.future_from = m.start()
                    break


def _fact_unit(unit_s: str | None) -> str:
    if not unit_s:
        return ""
    key = unit_s.replace(" ", "").replace("\t", "")
    return _UNIT_TABLE.get(key, _UNIT_TABLE.get(unit_s, key))


def _left_cmp(d: _Doc, start: int) -> str:
    t = d.t
    a = _clause_start(d, start, _CMP_DELIMS, 16)
    window = t[a:start].rstrip(" \t")
    if not _CMP_LEFT_ANY.search(window):
        return "="
    for rx, c in _CMP_LEFT:
        if rx.search(window):
            return c
    return "="


# What a plan says about the past reports a result, it sets no target: 去年全县共完成…, 2024年…,
# 截至2024年底…, 一年来…; a later aim word in the sentence (今年力争…) makes it a plan again.
_PAST_CUES = re.compile(
    r"(?<![比较同于与和到至])(?:去年|上年度?|上一年)(?!同期)|过去|[一两二三四五几多\d]年来|近年来|此前|已经|已(?:完成|建成|实现|达到|达|累计|开展|投入|签约|覆盖|培训|筛查|接种|改造|新建)"
    r"|共完成|完成了|实现了|累计(?:完成|达|建成|投入|签约|服务|筛查|接种|培训|开展)|截至|截止"
    r"|(?<![比较同于与和到至\d])(?P<year>(?:19|20)\d\d)[ \t]*年(?![前内起后以初])"
)
_AIM_CUES = re.compile(
    r"力争|确保|力求|争取|计划(?!生育|免疫)|预计|目标|今年|明年|本年|年底前|年内|到(?:20\d\d|年底)|(?<![即])将(?!近)|(?<![主重需纲摘概只])要(?!求)|必须|需(?!求|要)"
)
_REVIEW_HEADING = re.compile(
    r"^[ \t\u3000]*(?P<num>[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])[ \t]*"
    r"[^\n。；]{0,16}(?:工作回顾|回顾|工作基础|发展基础|主要成效|取得的成效|工作成效|进展情况|基本情况|现状|工作总结)"
    r"[^\n。；]{0,6}$",
    re.M,
)
# The next heading of the same ladder as a review heading (一、 or （一）) ends its zone.
_NEXT_HEADING = {
    False: re.compile(r"\n[ \t\u3000]*[一二三四五六七八九十]+、"),
    True: re.compile(r"\n[ \t\u3000]*[（(][一二三四五六七八九十]+[）)]"),
}
_PLAN_YEAR = re.compile(r"((?:19|20)\d\d)[ \t]*年[^。\n]{0,24}?(?:工作)?(?:要点|计划|安排|任务|目标)")


def _about_the_past(d: _Doc, start: int) -> bool:
    """In a plan: does the sentence, up to this figure, speak of what has been done?"""
    t = d.t
    for a, b in d.past_zones:
        if a <= start < b:
            return True
    s0 = _clause_start(d, start, "。！？!?\n", 160)
    seg = t[s0:start]
    if _AIM_CUES.search(seg):
        return False
    for m in _PAST_CUES.finditer(seg):
        y = m.group("year")
        if y is None or (d.plan_year and int(y) < d.plan_year):
            return True
    return False


_PLACE_UNITS = {"区", "县", "市", "镇", "乡", "村", "乡镇", "街道", "省"}
_NOW = re.compile(r"实际|目前|现[^代在行]|已")


def _role(d: _Doc, start: int, end: int, unit: str, prev: dict | None) -> tuple[str, str | None]:
    t = d.t
    c0 = _clause_start(d, start, _ROLE_DELIMS, 40)
    left = t[c0:start]
    s0 = _clause_start(d, start, _SENTENCE_DELIMS, 160)
    sentence_left = t[s0:start]
    role, direction = "actual", None
    m = _CHANGE_VERB.search(left)
    if m and not _CHANGE_NOT.search(left[: m.start()] + m.group("verb")[:1]) and not _TO_END.search(left):
        verb = m.group("verb")
        if verb in ("多", "少") and not _COMPARED_END.search(left.rstrip(" \t")):
            pass
        else:
            role, direction = "change", ("up" if verb.startswith(_UP_VERBS) else "down")
    elif prev is not None and t[prev["end"] : start].strip(" \t") in ("、", "和", "及", ",", "，"):
        role, direction = prev["role"], prev["direction"]
    if role == "actual":
        mo = _CHANGE_OBJECT.search(left)
        if mo and not _CHANGE_NOT.search(left[: mo.start() + 1]):
            role, direction = "change", ("up" if mo.group(1).startswith(_UP_VERBS) else "down")
    if role == "actual" and _SHARE.search(left):
        role = "share"
    plan_zone = d.kind == "plan" or start >= d.future_from
    if plan_zone:
        wide = t[_clause_start(d, start, _CLAUSE_DELIMS, 60) : start]
        ce = _clause_end(d, end, _CLAUSE_DELIMS, 12)
        existing = (
            _EXISTING.search(wide)
            or _EXISTING.search(t[end:ce])
            # 全市10个县, 梅列、三元两区: the figure describes what exists, it is not a goal
            or _WHOLE_AREA_END.search(left)
            or (unit in _PLACE_UNITS and _LISTED_PLACE_END.search(wide))
        )
        if not existing and not _about_the_past(d, start):
            role, direction = "target", None
    elif _TARGET_MARKS.search(sentence_left) and not _NOW.search(
        t[_clause_start(d, start, _CLAUSE_DELIMS, 60) : start]
    ):
        role, direction = "target", None
    return role, direction


# 床位数同比增长1.1%至6.16张: the change said just before the figure it reached is not part of
# that figure's name.
_CHANGE_BEFORE = re.compile(
    r"(?:同比|环比|比上年|较上年|比去年|较去年)?(?:增长|下降|提高|降低|上升|增加|减少|提升)了?"
    r"[0-9.]+(?:%|％|‰|个百分点|百分点)?$"
)


def _indicator(d: _Doc, start: int, end: int, unit: str) -> str:
    t = d.t
    c0 = _clause_start(d, start, _INDICATOR_LEFT_DELIMS, 40)
    # A short bracket inside a noun phrase belongs to it: 执业（助理）医师数, 试点县（市）.
    if c0 >= 2 and t[c0 - 1] in "）)":
        j = t.rfind("（" if t[c0 - 1] == "）" else "(", max(0, c0 - 10), c0 - 1)
        if j > 0 and "\u4e00" <= t[j - 1] <= "\u9fff":
            c0 = _clause_start(d, j, _INDICATOR_LEFT_DELIMS, 40)
    left = t[c0:start].strip(" \t")
    for _ in range(2):  # 1.去年全县共完成…: the section number, then the lead words
        left = _NON_WORD_LEAD.sub("", left)
        left = _INDICATOR_LEAD.sub("", left)
    if left.endswith(_TRAIL_LAST_CHARS):
        left = _INDICATOR_TRAIL.sub("", left)
    left = _CHANGE_BEFORE.sub("", left)
    ce = _clause_end(d, end, _INDICATOR_RIGHT_DELIMS, 30)
    right = t[end:ce].strip(" \t")
    right = _LINK_LEAD.sub("", right)
    if unit in _RATE_UNITS or not right:
        return left[-24:]
    # 培训100名基层中医康复人员 → the verb before and the noun after
    return (left + right)[:30] if len(left) < 12 else left[-24:]


def _emit(
    d: _Doc, out: list[Fact], start: int, end: int, value: float, unit: str, cmp_: str, prev: dict | None
) -> dict:
    role, direction = _role(d, start, end, unit, prev)
    f = Fact(
        text=d.raw[start:end],
        value=float(value),
        unit=unit,
        cmp=cmp_,
        role=role,
        direction=direction,
        indicator=_indicator(d, start, end, unit),
        start=start,
        end=end,
    )
    out.append(f)
    return {"end": end, "role": role, "direction": direction}


def _money_tail(t: str, pos: int, base: float) -> tuple[float, int]:
    m = _SMALL_MONEY.match(t, pos)
    if not m or m.end() == pos:
        return base, pos
    extra = 0.0
    if m.group("jiao"):
        j = parse_number(m.group("jiao"))
        if j is None or j >= 10:
            return base, pos
        extra += j / 10
    if m.group("fen"):
        f = parse_number(m.group("fen"))
        if f is None or f >= 100:
            return base, pos
        extra += f / 100
    if not extra and not m.group().endswith("钱"):
        return base, pos
    return base + (extra if base >= 0 else -extra), m.end()


def extract_facts(text: str, *, kind: str = "summary") -> list[Fact]:
    """Every quantity mention in `text`, in order of appearance.

    `kind` is the document kind ("plan", "summary", "mixed"): in a plan, figures are targets unless
    the text says they already exist; in a summary or mixed document the part after a heading for
    next year's work (下一步工作打算, 2019年工作要点 ...) is read as plan.
    """
    if not isinstance(text, str) or not text:
        return []
    d = _Doc(text, kind if kind in ("plan", "summary", "mixed") else "summary")
    t = d.t
    out: list[Fact] = []
    prev: dict | None = None
    pos = 0
    n = len(t)
    while pos < n:
        m = _FACT_RX.search(t, pos)
        if not m:
            break
        pos = max(m.end(), m.start() + 1)
        try:
            got = _judge(d, m)
        except (ValueError, OverflowError, ZeroDivisionError):  # pragma: no cover - defensive
            got = None
        if got == "retry":
            # 队伍57支: a word character (伍) was taken for a numeral; read again one character on.
            pos = m.start() + 1
            continue
        if not got:
            continue
        new_pos = got.pop()
        if isinstance(new_pos, int) and new_pos > pos:
            pos = new_pos
        for start, end, value, unit, cmp_ in got:
            if 0 <= start < end <= n and value == value and abs(value) != float("inf"):
                prev = _emit(d, out, start, end, value, unit, cmp_, prev)
    _share_list_context(d, out)
    _indicator_context(d, out)
    return out


_LIST_JOIN = re.compile(r"^[ \t]*(?:、|和|及|与|,|，)[ \t]*$")


def _share_list_context(d: _Doc, facts: list[Fact]) -> None:
    """Figures listed together share what is said once for the list:
    分别要占到15%、10%以上 (以上 covers both); 不少于20个专业250个病种 (不少于 covers both)."""
    t = d.t
    for i in range(1, len(facts)):
        a, b = facts[i - 1], facts[i]
        between = t[a.end : b.start]
        if b.cmp == "=" and a.cmp in (">=", "<=") and a.unit != b.unit or b.cmp != "=" or a.cmp == "=":
            pass
        elif len(between) <= 4 and _SHORT_WORD.fullmatch(between) and not _CHANGE_VERB.search(between):
            left = t[_clause_start(d, a.start, _CLAUSE_DELIMS, 20) : a.start]
            if any(rx.search(left.rstrip(" \t")) for rx, _ in _CMP_LEFT):
                b.cmp = a.cmp  # 不少于20个专业250个病种
    # a closing 以上/以下 on the last figure of a 分别 list covers the earlier ones
    i = 0
    while i < len(facts):
        j = i
        while j + 1 < len(facts) and _LIST_JOIN.match(t[facts[j].end : facts[j + 1].start]):
            j += 1
        if j > i:
            last = facts[j]
            clause = t[_clause_start(d, facts[i].start, _CLAUSE_DELIMS, 40) : facts[i].start]
            if last.cmp in (">=", "<=") and last.text.endswith(("以上", "以下", "以内")) and "分别" in clause:
                for f in facts[i:j]:
                    if f.cmp == "=" and f.unit == last.unit:
                        f.cmp = last.cmp
        i = j + 1


_RESPECTIVELY = re.compile(r"分别")
_LIST_ITEM_SPLIT = re.compile(r"[、和及与]")
_HEAD_START = re.compile(r"患者|人群|床位|医院|机构|人员")


def _indicator_context(d: _Doc, facts: list[Fact]) -> None:
    """Indicator phrases said once for several figures.

    - 孕产妇死亡率、婴儿死亡率分别为8.6/10万和2.1‰: the N items named before 分别 go one to each of
      the N figures after it; a shared head noun is given to the short items (产科、儿科床位数 →
      产科床位数, 儿科床位数).
    - 同比增长8.2%, 比上年下降0.4个千分点: a comparison that names nothing measures the figure
      before it in the same sentence.
    """
    t = d.t
    i = 0
    while i < len(facts):
        f = facts[i]
        c0 = _clause_start(d, f.start, _CLAUSE_DELIMS, 60)
        # the last 分别 before the figure in its clause
        m = next(reversed(list(_RESPECTIVELY.finditer(t, c0, f.start))), None)
        if m is None:
            i += 1
            continue
        ce = _clause_end(d, f.start, _CLAUSE_DELIMS, 80)
        group = [f]
        j = i + 1
        while j < len(facts) and facts[j].start < ce:
            group.append(facts[j])
            j += 1
        starts = sorted({g.start for g in group})
        items_text = _NON_WORD_LEAD.sub("", t[c0 : m.start()].strip(" \t"))
        items_text = _INDICATOR_LEAD.sub("", items_text)
        items = [x.strip(" \t") for x in _LIST_ITEM_SPLIT.split(items_text)]
        if len(items) == len(starts) >= 2 and all(items):
            last = items[-1]
            named = []
            for it in items[:-1]:
                head = ""
                if len(it) < len(last) - 1:
                    if last[len(it) - 1] == it[-1]:
                        head = last[len(it) :]  # 产科、儿科床位数
                    else:
                        hm = _HEAD_START.search(last)
                        if hm and hm.start() > 0:
                            head = last[hm.start() :]  # 高血压、糖尿病患者规范管理率
                        elif len(it) <= 4:
                            head = last[len(it) :]  # 城区、农村学生近视率: parallel words, same length
                named.append(it + head)
            named.append(last)
            by_start = dict(zip(starts, named, strict=True))
            for g in group:
                g.indicator = by_start[g.start][-24:]
        i = j
    for k in range(1, len(facts)):
        f, p = facts[k], facts[k - 1]
        if f.indicator or not p.indicator:
            continue
        between = t[p.end : f.start]
        if not any(c in between for c in "。！？!?\n"):
            f.indicator = p.indicator


def _judge(d: _Doc, m: re.Match) -> list | str | None:
    """Decide whether one pattern match is a quantity; returns [(start, end, value, unit, cmp)..., next_pos]."""
    t = d.t
    n = len(t)
    start, end = m.span()
    sign = m.group("sign") or ""
    num_start = m.start("fden") if m.group("fden") else m.start("num")
    if d.excluded[num_start]:
        return None
    unit_s = m.group("unit")
    tail = m.group("tail") or ""
    approx = m.group("approx") or ""
    mag = m.group("mag") or ""

    # ---- fractions: 三分之二, 百分之五十, 千分之三
    if m.group("fden"):
        fr = parse_fraction(t[m.start("fden") : m.end("fnum")])
        if fr is None:
            return "retry"
        value, unit = fr
        if sign:
            value = -value
        if unit_s and _fact_unit(unit_s) in _RATE_UNITS:
            end = m.end("unit")  # 百分之五十% — written twice; keep the span, not a second unit
        else:
            end = m.end("fnum")
        if tail in ("以上", "以下", "以内", "及以上", "及以下", "左右", "多", "余"):
            end = m.end("tail")
        cmp_ = _CMP_TAIL.get(tail) or _left_cmp(d, start)
        return [(start, end, value, unit, cmp_), end]

    num = m.group("num")
    num2 = m.group("num2")
    rng = m.group("rng")
    u1 = m.group("u1")

    # Fast path for the commonest non-quantity: a lone Chinese numeral inside a word (统一, 一是, 三医).
    if (
        len(num) == 1
        and num in NUMERAL_CHARS
        and num2 is None
        and not unit_s
        and not mag
        and not approx
        and not sign
        and end < n
        and t[end] not in _BOUNDARY_AFTER
        and t[end] not in "角毛分两"
    ):
        return None

    # Range: 5-8个, 10～20%, 3至5年. Years (2016-2018) and qualifiers (0-3岁儿童) are not quantities.
    if num2 is not None:
        v1, v2 = _value_of(num), _value_of(num2)
        if v1 is None or v2 is None:
            return (
                _single(d, m, num_override=True)
                if v1 is not None
                else ("retry" if num[0] in NUMERAL_CHARS else None)
            )
        unit = _fact_unit(unit_s or u1)
        if _is_year(v1, num) or _is_year(v2, num2) or unit in _DATE_UNITS or unit == "年" and (v1 > 100):
            return None
        if rng in "至到" and not unit_s and not u1:
            return None
        if u1 and unit_s and _fact_unit(u1) != _fact_unit(unit_s):
            # 增长1.1%至6.16张: a change and the figure it reached, not a range; each is read alone.
            first = _single(d, m, num_override=True)
            then = _FACT_RX.match(t, m.start("num2"))
            second = _judge(d, then) if then is not None else None
            if not isinstance(first, list) or not isinstance(second, list):
                return first if isinstance(first, list) else second
            return first[:-1] + second
        if v2 <= v1:
            return None
        if unit in _AGE_TIME_QUALIFIERS and not _after_is_boundary(t, m.end()):
            return None
        if _is_code_context(t, start, m.end()):
            return None
        mult = 1.0
        for c in mag:
            mult *= CN_BIG_UNITS[c]
        v1, v2 = v1 * mult, v2 * mult
        if sign == "-" or sign == "负":
            return None
        end = m.end()
        if tail and tail not in ("以上", "以下", "以内", "内", "左右", "多", "余", "及以上", "及以下"):
            end = m.end() - len(tail)
        return [(start, end, v1, unit, ">="), (start, end, v2, unit, "<="), end]

    return _single(d, m)


def _after_is_boundary(t: str, i: int) -> bool:
    return i >= len(t) or t[i] in _BOUNDARY_AFTER or t.startswith(("的", "了"), i)


def _is_code_context(t: str, start: int, end: int) -> bool:
    b = t[start - 1] if start else " "
    a = t[end] if end < len(t) else " "
    return (b.isascii() and b.isalpha()) or (a.isascii() and a.isalpha()) or b in "#№" or a == "#"


# The unit and tail after a numeral read alone (when a range reading fails).
_UNIT_TAIL_AT = re.compile(f"(?:[ \\t]*(?P<unit>{_UNIT}))?(?P<tail>{_TAIL})?")


def _single(d: _Doc, m: re.Match, num_override: bool = False) -> list | str | None:
    t = d.t
    n = len(t)
    start = m.start()
    sign = m.group("sign") or ""
    num = m.group("num")
    num_start, num_end = m.start("num"), m.end("num")
    if num_override:
        # The range reading failed (e.g. 2018-2020年 handled elsewhere); read the first numeral alone.
        unit_m = _UNIT_TAIL_AT.match(t, num_end)
        unit_s, tail, approx, mag = unit_m.group("unit"), unit_m.group("tail") or "", "", ""
        end = unit_m.end()
    else:
        unit_s = m.group("unit")
        tail = m.group("tail") or ""
        approx = m.group("approx") or ""
        mag = m.group("mag") or ""
        end = m.end()

    # A trailing 两 after a numeral is the weight unit: 三十两, 二两 (but 一两个 is “one or two”).
    if num.endswith("两") and len(num) > 1 and num.strip("两 \t") and not unit_s and not approx and not mag:
        if not _UNIT_RX_AT(t, num_end):
            num = num[:-1].rstrip(" \t")
            num_end = num_start + len(num)
            unit_s = "两"
            end = num_end + 1
            tail = ""

    value = _value_of(num)
    if value is None:
        return "retry" if num[0] in NUMERAL_CHARS and len(num) > 1 else None
    unit = _fact_unit(unit_s) if unit_s != "两" else "两"
    before = t[start - 1] if start > 0 else "\n"
    after_i = end
    after = t[after_i] if after_i < n else "\n"
    is_cn = not any(c.isdigit() for c in num)
    if is_cn and unit_s == "分" and set(num) & _FINANCIAL:
        unit = "分"
    one = is_cn and num.strip() in ("一", "壹", "幺")

    whole_text = start == 0 and end >= n
    # Money in jiao and fen written in financial numerals: 肆角叁分, 壹分, 负壹角.
    if is_cn and set(num) & _FINANCIAL and t.startswith(("角", "毛", "分"), num_end):
        sm = _STANDALONE_JIAO.match(t, num_start)
        if sm:
            j = parse_number(sm.group("jiao")) if sm.group("jiao") else 0.0
            fs = sm.group("fen") or sm.group("fen2")
            f = parse_number(fs) if fs else 0.0
            if j is not None and f is not None and j < 10 and f < 100:
                v = round(j / 10 + f / 100, 10)
                return [(start, sm.end(), -v if sign else v, "元", "="), sm.end()]
    # A lone financial numeral is an ordinary word (登陆部队, 拾起, 队伍) unless money follows.
    if len(num.strip()) == 1 and num.strip() in _FINANCIAL and not whole_text:
        if unit not in ("元", "美元", "港元", "日元", "台币") and unit_s not in ("元整", "圆整", "圆"):
            return None
    # Codes and names: B12, 5G, COVID-19, A2021..., 12320热线 (bare number glued to a word).
    if _is_code_context(t, num_start, num_end if not unit_s else end):
        # CRRT46台 counts machines; B12, 5G, COVID-19 are names
        if not (
            unit_s and (unit_s.isascii() and unit_s.isalpha() or not before.isascii() or not unit_s.isascii())
        ):
            return None
    if (before == "." and start >= 2 and t[start - 2].isdigit()) or (
        num_end < n and t[num_end] == "." and num_end + 1 < n and t[num_end + 1].isdigit()
    ):
        return None
    if not is_cn and _LEADING_ZERO.match(num.replace(" ", "")) and "." not in num:
        return None  # 0313, 012: codes, not counts
    # Ordinals and compounds: 第二届, 初一, 周三, 之一, 其二, 十三届四次全会.
    if before in "第初" or before2_in(t, start, ("星期", "礼拜", "周")) and is_cn and not unit_s:
        return None
    if before == "前" and not (
        unit in ("名", "位", "") and _after_is_boundary(t, end) or t.startswith("的", end)
    ):
        return None
    if one and before in _ONE_COMPOUND_BEFORE:
        return None
    # Enumerators and section numbers: 一是, 二是; 一、 （三） 1. at the start of a line or item.
    if is_cn and not unit_s and _ENUMERATOR_AT.match(t[num_end : num_end + 3]):
        return None
    if not unit_s and not mag and not approx and num_end < n and t[num_end] in _SECTION_AFTER:
        j = num_start - 1
        while j >= 0 and t[j] in " \t\u3000（(":
            j -= 1
        if j < 0 or t[j] in "\n。；;：:，,、!！?？" or (t[num_end] in ")）" and before in "（("):
            return None
    if before in "（(" and num_end < n and t[num_end] in ")）" and not unit_s:
        return None
    # Dates and years: 2018年, 2018年度, 二〇一八年, 3月, 17日.
    if unit in ("年", "年度") and (_is_year(value, num) or _digit_by_digit(num) or unit == "年度"):
        return None
    if not unit and not mag and not approx and _is_year(value, num) and not is_cn:
        return None
    if unit in _DATE_UNITS and unit_s in ("月", "日") and value.is_integer() and value <= 31:
        if unit_s == "日" and tail not in ("内", "以内"):
            return None
    if unit_s == "日" and not tail and not _after_is_boundary(t, end):
        return None  # 百日大会战
    if unit == "周" and t.startswith("年", end):
        return None  # 360周年: an anniversary
    if unit == "年" and _YEARS_IN_BRACKETS_AT.match(t[end : end + 8]):
        return None  # 提升工程三年（2018-2020年）: the name of a programme
    if is_cn and unit == "期" and after and "\u4e00" <= after <= "\u9fff":
        return None  # 二期主体: a phase, not a count
        if unit_s == "月":
            return None
    if unit_s == "号":
        return None
    # Digit-by-digit Chinese (一七二零) only when clearly one number; 三四级, 一两个 are not.
    if _digit_by_digit(num) and "点" not in num and not mag:
        core = num.replace(" ", "")
        if unit not in ("折",) and (len(core) < 3 or "两" in core):
            return None
    # A Chinese numeral glued into a word: 四川, 一切, 三医联动, 十八大, 六大中心, 五星.
    has_mag = any(c in CN_BIG_UNITS for c in num) and len(num.strip()) > 1
    if is_cn and not mag and not (has_mag and not unit_s and _after_is_boundary(t, end)):
        if not unit_s:
            if one and t.startswith(tuple(_ARTICLE_ONE_FOLLOWERS), num_end):
                return None
            composite = len(num.strip()) > 1 and (_PLACE_VALUE.search(num) or _digit_by_digit(num))
            if not (
                _after_is_boundary(t, end)
                and (composite or before in _BOUNDARY_BEFORE or before in _OPEN_QUOTES)
            ):
                return None
            if (num.strip() in ("两", "兩") and not whole_text) or (
                one and before not in _BOUNDARY_BEFORE and start != 0
            ):
                return None
        else:
            # 一批, 一项重要任务, 二次供水: an article or a compound, unless it stands alone or counts a
            # frequency (每季度开展一次).
            soft = one or (num.strip() in ("二", "一") and unit == "次")
            if soft and unit not in _PHYSICAL:
                if not (
                    (_after_is_boundary(t, end) and not t.startswith("的", end))
                    or (after and (after in NUMERAL_CHARS or after.isdigit()))
                ):
                    c0 = _clause_start(d, start, _CLAUSE_DELIMS, 30)
                    if not (unit == "次" and "每" in t[c0:start]):
                        return None
            if unit == "分" and not _after_is_boundary(t, end):
                return None  # 十分重视
            if unit == "元" and len(num.strip()) == 1 and not _after_is_boundary(t, end):
                if not _JIAO_FEN_AT.match(t[end : end + 6]):
                    return None  # 三元区, 梅列、三元两区: a place name
            if before == "届" or (unit == "次" and t.startswith(("全会", "会议"), end)):
                return None
    if is_cn and one and not unit_s and not mag and before in "未没无":
        return None
    # Negations: 未发生一起, 无一例.
    if one and t[max(0, start - 4) : start].endswith(("未发生", "未出现", "没有", "无", "未", "未有")):
        return None
    # 一 as an article before a time word: 一年来, 一段时间.
    if one and unit in ("年", "月", "天", "周") and t.startswith(("来", "多来", "中", "时间"), end):
        return None
    if one and unit in ("年", "月") and t[max(0, start - 2) : start] in ("过去", "这", "上"):
        return None  # 过去一年: a time phrase, not a duration counted
    # 每千人口, 每10万人口: the population a rate is counted on, not a quantity.
    if before == "每" and _PER_POPULATION.match(t, num_end):
        return None
    # Labels: 三年行动 is excluded via _SLOGANS; 六大中心 has no unit. Qualifiers inside a noun phrase:
    # 65周岁以上老年人, 24小时应急响应, 二级以上医院.
    if unit in _AGE_TIME_QUALIFIERS and not _after_is_boundary(t, end):
        return None
    if (
        tail in ("以上", "以下", "及以上", "及以下")
        and after
        and "\u4e00" <= after <= "\u9fff"
        and after not in "的"
    ):
        return None
    # Bare Arabic numbers glued to a word are names or codes (12320热线, 120急救); a bare number that
    # ends its phrase is a quantity (出生率12.17，).
    if not unit_s and not is_cn and not mag and not approx:
        if after and "\u4e00" <= after <= "\u9fff" and not tail and after not in "这那和与及或而":
            return None
    # Ratios 5:4:1 are excluded spans; a bare number right before a colon and digit likewise.
    if after in ":：+" and after_i + 1 < n and t[after_i + 1].isdigit():
        return None
    if before == "+" and start >= 2 and t[start - 2].isdigit():
        return None  # 351+180: a formula or a code

    # ---- the value
    mult = 1.0
    for c in mag:
        mult *= CN_BIG_UNITS[c]
    value *= mult
    if unit_s == "打":
        value, unit = value * 12, ""
    elif unit == "折" or unit == "成":
        # 九折 = 90 %, 9.5折 = 95 %, 75折 = 75 %, 三成 = 30 %, 十成 = 100 %
        value = value * 10 if value < 10 or (unit == "成" and value == 10) else value
        unit = "%"
    if sign == "负" or sign == "-":
        value = -value
    elif sign == "零下":
        value = -value
    # prefix currency: $20, ￥300, 港币两千九百六十元, 人民币 50元
    pre = t[max(0, start - 4) : start].rstrip(" \t")
    if unit in ("", "元"):
        if pre.endswith("$"):
            unit = "美元"
        elif pre.endswith(("￥", "¥")):
            unit = "元"
        elif pre.endswith(("港币", "港元")) and unit == "元":
            unit = "港元"
        elif pre.endswith(("台币",)) and unit == "元":
            unit = "台币"
        elif pre.endswith("美元") and unit == "元":
            unit = "美元"
    if unit == "度":
        near = t[max(0, start - 6) : start]
        if "华氏" in near:
            unit = "℉"
        elif "摄氏" in near:
            unit = "℃"
    if unit in ("元", "美元") and unit_s and not unit_s.startswith(("元整", "圆整", "元正", "圆正")):
        value, end2 = _money_tail(t, end - len(tail), value)
        if end2 > end - len(tail):
            end = end2
    # ---- comparator and span
    if tail and tail not in _CMP_TAIL:
        end -= len(tail)
        tail = ""
    cmp_ = "="
    if approx or tail in ("多", "余", "强"):
        cmp_ = ">"
    elif tail:
        cmp_ = _CMP_TAIL[tail]
    else:
        cmp_ = _left_cmp(d, start)
    if cmp_ == "=" and unit in ("元",) and _CAP_END.search(t[max(0, start - 10) : start]):
        cmp_ = "<="
    return [(start, end, value, unit, cmp_), end]


def before2_in(t: str, start: int, words: tuple[str, ...]) -> bool:
    return t[max(0, start - 2) : start].endswith(words)


_UNIT_AT = re.compile(f"[ \\t]*(?:{_UNIT})")


def _UNIT_RX_AT(t: str, i: int) -> bool:  # noqa: N802 - reads as a predicate at a position
    return bool(_UNIT_AT.match(t, i))


# --------------------------------------------------------------------------- malformed numbers

_MW = "个人名家所张项件份次场批类种条户对台套部篇则本册轮起支例位"
# (Each branch opens with a character class, the verb check looking back from the measure word,
# so the engine skips ahead to digits and measure words.)
# A whole figure, from the first digit of its run; what follows it is never a digit, so it is read
# in one way only (possessive) and not retried from inside the run.
_WHOLE_FIGURE = r"\d(?<!\d\d)\d*+(?:\.\d++)?"
_MALFORMED_RX = re.compile(
    rf"{_WHOLE_FIGURE}[%‰％]{{2,}}"
    rf"|[{_MW}](?<=(?:增长|增加|提高|上升|下降|减少|降低)[{_MW}])(?=\d)\d+(?:\.\d+)?[%‰％]?"
    rf"|{_WHOLE_FIGURE}(?:[万亿])?(?:人次|例次|户次)数(?![\u4e00-\u9fff])"
    rf"|{_WHOLE_FIGURE}(?:名例|例名|个家|家个)"
)


def malformed_numbers(text: str) -> list[Defect]:
    """Numbers written wrongly: a doubled sign (88.1%%), a measure word glued before the number after
    a verb (下降份10.85%), a garbled unit (67356人次数, 1400名例). One precompiled pattern, one pass."""
    if not isinstance(text, str) or not text:
        return []
    out = []
    for m in _MALFORMED_RX.finditer(text):
        g = m.group()
        if g[0] in _MW:
            note = f"数字前多出量词“{g[0]}”：{g}"
        elif "%%" in g or "‰‰" in g or "％％" in g or g.count("%") + g.count("％") + g.count("‰") > 1:
            note = f"百分号重复：{g}"
        else:
            note = f"单位写法有误：{g}"
        out.append(Defect("malformed_number", g, note, m.start(), m.end()))
    return out
