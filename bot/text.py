"""Typed text becomes a domain value here, and only here: the screen every typed word goes through.

Whatever a person types (an answer, a title, a summary, a message brought in by a shortcut, a timeline
entry, a review comment, a publication URL, anything added later) is a `Typed` value before a use case
takes it, and the only way to make one is `screen`. The screen refuses
- a credit-card number or My Number, however it is written (bot.sensitive): the bot must not become a
  second leak, so such text is never stored, queued, logged or posted;
- control characters other than line breaks and tabs (NUL and the like), and lone surrogates: bytes one
  of the databases cannot store, refused the same way on SQLite and PostgreSQL.
The person is told why (`Unsafe.key` names the wording in bot.i18n); the refused text is never logged.
"""

from __future__ import annotations

import unicodedata

from bot.sensitive import find_secret

_ALLOWED_CONTROLS = frozenset("\n\r\t")


class Unsafe(ValueError):
    """Typed text the bot must not take; `key` names the wording in bot.i18n (the text itself is not kept)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Typed(str):
    """Text a person typed that passed the screen. Made only by `screen` (calling Typed(...) fails)."""

    __slots__ = ()

    def __new__(cls, *args: object, **kwargs: object) -> Typed:
        raise TypeError("typed text is made by bot.text.screen only")

    def __reduce__(self) -> tuple[type[str], tuple[str]]:  # a copy is plain text, not a second way in
        return (str, (str(self),))


def screen(text: str) -> Typed:
    """Returns the text as Typed, or raises Unsafe (a card number, a My Number, or a byte no database stores)."""
    if isinstance(text, Typed):
        return text
    if not isinstance(text, str):
        raise TypeError(f"typed text must be str, not {type(text).__name__}")
    if any(_unstorable(char) for char in text):
        raise Unsafe("error.control")
    secret = find_secret(text)
    if secret is not None:
        raise Unsafe(f"error.secret.{secret}")
    return str.__new__(Typed, text)


def screened_or_none(text: str | None) -> Typed | None:
    """`screen` for an optional text: None and "" stay None."""
    return screen(text) if text else None


def _unstorable(char: str) -> bool:
    category = unicodedata.category(char)
    return (category == "Cc" and char not in _ALLOWED_CONTROLS) or category == "Cs"
