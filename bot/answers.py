"""Answers: turning what a modal submitted into stored values, validating them, and showing them.

Values are JSON-able: text items hold a string, counts {"value", "approx", "text"} (an unknown count, typed
調査中 or "under investigation", {"value": None, "approx": False, "text", "unknown": True}), choices the choice
value, data items {"selected": [...], "other": str}, the discovery time an ISO 8601 string, responders
a list of user ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.checklist import ITEMS, Item, Kind, Step
from bot.clock import JST
from bot.counts import Count, CountError, format_count_en, format_count_ja, is_unknown, parse_count
from bot.i18n import t
from bot.text import Typed, Unsafe, screen

OTHER_SUFFIX = "_other"  # block_id of the free-text field beside a checkbox item
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_FUTURE_SLACK = timedelta(minutes=10)  # clocks differ a little between Slack and us


class ValidationFailed(Exception):
    """Some inputs cannot be accepted; `errors` maps block_id to the message shown under it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Answer:
    """The current answer to one item, and who gave it when."""

    item_id: str
    value: Any
    user_id: str
    at: datetime
    revisions: int = 1


def parse_step(step: Step, raw: Mapping[str, Any], *, lang: str, now: datetime) -> dict[str, Any]:
    """Returns {item_id: value} for every item of the step from {block_id: raw value}, or raises ValidationFailed.

    A value of None means "no answer" (an optional item left empty).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item_id in step.items:
        item = ITEMS[item_id]
        try:
            values[item_id] = _parse_item(item, raw, lang=lang, now=now)
        except _Invalid as invalid:
            errors[invalid.block_id or item_id] = invalid.message
    _check_counts(values, errors, lang)
    if errors:
        raise ValidationFailed(errors)
    return values


class _Invalid(Exception):
    def __init__(self, message: str, block_id: str | None = None) -> None:
        super().__init__(message)
        self.message, self.block_id = message, block_id


def _parse_item(item: Item, raw: Mapping[str, Any], *, lang: str, now: datetime) -> Any:
    value = raw.get(item.id)
    parser = _PARSERS[item.kind]
    if item.kind is Kind.CHECKBOXES:
        return parser(item, value, raw.get(item.id + OTHER_SUFFIX), lang)
    if item.kind is Kind.DATETIME:
        return parser(item, value, now, lang)
    return parser(item, value, lang)


def _required(item: Item, lang: str) -> None:
    if item.required:
        raise _Invalid(t("error.required", lang))


def _typed(item: Item, value: Any, lang: str) -> Typed | None:
    """The typed text, stripped, within the item's length and screened; None when left empty (and allowed)."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        _required(item, lang)
        return None
    if len(text) > item.max_length:
        raise _Invalid(t("error.too_long", lang, limit=item.max_length, length=len(text)))
    return _screened(text, lang)


def _text(item: Item, value: Any, lang: str) -> Typed | None:
    return _typed(item, value, lang)


def _screened(text: str, lang: str, block_id: str | None = None) -> Typed:
    """The text through the one screen (bot.text): no card number, My Number or unstorable byte."""
    try:
        return screen(text)
    except Unsafe as unsafe:
        raise _Invalid(t(unsafe.key, lang), block_id) from None


def _count(item: Item, value: Any, lang: str) -> dict[str, Any] | None:
    text = _text(item, value, lang)  # a My Number is a twelve-digit number, so counts are checked too
    if text is None:
        return None
    if is_unknown(text):  # an answer: the count is being worked out, and the documents say so
        return {"value": None, "approx": False, "text": text, "unknown": True}
    try:
        count = parse_count(text)
    except CountError as exc:
        raise _Invalid(t(f"error.count.{exc.code}", lang)) from None
    return {"value": count.value, "approx": count.approx, "text": text}


def _choice(item: Item, value: Any, lang: str) -> str | None:
    if value in (None, ""):
        if item.default is not None:
            return item.default
        _required(item, lang)
        return None
    if item.choice(str(value)) is None:
        raise _Invalid(t("error.choice", lang))
    return str(value)


def _checkboxes(item: Item, value: Any, other: Any, lang: str) -> dict[str, Any] | None:
    selected = [v for v in (value or []) if isinstance(v, str)]
    if any(item.choice(v) is None for v in selected):
        raise _Invalid(t("error.choice", lang))
    other_text = (other or "").strip() if isinstance(other, str) or other is None else str(other)
    if len(other_text) > item.max_length:
        raise _Invalid(t("error.too_long", lang, limit=item.max_length, length=len(other_text)), item.id + OTHER_SUFFIX)
    other_typed = _screened(other_text, lang, item.id + OTHER_SUFFIX)
    if not selected and not other_typed:
        _required(item, lang)
        return None
    ordered = [c.value for c in item.choices if c.value in selected]
    return {"selected": ordered, "other": other_typed}


def _datetime(item: Item, value: Any, now: datetime, lang: str) -> str | None:
    if value in (None, ""):
        _required(item, lang)
        return None
    try:
        when = _to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        raise _Invalid(t("error.datetime", lang)) from None
    if when > now + _FUTURE_SLACK:
        raise _Invalid(t("error.future", lang))
    return when.astimezone(UTC).isoformat()


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    text = str(value).strip().replace("/", "-")
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=JST)


def _users(item: Item, value: Any, lang: str) -> list[str] | None:
    users = [u for u in (value or []) if isinstance(u, str)]
    if any(not _USER_ID.match(u) for u in users):
        raise _Invalid(t("error.users", lang))
    if not users:
        _required(item, lang)
        return None
    return list(dict.fromkeys(users))


def _flag(item: Item, value: Any, lang: str) -> bool | None:
    chosen = [v for v in (value or []) if isinstance(v, str)] if isinstance(value, list) else []
    if any(item.choice(v) is None for v in chosen):
        raise _Invalid(t("error.choice", lang))
    return True if chosen else None


_PARSERS: dict[Kind, Callable[..., Any]] = {  # each takes (item, value, [other or now,] lang)
    Kind.TEXT: _text,
    Kind.MULTILINE: _text,
    Kind.COUNT: _count,
    Kind.CHOICE: _choice,
    Kind.CHECKBOXES: _checkboxes,
    Kind.DATETIME: _datetime,
    Kind.USERS: _users,
    Kind.FLAG: _flag,
}


def _check_counts(values: Mapping[str, Any], errors: dict[str, str], lang: str) -> None:
    """The confirmed count is never above the maximum; an unknown one on either side bounds nothing."""
    maximum, confirmed = values.get("max_count"), values.get("confirmed_count")
    if not maximum or not confirmed or "confirmed_count" in errors:
        return
    if count_is_unknown(maximum) or count_is_unknown(confirmed):
        return
    if confirmed["value"] > maximum["value"]:
        errors["confirmed_count"] = t("error.count.over_max", lang)


def count_is_unknown(value: Any) -> bool:
    """True for a stored count that says "under investigation" (no number)."""
    return isinstance(value, Mapping) and "value" in value and value["value"] is None


def as_count(value: Mapping[str, Any]) -> Count:
    """Returns a stored count value as a Count (never called with an unknown one: see count_is_unknown)."""
    return Count(int(value["value"]), bool(value.get("approx")))


def display(item_id: str, value: Any, lang: str) -> str:
    """Returns an answer as plain text for people (not escaped for mrkdwn)."""
    item = ITEMS[item_id]
    if value is None:
        return ""
    if item.kind is Kind.COUNT:  # compact for the checklist; documents use the typed notation (bot.wording)
        if count_is_unknown(value):
            return t("count.unknown", lang)
        count = as_count(value)
        return format_count_ja(count) if lang == "ja" else format_count_en(count)
    if item.kind is Kind.CHOICE:
        choice = item.choice(value)
        return choice.label(lang) if choice else str(value)
    if item.kind is Kind.CHECKBOXES:
        return checkboxes_text(item, value, lang)
    if item.kind is Kind.DATETIME:
        return format_datetime(datetime.fromisoformat(value), lang)
    if item.kind is Kind.USERS:
        return ", ".join(f"<@{user}>" for user in value)
    if item.kind is Kind.FLAG:
        return item.choices[0].label(lang) if value else ""
    return str(value)


def data_items_text(value: Mapping[str, Any], lang: str) -> str:
    """Returns the data items as one list, the "other" text last."""
    return checkboxes_text(ITEMS["data_items"], value, lang)


def checkboxes_text(item: Item, value: Mapping[str, Any], lang: str) -> str:
    """Returns the chosen labels of a checkbox item as one list, the "other" text last."""
    labels = [choice.label(lang) for v in value.get("selected", []) if (choice := item.choice(v)) is not None]
    if value.get("other"):
        labels.append(value["other"])
    return ("、" if lang == "ja" else ", ").join(labels)


_WEEKDAYS_JA = "月火水木金土日"


def format_datetime(when: datetime, lang: str) -> str:
    """Returns a time in Asia/Tokyo with date and weekday, e.g. 2026年11月26日（木）10:05."""
    local = when.astimezone(JST)
    if lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日（{_WEEKDAYS_JA[local.weekday()]}）{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} JST"
