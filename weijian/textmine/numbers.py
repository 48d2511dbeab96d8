"""Reading numerals as Chinese documents write them: pure functions, no context.

This module owns the *value* of a numeral, whatever its script:
Arabic with `,` thousands separators, decimals and exponents (`1,050,000`, `12.39`, `2e5`),
full-width digits (`１２．５`), Chinese numerals with place values (`一千二百三十四`, `两万五千`,
`十三`, `一百零一万`), colloquial abbreviations (`三万五` = 35000, `两千四百五` = 2450), mixed
script (`1.2万`, `5万4千6百`, `3万4000`), financial numerals (`壹佰伍拾`), digit-by-digit
numerals (`一七二零`, `二〇〇二`), 点 decimals (`三点五`), fractions with 分之 (`三分之二`,
`百分之五十`, `千分之三`, `万分之1.5`) and the magnitudes 万/亿/千/百 folded into the value.

Deciding whether a numeral in running text is a quantity at all (a year, a slogan, an ordinal...)
is not done here: that is `facts.py`, which uses `NUMERAL_CHARS` to find candidates and
`parse_number` / `parse_fraction` to value them.
"""

from __future__ import annotations

import math
import re

# One-to-one so offsets survive: full-width digits and signs to their ASCII twins.
_HALF = str.maketrans("０１２３４５６７８９．％－＋：／", "0123456789.%-+:/")
# str.translate looks every character up; these forms are rare in running text, so replacing
# only where one occurs reads a whole document many times faster, with the same result.
_HALF_RX = re.compile("[" + "".join(map(chr, _HALF)) + "]")
_HALF_CHARS = {chr(k): chr(v) for k, v in _HALF.items()}

CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "０": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_ZEROS = "零〇○"
_TENS = {"廿": "二十", "卅": "三十", "卌": "四十"}

#: Every character that may appear inside one numeral (besides ASCII digits, `.` and `,`).
NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS) + "".join(_TENS)

_ARABIC = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SIGNS = ("负", "-", "−", "–")
_SPACES = re.compile(r"[\s\u3000]+")


# A full-width comma is a thousands separator only where the number shows it is one (full-width
# digits around it, or more groups/decimals after it); elsewhere it is the Chinese comma: $20，300美元.
_FW_THOUSANDS = re.compile(r"，(?:(?<=[０-９]，)(?=[０-９])|(?<=\d，)(?=\d{3}(?:[.,，．]\d)))")


def to_halfwidth(s: str) -> str:
    """Full-width digits, point, %, minus and plus as ASCII, and a full-width comma that separates
    thousands as `,`; same length as `s`, so offsets carry over."""
    if "，" in s:
        s = _FW_THOUSANDS.sub(",", s)
    return _HALF_RX.sub(lambda m: _HALF_CHARS[m.group()], s)


def _finite(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return x


def _tokens(s: str) -> list[tuple[str, float]] | None:
    """Split an integer-part numeral into ('n', arabic) ('d', cn digit) ('z', zero) ('u', small) ('b', big)."""
    out: list[tuple[str, float]] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isascii() and (c.isdigit() or c == "."):  # also .5
            m = _ARABIC.match(s, i)
            if not m:
                return None
            try:
                out.append(("n", float(m.group().replace(",", ""))))
            except (ValueError, OverflowError):
                return None
            i = m.end()
            continue
        if c in _ZEROS:
            out.append(("z", 0))
        elif c in CN_DIGITS:
            out.append(("d", CN_DIGITS[c]))
        elif c in CN_SMALL_UNITS:
            out.append(("u", CN_SMALL_UNITS[c]))
        elif c in CN_BIG_UNITS:
            out.append(("b", CN_BIG_UNITS[c]))
        elif c == "个" and i + 1 < n and s[i + 1] in CN_BIG_UNITS and out:
            pass  # 两个亿: the 个 is spoken filler
        else:
            return None
        i += 1
    return out


def _integer(s: str) -> float | None:
    """Value of a numeral without 点 (Arabic decimals allowed inside): None if it is no numeral."""
    if not s:
        return None
    for k, v in _TENS.items():
        s = s.replace(k, v)
    toks = _tokens(s)
    if not toks:
        return None
    kinds = {k for k, _ in toks}
    if not kinds & {"n", "d", "z"} and toks[0][0] != "u":
        return None  # 万, 万万: a big place value with no digit is no number (十, 百万 are)
    if not kinds & {"u", "b"}:
        if len(toks) == 1:
            return toks[0][1]
        if kinds <= {"d", "z"}:
            # Digit by digit: 一七二零, 二〇〇二, 一零零零零零零.
            return float(int("".join(str(int(v)) for _, v in toks)))
        return None
    total = 0.0
    section = 0.0
    cur: float | None = None
    cur_single = False  # cur is one digit (may be read as 三万五 = 35000)
    last_small: int | None = None
    last_big: int | None = None
    zero = False
    for kind, v in toks:
        if kind == "z":
            if cur is not None:
                return None
            zero = True
            continue
        if kind in ("d", "n"):
            if cur is not None:
                return None  # two numbers in a row: 十三五 is a name, not a number
            cur = v
            cur_single = kind == "d" or (float(v).is_integer() and 0 <= v <= 9)
            continue
        if kind == "u":
            if last_small is not None and v >= last_small:
                return None  # 十百, 五十千: place values must fall
            section += (1 if cur is None else cur) * v
            cur, last_small, zero = None, int(v), False
            continue
        # big unit 万 / 亿
        seg = section + (cur or 0)
        if seg == 0 and cur is None:
            if total == 0:
                return None
            total *= v  # 四万万, 十万亿
        elif total < v:
            total = (total + seg) * v
        else:
            total += seg * v
        section, cur, last_small, last_big, zero = 0.0, None, None, int(v), False
    if cur is not None:
        if cur_single and not zero and last_small is not None and last_small >= 100:
            cur = cur * last_small / 10  # 两千四百五 = 2450
        elif cur_single and not zero and last_small is None and last_big is not None and section == 0:
            cur = cur * last_big / 10  # 三万五 = 35000
        section += cur
    return total + section


def _decimals(s: str) -> tuple[float, float] | None:
    """The part after 点: digits read one by one, then optional 万/亿. Returns (fraction, multiplier)."""
    digits = []
    i = 0
    while i < len(s) and (s[i] in CN_DIGITS or (s[i].isascii() and s[i].isdigit())):
        digits.append(str(CN_DIGITS[s[i]]) if s[i] in CN_DIGITS else s[i])
        i += 1
    if not digits:
        return None
    mult = 1.0
    for c in s[i:]:
        if c not in CN_BIG_UNITS:
            return None
        mult *= CN_BIG_UNITS[c]
    return float("0." + "".join(digits)), mult


def parse_number(s: str) -> float | None:
    """The value of one numeral, magnitudes folded in; None when `s` is not a numeral.

    >>> parse_number("一千二百三十四"), parse_number("1.2万"), parse_number("三点五")
    (1234.0, 12000.0, 3.5)
    """
    if not isinstance(s, str):
        return None
    if s.isascii() and s.isdigit():  # the commonest case, 125: nothing to normalise or tokenise
        return _finite(float(s))
    s = _SPACES.sub("", to_halfwidth(s))
    sign = 1.0
    if s.startswith(_SIGNS):
        sign, s = -1.0, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s:
        return None
    if _PLAIN.fullmatch(s):  # 12.5: no need to tokenise
        return _finite(sign * float(s))
    if "点" in s:
        ip, _, fp = s.partition("点")
        whole = _integer(ip)
        tail = _decimals(fp)
        if whole is None or tail is None:
            return None
        frac, mult = tail
        return _finite(sign * (whole + frac) * mult)
    return _finite(sign * v if (v := _integer(s)) is not None else None)


#: Per-mille-style denominators of 分之 and the unit each gives (the numerator keeps its value).
FRACTION_UNITS: dict[str, str] = {"百": "%", "佰": "%", "千": "‰", "仟": "‰", "万": "1/万", "萬": "1/万"}


def parse_fraction(s: str) -> tuple[float, str] | None:
    """A 分之 fraction as (value, unit): 百分之五十 → (50, "%"), 千分之三 → (3, "‰"),
    万分之1.5 → (1.5, "1/万"), 三分之二 → (0.6666666667, ""), 十一又十四分之一 → (11.0714285714, "")."""
    if not isinstance(s, str):
        return None
    s = _SPACES.sub("", to_halfwidth(s))
    whole = 0.0
    if "又" in s:
        w, _, s = s.partition("又")
        wv = parse_number(w)
        if wv is None:
            return None
        whole = wv
    den_s, sep, num_s = s.partition("分之")
    if not sep:
        return None
    sign = 1.0
    if den_s.startswith(_SIGNS):
        sign, den_s = -1.0, den_s[1:]
    num = parse_number(num_s)
    if num is None:
        return None
    if den_s in FRACTION_UNITS and not whole:
        return _finite(sign * num), FRACTION_UNITS[den_s]
    den = parse_number(den_s)
    if not den:
        return None
    value = _finite(sign * (whole + num / den))
    return (round(value, 10), "") if value is not None else None
