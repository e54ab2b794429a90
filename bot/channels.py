"""Channel names: readable from the title, with an ASCII fallback Slack always accepts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

from bot.sensitive import find_secret

MAX_NAME = 80
SUFFIXES = 9  # name, name-2 … name-9 before giving up on a base name
_NOT_ALLOWED = re.compile(r"[^\w]+")  # \w: letters and digits of any script, and _; a run (hyphens too) -> one "-"


def slug(title: str) -> str:
    """Returns the title as Slack wants a channel name: lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", title).lower()
    return _NOT_ALLOWED.sub("-", text).strip("-_")


def _with_suffix(base: str, n: int) -> str:
    suffix = "" if n == 1 else f"-{n}"
    return base[: MAX_NAME - len(suffix)].rstrip("-") + suffix


def readable_names(title: str, day: date, prefix: str = "leak") -> Iterator[str]:
    """leak-20261126-顧客dbの流出疑い (drill-… for a fire drill), then -2, -3 … when the name is taken.

    The title passed the screen, but a name adds digits of its own (the day, a suffix) and turns marks into
    hyphens: a name in which those join the title's digits into a card number or My Number is skipped."""
    base = f"{prefix}-{day:%Y%m%d}" + (f"-{slug(title)}" if slug(title) else "")
    return (name for name in (_with_suffix(base, n) for n in range(1, SUFFIXES + 1)) if find_secret(name) is None)


def fallback_names(day: date, incident_id: int, prefix: str = "leak") -> Iterator[str]:
    """leak-20261126-1 (the incident number), then -2, -3 … when taken."""
    base = f"{prefix}-{day:%Y%m%d}-{incident_id}"
    return (_with_suffix(base, n) for n in range(1, SUFFIXES + 1))
