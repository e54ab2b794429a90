"""Numbers the bot must never hold: credit-card numbers and My Numbers (個人番号) in anything typed.

The bot itself must not become a second leak, so text containing one is refused before it is stored,
queued, logged or posted (bot.text.screen is the one door; this module only recognises the numbers).

People write these numbers in many ways, so recognising them starts by reading the text as a person
would see it: full-width and other digits count as digits (NFKC, then every decimal digit of any script),
invisible characters (format characters such as zero-width spaces, and combining marks) are ignored,
and any run of separators may stand between digit groups: every dash and minus (category Pd, U+2212,
ー, －, ─ …), dots (. ・ 。), slashes, commas, spaces, tabs and line breaks, and any other punctuation mark
or symbol (_ : | ★ € an emoji …): a channel name made from a title turns each of those into a hyphen, so
"4111💳1111💳1111💳1111" would otherwise become a card number in a channel's name.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

# Characters that only separate digit groups, by the kind of separator they are (a list of phone
# numbers joins its numbers with another kind than their digits, which is how they are told apart).
_DASHES = "\u2212\u30fc\uff70\u2500\u2501\u2015\u2043\ufe63\uff0d~\uff5e\u301c\u223c"
_DOTS = ".\u3002\uff0e\u30fb\uff65\u00b7\u2022\u2027\u2219\u22c5\u2024"
_SLASHES = "/\\\u2044\u2215\uff0f\uff3c\u29f8"
_COMMAS = ",\u3001\uff0c\uff64"
_KINDS = (("dash", _DASHES), ("dot", _DOTS), ("slash", _SLASHES), ("comma", _COMMAS))

# A Slack message permalink: its p + 16 digits is the message's timestamp, not a card number (the
# message shortcut puts one in the summary; about one in ten would otherwise pass the Luhn check).
_SLACK_PERMALINK = re.compile(
    r"https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.slack\.com/archives/[A-Z0-9]+/p[0-9]{16}(?![0-9])"
)


# Kanji numerals (〇 一 二 … 九), digit by digit, are read as digits where four or more stand together (a
# number written in them: "四一一一 一一一一 …"), and only there: a lone 一 is also what an IME gives for a
# dash ("03一1234一5678").
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
_KANJI_RUN = re.compile("[〇一二三四五六七八九]{4,}")


class Secret(StrEnum):
    CARD = "card"
    MY_NUMBER = "my_number"


def _is_separator(char: str) -> bool:
    """Whitespace, and every punctuation mark or symbol (categories P* and S*, emoji included)."""
    return char.isspace() or unicodedata.category(char)[0] in "PS" or any(char in chars for _, chars in _KINDS)


def _kind(separator: str) -> str:
    """The kind of a run of separators: the strongest mark in it, else the first other mark, else space."""
    for kind, chars in _KINDS:
        if any(c in chars or (kind == "dash" and unicodedata.category(c) == "Pd") for c in separator):
            return kind
    marks = [c for c in separator if not c.isspace()]
    return f"mark {marks[0]}" if marks else "space"


def readable(text: str, invisible: str = "") -> str:
    """The text as a person sees it: NFKC, every decimal digit as 0-9, invisible characters (format
    characters, combining marks) dropped, or replaced by `invisible`."""
    out = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if category in ("Cf", "Mn", "Me"):
            out.append(invisible)
        else:
            out.append(str(unicodedata.decimal(char)) if category == "Nd" else char)
    return "".join(out)


def _digit(char: str) -> bool:
    return "0" <= char <= "9"  # after `readable`, every decimal digit is one of these (not str.isdigit: ፩, ²)


def _runs(text: str) -> list[tuple[list[str], list[str]]]:
    """Each stretch of digit groups joined only by separators: (groups, kinds of the separators between them)."""
    runs: list[tuple[list[str], list[str]]] = []
    i, n = 0, len(text)
    while i < n:
        if not _digit(text[i]):
            i += 1
            continue
        groups: list[str] = []
        kinds: list[str] = []
        while True:
            start = i
            while i < n and _digit(text[i]):
                i += 1
            groups.append(text[start:i])
            gap = i
            while gap < n and _is_separator(text[gap]):  # a run of any length: "4111 - 1111", "4111\n\n1111"
                gap += 1
            if gap == i or gap >= n or not _digit(text[gap]):
                break
            kinds.append(_kind(text[i:gap]))
            i = gap
        runs.append((groups, kinds))
    return runs


def find_secret(text: str) -> Secret | None:
    """Returns what kind of forbidden number the text contains, if any.

    An invisible character between digits is read both ways: as nothing (digits it splits are one group)
    and as a separator (it stands where a person put a gap). Text with a run of kanji numerals is read
    with them as digits too.
    """
    readings = [_SLACK_PERMALINK.sub(" ", readable(text, invisible)) for invisible in ("", " ")]
    readings += [
        _KANJI_RUN.sub(lambda run: run[0].translate(_KANJI_DIGITS), r) for r in readings if _KANJI_RUN.search(r)
    ]
    candidates = [c for reading in readings for groups, kinds in _runs(reading) for c in _candidates(groups, kinds)]
    if any(13 <= len(digits) <= 19 and luhn_valid(digits) for digits in candidates):
        return Secret.CARD
    if any(len(digits) == 12 and my_number_valid(digits) for digits in candidates):
        return Secret.MY_NUMBER
    return None


def _candidates(groups: list[str], kinds: list[str]) -> list[str]:
    """Digit strings shaped like a card or My Number: one unbroken run, or groups as those are written.

    Cards are written 4-4-4-4 (the last group may be shorter or longer by up to 3: 4-4-4-4-3) or
    4-6-5 / 4-6-4; My Numbers 4-4-4. Groups are joined when one kind of separator joins them, or when
    the whole stretch has such a shape whatever its separators; other groupings (phone numbers, dates)
    are not joined, so a list of phone numbers is never mistaken for a card number.
    """
    found = [g for g in groups if len(g) >= 12]
    if _shaped(groups):
        found.append("".join(groups))
    if len(groups) >= 12 and all(len(g) == 1 for g in groups) and len(set(kinds)) == 1:
        found.append("".join(groups))  # digit by digit: "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"
    for i in range(len(groups)):
        for j in range(i + 2, min(len(groups), i + 5) + 1):
            window = groups[i:j]
            if len(set(kinds[i : j - 1])) == 1 and _shaped(window):
                found.append("".join(window))
    return found


def _shaped(window: list[str]) -> bool:
    sizes = [len(g) for g in window]
    return sizes in ([4, 6, 5], [4, 6, 4], [4, 4, 4]) or (
        len(sizes) >= 4 and all(n == 4 for n in sizes[:-1]) and 1 <= sizes[-1] <= 4
    )


def luhn_valid(number: str) -> bool:
    """True for a 13- to 19-digit number whose Luhn check digit is right."""
    if not (13 <= len(number) <= 19) or not (number.isascii() and number.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def my_number_valid(number: str) -> bool:
    """True for a 12-digit My Number whose check digit (the last) is right."""
    if len(number) != 12 or not (number.isascii() and number.isdigit()):
        return False
    body = [int(c) for c in number[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return int(number[11]) == (0 if remainder <= 1 else 11 - remainder)
