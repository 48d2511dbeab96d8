"""Normalising what enters the database, for every door (web form, file import, API, command
line): the text of an uploaded file, the codes that identify things, and numbers.

- `decode_bytes` / `open_text`: the text of an upload in UTF-8 (with or without BOM), UTF-16,
  GB18030/GBK or Big5, through textmine's decoder (one decoder for documents and data files).
- `code` / `period_code`: codes compared in NFKC, so `２０２５Ｑ１` is the period 2025Q1 and a
  full-width org code is the same unit as its ASCII twin.
- `parse_decimal`: one reader for numbers as people type them and spreadsheets store them
  (full-width digits, thousands separators, spaces, a percent sign where the element is a
  percentage) that refuses, with a Chinese reason, every number the value column cannot hold
  exactly: DataValue keeps 4 decimals and, because SQLite stores decimals as doubles, at most
  15 significant digits. Nothing is rounded silently.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, TextIO

from weijian.textmine.read import ReadError, decode_text

__all__ = [
    "NumberError",
    "DecodeError",
    "MAX_DECIMALS",
    "MAX_DIGITS",
    "code",
    "period_code",
    "is_percent",
    "parse_decimal",
    "decode_bytes",
    "open_text",
]

MAX_DECIMALS = 4  # DataValue.value: DecimalField(max_digits=20, decimal_places=4)
MAX_DIGITS = 15  # significant digits SQLite keeps exactly (a double), so every database agrees
_LIMIT = Decimal(10) ** (20 - MAX_DECIMALS)  # integer digits the column holds
_QUANTUM = Decimal(1).scaleb(-MAX_DECIMALS)


class NumberError(ValueError):
    """A value that is not a number the database can hold exactly; the message is for the user."""


class DecodeError(ValueError):
    """The bytes of an upload are not text in an encoding we read; the message is for the user."""


# --- codes ----------------------------------------------------------------------------------


def code(text) -> str:
    """A code as typed, in its one canonical form: NFKC (full-width letters and digits become
    ASCII, an ideographic space a space), surrounding whitespace and a stray BOM removed."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)  # a spreadsheet turns 2024 or 202401 into a number
    text = str(text)
    if text.isascii():  # NFKC leaves ASCII as it is (the common case, kept fast)
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff").strip()


def period_code(text) -> str:
    """A period code in canonical form (2025, 2025S1, 2025Q1, 202501): NFKC, upper case,
    without inner spaces."""
    return "".join(code(text).upper().split())


# --- numbers --------------------------------------------------------------------------------

# After NFKC: thin and narrow no-break spaces are spaces too; the apostrophe is a Swiss
# thousands separator that Excel sometimes writes.
_SPACES = re.compile(r"[\s\u2009\u202f\u00a0']+")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_PERCENT_SIGNS = ("%", "％")
_SIMPLE = re.compile(r"-?[0-9]{1,11}(\.[0-9]{1,4})?\Z")


def parse_decimal(raw, *, percent: bool = False, blank: bool = False) -> Decimal | None:
    """The Decimal of a typed or stored number, exactly as the database will hold it.

    Raises NumberError with a Chinese reason for anything else: text that is not a number,
    NaN or infinity, more than 4 decimals (1e-30 is refused rather than stored as 0), more than
    15 significant digits (refused rather than rounded), 10^16 or more. A trailing % is
    accepted only with `percent=True` (the element itself is a percentage; 95% is stored as 95).
    Blank input raises, or returns None with `blank=True` (a cleared cell deletes the value).
    """
    if type(raw) is str and _SIMPLE.match(raw):
        return Decimal(raw)  # plain ASCII with at most 15 digits and 4 decimals: exact as it is
    shown = _shown(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if blank:
            return None
        raise NumberError("数值为空")
    if isinstance(raw, bool):
        raise NumberError(f"“{shown}”不是数字")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberError(f"“{shown}”不是有限的数字")
        # A spreadsheet cell holds a double; Excel itself shows and keeps 15 significant
        # digits, so 0.1 + 0.2 is read as 0.3, not 0.30000000000000004.
        value = Decimal(format(raw, f".{MAX_DIGITS}g"))
    else:
        value = _parse_text(str(raw), shown, percent=percent)
    return _checked(value, shown)


def is_percent(element) -> bool:
    """Whether values of this data element are percentages (a typed 95% is then 95)."""
    return element is not None and getattr(element, "unit", "") in _PERCENT_SIGNS


def _parse_text(raw: str, shown: str, *, percent: bool) -> Decimal:
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw)).lstrip("\ufeff")
    if text in ("", "+", "-"):
        raise NumberError("数值为空" if not text else f"“{shown}”不是数字")
    if text.endswith(_PERCENT_SIGNS):
        if not percent:
            raise NumberError(f"“{shown}”带有百分号，但该数据元不是百分比，请只填数字")
        text = text[:-1]
    if "," in text:
        if not _GROUPED.match(text):
            raise NumberError(f"“{shown}”的千分位分隔符位置不对（应每三位一个，如 1,234,567）")
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
            raise NumberError(f"“{shown}”不是有限的数字")
        raise NumberError(f"“{shown}”不是数字")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise NumberError(f"“{shown}”不是数字") from None


def _checked(value: Decimal, shown: str) -> Decimal:
    if not value.is_finite():
        raise NumberError(f"“{shown}”不是有限的数字")
    if value.is_zero():
        return Decimal(0).quantize(_QUANTUM)
    if abs(value) >= _LIMIT:
        raise NumberError(f"“{shown}”超出可保存的范围（绝对值须小于 1 亿亿，即 10¹⁶）")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        became = "0" if value.quantize(_QUANTUM).is_zero() else format(value.quantize(_QUANTUM), "f")
        raise NumberError(
            f"“{shown}”的小数超过{MAX_DECIMALS}位，保存时会变成 {became}；"
            f"请四舍五入到{MAX_DECIMALS}位小数后再填"
        )
    digits = len(value.normalize().as_tuple().digits)
    if digits > MAX_DIGITS:
        raise NumberError(f"“{shown}”有{digits}位有效数字，超过可精确保存的{MAX_DIGITS}位，保存会被舍入")
    return value.quantize(_QUANTUM)


def _shown(raw) -> str:
    text = str(raw).strip() if raw is not None else ""
    return text if len(text) <= 40 else text[:40] + "…"


# --- text of uploads ------------------------------------------------------------------------

_SAMPLE = 1 << 20  # bytes read to choose the encoding of a streamed file


def decode_bytes(data: bytes, name: str) -> str:
    """The text of a whole upload (UTF-8 with or without BOM, UTF-16, GB18030/GBK, Big5)."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DecodeError(f"文件“{name}”不是文本数据文件：请上传 CSV、Excel（.xlsx）或 DHIS2 JSON 文件")
    try:
        text, _encoding = decode_text(data, name)
    except (ReadError, UnicodeDecodeError):
        raise DecodeError(f"文件“{name}”的编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV") from None
    return text.lstrip("\ufeff")


def open_text(stream: BinaryIO, name: str) -> TextIO:
    """A text stream over a binary one, for files too big to hold: the encoding is chosen on
    the first megabyte (cut at a line end) by the same decoder as `decode_bytes`."""
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[arg-type]
    sample = buffered.peek(_SAMPLE)[:_SAMPLE]
    if not sample.strip():
        return io.TextIOWrapper(buffered, encoding="utf-8", newline="")
    if b"\x00" in sample[:4096] and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DecodeError(f"文件“{name}”不是文本数据文件：请上传 CSV、Excel（.xlsx）或 DHIS2 JSON 文件")
    cut = sample.rfind(b"\n")
    head = sample[: cut + 1] if cut > 0 and len(sample) == _SAMPLE else sample
    try:
        _text, encoding = decode_text(head, name)
    except (ReadError, UnicodeDecodeError):
        raise DecodeError(f"文件“{name}”的编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV") from None
    if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")
