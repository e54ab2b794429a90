"""Numbers the bot must never hold: credit-card numbers and My Numbers (個人番号) typed into answers.

The bot itself must not become a second leak, so an answer containing one is refused before it is
stored or logged. Full-width digits count (NFKC), and single spaces or hyphens may separate digits.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

# A run of digits, each optionally followed by one space or hyphen, not touching other digits.
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d)+(?![\d])")
# A Slack message permalink: its p + 16 digits is the message's timestamp, not a card number (the
# message shortcut puts one in the summary; about one in ten would otherwise pass the Luhn check).
_SLACK_PERMALINK = re.compile(
    r"https://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.slack\.com/archives/[A-Z0-9]+/p\d{16}(?![\d])"
)


class Secret(StrEnum):
    CARD = "card"
    MY_NUMBER = "my_number"


def find_secret(text: str) -> Secret | None:
    """Returns what kind of forbidden number the text contains, if any."""
    normalized = _SLACK_PERMALINK.sub(" ", unicodedata.normalize("NFKC", text))
    candidates = [
        c for run in _DIGIT_RUN.finditer(normalized) for part in _segments(run.group()) for c in _candidates(part)
    ]
    if any(13 <= len(digits) <= 19 and luhn_valid(digits) for digits in candidates):
        return Secret.CARD
    if any(len(digits) == 12 and my_number_valid(digits) for digits in candidates):
        return Secret.MY_NUMBER
    return None


def _segments(run: str) -> list[list[str]]:
    """Splits "03-1234-5678 0120-000-000" into digit groups written with one separator each."""
    pieces = re.split(r"([ -])", run)
    segments, separator = [[pieces[0]]], None
    for sep, group in zip(pieces[1::2], pieces[2::2], strict=True):
        if separator not in (None, sep):
            segments.append([])
        separator = sep if segments[-1] else None
        segments[-1].append(group)
    return segments


def _candidates(groups: list[str]) -> list[str]:
    """Digit strings shaped like a card or My Number: one unbroken run, or groups as those are written.

    Cards are written 4-4-4-4 (the last group may be shorter or longer by up to 3: 4-4-4-4-3) or
    4-6-5 / 4-6-4; My Numbers 4-4-4. Other groupings (phone numbers, dates) are not joined, so a
    list of phone numbers is never mistaken for a card number.
    """
    found = [g for g in groups if len(g) >= 12]
    for i in range(len(groups)):
        for j in range(i + 2, min(len(groups), i + 5) + 1):
            window = groups[i:j]
            if _card_shaped(window) or [len(g) for g in window] == [4, 4, 4]:
                found.append("".join(window))
    return found


def _card_shaped(window: list[str]) -> bool:
    sizes = [len(g) for g in window]
    return sizes in ([4, 6, 5], [4, 6, 4]) or (
        len(sizes) >= 4 and all(n == 4 for n in sizes[:-1]) and 1 <= sizes[-1] <= 4
    )


def luhn_valid(number: str) -> bool:
    """True for a 13- to 19-digit number whose Luhn check digit is right."""
    if not (13 <= len(number) <= 19) or not number.isdigit():
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
    if len(number) != 12 or not number.isdigit():
        return False
    body = [int(c) for c in number[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    remainder = total % 11
    return int(number[11]) == (0 if remainder <= 1 else 11 - remainder)
