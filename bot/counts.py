"""Record counts as people in Japan type them: parse ``約2,070万件`` and write ``2,070万``.

Accepted forms (after NFKC normalisation, so full-width digits, commas and spaces work):

* plain digits ``7600000`` and valid thousands separators ``7,600,000``;
* the big units 万 (10^4), 億 (10^8) and 兆 (10^12) in descending order, each preceded by a
  group that may use 千/百/十 (``2千万``, ``1億2,000万5千``); a decimal is fine when the
  result is whole (``1.5万``, ``2.07千万``);
* kanji numerals, positional or not (``七百六十万``, ``二〇七〇万``, ``零``, ``壱``);
* a leading 約 / およそ / 概算 / about / approx. / approximately / ~ (sets ``approx``), and a
  trailing 程度 / ほど / 前後 / くらい (also ``approx``);
* a trailing unit 件 / 人 / 名 / 世帯 or records / people / persons / households (sets ``unit``).

Whitespace inside the number is only allowed right after 万/億/兆 (``1億 2000万``).

A count may also be unknown: ``調査中``, ``不明``, ``under investigation``, ``unknown`` (`is_unknown`). That is
an answer, not a number: it is stored without one and the documents say the count is under investigation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "MAX_COUNT",
    "UNITS",
    "Count",
    "CountError",
    "format_count_en",
    "format_count_ja",
    "is_unknown",
    "parse_count",
    "publish_en",
    "publish_ja",
    "rounded_en",
]

MAX_COUNT = 10**13
UNITS = ("件", "人", "世帯")

_MESSAGES = {
    "empty": "no count was given",
    "negative": "a count cannot be negative",
    "not_a_number": "this is not a number",
    "too_large": f"a count cannot be larger than {MAX_COUNT:,}",
    "not_whole": "a count must be a whole number",
}

_KANJI_DIGITS = str.maketrans(
    {
        **dict.fromkeys("〇○零", "0"),
        **dict.fromkeys("一壱壹", "1"),
        **dict.fromkeys("二弐貳", "2"),
        **dict.fromkeys("三参參", "3"),
        **dict.fromkeys("四肆", "4"),
        **dict.fromkeys("五伍", "5"),
        **dict.fromkeys("六陸", "6"),
        **dict.fromkeys("七漆", "7"),
        **dict.fromkeys("八捌", "8"),
        **dict.fromkeys("九玖", "9"),
        "拾": "十",
        "佰": "百",
        "陌": "百",
        "仟": "千",
        "阡": "千",
        "萬": "万",
    }
)
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}

_APPROX_PREFIX = re.compile(
    r"^(?:約|およそ|おおよそ|概算で?|概ね|おおむね|approximately|approx|about|around|~|〜)\s*\.?\s*",
    re.IGNORECASE,
)
_APPROX_SUFFIX = re.compile(r"\s*(?:程度|ほど|前後|くらい|ぐらい)$")
_SIGN = re.compile(r"^(?P<sign>[-−▲△‐‑–—]|マイナス|\+)\s*")
_UNIT_SUFFIX = re.compile(r"\s*(?P<unit>件|人|名|世帯|records?|people|persons?|households?)$", re.IGNORECASE)
_UNIT_NAMES = {
    "件": "件",
    "人": "人",
    "名": "人",
    "世帯": "世帯",
    "record": "件",
    "records": "件",
    "people": "人",
    "person": "人",
    "persons": "人",
    "household": "世帯",
    "households": "世帯",
}
_TOKEN = re.compile(
    r"(?P<num>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
    r"|(?P<small>[十百千])"
    r"|(?P<big>[万億兆])\s*"
)


class CountError(ValueError):
    """A count that cannot be parsed; ``code`` says why, for a localized message."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(message or _MESSAGES[code])
        self.code = code


@dataclass(frozen=True)
class Count:
    """A non-negative number of records, maybe approximate, maybe with its unit."""

    value: int
    approx: bool = False
    unit: str | None = None

    def __post_init__(self) -> None:
        """Reject negative or non-integer values and unknown units."""
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value < 0:
            raise ValueError(f"Count.value must be an int >= 0, not {self.value!r}")
        if self.unit is not None and self.unit not in UNITS:
            raise ValueError(f"Count.unit must be one of {UNITS} or None, not {self.unit!r}")


_UNKNOWN = re.compile(
    r"^(?:現在|現時点で)?[、,]?\s*(?:調査中|確認中|特定中|精査中|集計中|不明|未確定|未定)(?:です|である)?[。.]?$"
    r"|^(?:currently\s+|still\s+)?(?:under investigation|being investigated|investigating|unknown|not (?:yet )?known"
    r"|to be confirmed|tbc|tbd)[。.]?$",
    re.IGNORECASE,
)


def is_unknown(text: str) -> bool:
    """True when a count is typed as not known yet (調査中, 不明, under investigation, unknown): an answer, no number."""
    return bool(_UNKNOWN.match(" ".join(unicodedata.normalize("NFKC", text).split())))


def parse_count(text: str) -> Count:
    """Parse a count as typed by a person; raise CountError with a code on failure."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise CountError("empty")
    approx, text = _strip_approx(text)
    negative, text = _strip_sign(text)
    unit, text = _strip_unit(text)
    value = _evaluate(text.strip().translate(_KANJI_DIGITS))
    return Count(_checked_int(value, negative), approx, unit)


def _checked_int(value: Fraction, negative: bool) -> int:
    """Return the value as an int if it is a valid count, else raise the matching CountError."""
    if negative and value > 0:
        raise CountError("negative")
    if value > MAX_COUNT:
        raise CountError("too_large")
    if value.denominator != 1:
        raise CountError("not_whole")
    return int(value)


def _strip_approx(text: str) -> tuple[bool, str]:
    """Remove an "about" prefix (約, about, ~, …) or suffix (程度, ほど, …)."""
    stripped = _APPROX_SUFFIX.sub("", _APPROX_PREFIX.sub("", text, count=1), count=1)
    return stripped != text, stripped


def _strip_sign(text: str) -> tuple[bool, str]:
    """Remove a leading sign; say whether it was a minus."""
    match = _SIGN.match(text)
    if not match:
        return False, text
    return match["sign"] != "+", text[match.end() :]


def _strip_unit(text: str) -> tuple[str | None, str]:
    """Remove a trailing unit (件, 人, 名, 世帯, records, …) and return it normalised."""
    match = _UNIT_SUFFIX.search(text)
    if not match:
        return None, text
    return _UNIT_NAMES[match["unit"].lower()], text[: match.start()]


def _evaluate(body: str) -> Fraction:
    """Turn the bare number (ASCII digits, 十百千, 万億兆) into its exact value."""
    evaluator = _Evaluator()
    for kind, raw in _tokenize(body):
        getattr(evaluator, kind)(raw)
    return evaluator.finish()


def _tokenize(body: str) -> list[tuple[str, str]]:
    """Split the number into ("num" | "small" | "big", text) tokens."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if not match or match.lastgroup is None:
            raise CountError("not_a_number")
        tokens.append((match.lastgroup, match[match.lastgroup]))
        pos = match.end()
    return tokens


class _Evaluator:
    """Adds up number tokens, insisting that units only go down (億 before 万, 千 before 百)."""

    def __init__(self) -> None:
        """Start with nothing seen."""
        self.total = Fraction(0)
        self.group = Fraction(0)  # the part below the current big unit, e.g. 2,070 of 2,070万
        self.coef: Fraction | None = None  # a number not yet tied to a unit
        self.big_cap: int | None = None  # the last big unit: what follows must stay below it
        self.small_cap: int | None = None  # the last small unit within the group
        self.in_group = False
        self.seen = False

    def num(self, raw: str) -> None:
        """Take a number; two numbers in a row are an error."""
        if self.coef is not None:
            raise CountError("not_a_number")
        self.coef = Fraction(Decimal(raw.replace(",", "")))

    def small(self, raw: str) -> None:
        """Apply 十, 百 or 千 to the pending number (1 when there is none)."""
        unit = _SMALL_UNITS[raw]
        if self.small_cap is not None and unit >= self.small_cap:
            raise CountError("not_a_number")
        coef, self.coef = (Fraction(1) if self.coef is None else self.coef), None
        self._add_to_group(coef * unit)
        self.small_cap = unit

    def big(self, raw: str) -> None:
        """Apply 万, 億 or 兆 to the group so far, which must not be empty."""
        unit = _BIG_UNITS[raw]
        self._flush_coef()
        if not self.in_group or (self.big_cap is not None and unit >= self.big_cap):
            raise CountError("not_a_number")
        self._add_to_total(self.group * unit)
        self.big_cap = unit
        self.group, self.small_cap, self.in_group = Fraction(0), None, False

    def finish(self) -> Fraction:
        """Add the last group and return the exact total."""
        self._flush_coef()
        if self.in_group:
            self._add_to_total(self.group)
        if not self.seen:
            raise CountError("not_a_number")
        return self.total

    def _flush_coef(self) -> None:
        """Add a pending number with no unit of its own to the group."""
        if self.coef is not None:
            self._add_to_group(self.coef)
            self.coef = None

    def _add_to_group(self, term: Fraction) -> None:
        """Add a term to the group; it must be below the previous small unit."""
        if self.small_cap is not None and term >= self.small_cap:
            raise CountError("not_a_number")
        self.group += term
        self.in_group = True

    def _add_to_total(self, amount: Fraction) -> None:
        """Add a finished group to the total; it must be below the previous big unit."""
        if self.big_cap is not None and amount >= self.big_cap:
            raise CountError("not_a_number")
        self.total += amount
        self.seen = True


def format_count_ja(count: Count | int) -> str:
    """Write a count the Japanese way: 20_700_000 -> "2,070万", 7_654_321 -> "7,654,321", approximate -> "約…".

    万/億/兆 are used only for a round number (nothing below 万): never a hybrid such as "765万4,321".
    """
    count = count if isinstance(count, Count) else Count(count)
    return ("約" if count.approx else "") + _ja_round_or_digits(count.value)


def _ja_round_or_digits(value: int) -> str:
    """2,070万 or 1億2,000万 when nothing is left below 万; otherwise the digits with commas."""
    return _ja_groups(value) if value >= 10**4 and value % 10**4 == 0 else f"{value:,}"


def _ja_groups(value: int) -> str:
    """Split a round value into 兆/億/万 groups with thousands separators: "1億2,345万"."""
    parts = []
    for unit, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4)):
        head, value = divmod(value, size)
        if head:
            parts.append(f"{head:,}{unit}")
    if value:
        parts.append(f"{value:,}")
    return "".join(parts)


def publish_ja(count: Count, typed: str | None = None) -> str:
    """A count as published in Japanese, in the notation it was typed (without its unit).

    ``440027`` and ``440,027`` -> ``440,027``; ``2070万`` -> ``2,070万``; ``1.5万`` -> ``1.5万``;
    ``約20700000`` -> ``約2,070万`` (an approximate figure may be written with 万). A figure typed with
    万/億 that is not round (``44万27``) is written in digits (``440,027``): never a hybrid.
    Without the typed text (values stored before it was kept) the round/digits rule alone decides.
    """
    prefix = "約" if count.approx else ""
    body = _typed_body(typed)
    if body is None:
        return format_count_ja(count)
    single = _SINGLE_BIG.match(body)
    if single and parse_count(body).value == count.value:
        return f"{prefix}{int(single['int']):,}{single['frac'] or ''}{single['big']}"
    if _JA_NOTATION.search(body) or count.approx:
        return prefix + _ja_round_or_digits(count.value)
    return f"{prefix}{count.value:,}"


_SINGLE_BIG = re.compile(r"^(?P<int>[0-9]+)(?P<frac>\.[0-9]+)?(?P<big>[万億兆])$")
_JA_NOTATION = re.compile(r"[万億兆十百千〇○零一壱壹二弐貳三参參四肆五伍六陸七漆八捌九玖拾佰陌仟阡萬]")


def _typed_body(typed: str | None) -> str | None:
    """The bare number of a typed count (no 約, sign, unit, commas or spaces), or None when unusable."""
    if not typed or not typed.strip():
        return None
    text = unicodedata.normalize("NFKC", typed).strip()
    _, text = _strip_approx(text)
    _, text = _strip_sign(text)
    _, text = _strip_unit(text)
    return re.sub(r"[\s,]", "", text) or None


def format_count_en(count: Count | int) -> str:
    """Write a count in English: exact "20,700,000"; approximate, rounded: "approximately 20.7 million"."""
    count = count if isinstance(count, Count) else Count(count)
    return f"approximately {rounded_en(count.value)}" if count.approx else f"{count.value:,}"


def publish_en(count: Count, typed: str | None = None) -> str:
    """A count as published in English: exact figures keep their digits, approximate ones are rounded in words."""
    return format_count_en(count)


_SCALES_EN = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def rounded_en(value: int) -> str:
    """A value to three significant figures, large ones in words: 35,040,000 -> "35 million"; 12,345 -> "12,300"."""
    digits = len(str(value))
    rounded = round(value, -(digits - 3)) if digits > 3 else value
    for size, word in _SCALES_EN:
        if rounded >= size:
            return f"{rounded / size:g} {word}"
    return f"{rounded:,}"
