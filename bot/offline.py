"""Answers outside Slack: read them from a YAML file (a tabletop exercise, an export), or export an incident.

A file is keyed by item ids (bot.checklist), either at the top level or under `answers:` as
`export_incident` writes it. Values may be typed the way people write them:

    title: 会員データベースの流出疑い
    discovered_at: 2026-11-26 10:00        # Asia/Tokyo when no zone is given
    max_count: 約2,070万件                  # or 20700000, or 調査中 / unknown while it is not known
    confirmed_count: 約760万件
    data_items: [氏名, 住所, email, 学校名]  # choice values or labels; anything else goes to "other"
    card_bank: none                          # a choice value, or its Japanese or English label
    services: [ほしぞら定期便, ほしぞらアプリ]   # a multi-line item: text, or a list, one entry a line

and come back in the stored shapes of bot.answers, validated by the same code as a modal
(bot.answers.parse_step), card numbers and My Numbers refused. An empty value means "not answered".
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.answers import OTHER_SUFFIX, ValidationFailed, parse_step
from bot.checklist import ITEMS, Choice, Item, Kind, Step
from bot.clock import JST
from bot.counts import CountError, parse_count
from bot.i18n import t
from bot.text import Unsafe, screen

__all__ = ["OfflineError", "dump_yaml", "export_database", "export_incident", "load_answers", "parse_answers"]

EXPORT_KEYS = ("incident", "answers", "history", "timeline", "reviewers", "decisions", "publications")
# Offline answers describe an exercise as often as a real incident: a discovery time in the future is fine.
_NO_FUTURE_CHECK = datetime(9000, 1, 1, tzinfo=UTC)
_OFFLINE_STEP_ID = "offline"
_LIST_SEPARATORS = re.compile(r"\s*[、,，;；\n]\s*")
_JA_DATETIME = re.compile(
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:[(（][^)）]*[)）])?\s*(\d{1,2})(?::|時)(\d{1,2})分?(?::(\d{2}))?\s*(.*)$"
)
_LOOSE_DATETIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+)(\d{1,2}):(\d{2})(?::(\d{2}))?(.*)$")
_DATE_ONLY = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$|^\d{4}年\d{1,2}月\d{1,2}日(?:\s*[(（][^)）]*[)）])?$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_INCIDENT_NUMBER = re.compile(r"^#?(\d+)$")


class OfflineError(Exception):
    """Answers or a reference that cannot be used; `str()` names the item and what is wrong, in one line."""


# --- reading answers ---------------------------------------------------------------------------------


def load_answers(path: str | Path, *, lang: str = "en") -> dict[str, Any]:
    """Reads a YAML file of answers and returns {item_id: stored value}; raises OfflineError.

    `lang` is the language of the error messages taken from bot.i18n.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OfflineError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OfflineError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise OfflineError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_answers(data, lang=lang)


def parse_answers(data: Any, *, lang: str = "en") -> dict[str, Any]:
    """Returns the stored values of already-loaded YAML data (see load_answers)."""
    answers = _answers_mapping(data)
    unknown = [str(key) for key in answers if key not in ITEMS]
    if unknown:
        raise OfflineError(f"unknown item {', '.join(repr(u) for u in unknown)}; the items are: {', '.join(ITEMS)}")
    given = {item_id: value for item_id in ITEMS if item_id in answers and not _blank(value := answers[item_id])}
    for item_id, value in given.items():
        _refuse_secrets(item_id, value, lang)
    raw: dict[str, Any] = {}
    stored_counts: dict[str, Mapping[str, Any]] = {}
    typed_units: dict[str, str] = {}
    for item_id, value in given.items():
        item = ITEMS[item_id]
        if item.kind is Kind.COUNT and isinstance(value, Mapping):
            stored_counts[item_id] = value
        raw.update(_raw_entries(item, value, typed_units))
    values = _validated(tuple(given), raw, lang)
    for item_id, stored in stored_counts.items():
        values[item_id] = _checked_stored_count(item_id, stored, values[item_id])
    _apply_typed_units(values, typed_units)
    return {item_id: values[item_id] for item_id in ITEMS if values.get(item_id) is not None}


def _answers_mapping(data: Any) -> Mapping[Any, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise OfflineError(
            f"the file must map item ids to answers (or hold them under 'answers:'), not be a {_kind_name(data)}"
        )
    if "answers" not in data:
        return data
    extra = [str(key) for key in data if key not in EXPORT_KEYS]
    if extra:
        raise OfflineError(
            f"unexpected top-level key {', '.join(repr(e) for e in extra)} beside 'answers:' "
            f"(an export holds only {', '.join(EXPORT_KEYS)})"
        )
    answers = data["answers"]
    if answers is None:
        return {}
    if not isinstance(answers, Mapping):
        raise OfflineError(f"answers: must map item ids to answers, not be a {_kind_name(answers)}")
    return answers


def _blank(value: Any) -> bool:
    """An empty value stands for "not answered" (a template with holes still to fill)."""
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (list, tuple, dict)) and not value)
    )


def _refuse_secrets(item_id: str, value: Any, lang: str) -> None:
    """Refuses card numbers, My Numbers and unstorable bytes anywhere in a value (bot.text.screen), never echoing them."""
    for text in _strings(value):
        try:
            screen(text)
        except Unsafe as unsafe:
            raise OfflineError(f"{item_id}: {t(unsafe.key, lang)}") from None


def _strings(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _validated(item_ids: tuple[str, ...], raw: dict[str, Any], lang: str) -> dict[str, Any]:
    """Runs the modal's own parsing and validation (bot.answers.parse_step) on the entries."""
    step = Step(_OFFLINE_STEP_ID, item_ids, "", "")
    try:
        return parse_step(step, raw, lang=lang, now=_NO_FUTURE_CHECK)
    except ValidationFailed as failed:
        problems = [f"{block_id.removesuffix(OTHER_SUFFIX)}: {message}" for block_id, message in failed.errors.items()]
        raise OfflineError("; ".join(problems)) from None


# --- one item: the friendly forms, turned into the raw value a modal's form would give ----------------------


def _raw_entries(item: Item, value: Any, typed_units: dict[str, str]) -> dict[str, Any]:
    """The friendly form of one answer as the plain {block_id: raw value} a modal's form gives the parser."""
    kind = item.kind
    if kind is Kind.MULTILINE and isinstance(value, (list, tuple)):
        return {item.id: _lines(item, value)}
    if kind in (Kind.TEXT, Kind.MULTILINE):
        return {item.id: _text(item, value)}
    if kind is Kind.COUNT:
        return {item.id: _count_text(item, value, typed_units)}
    if kind is Kind.CHOICE:
        return {item.id: _choice(item, value)}
    if kind is Kind.CHECKBOXES:
        selected, other = _checkboxes(item, value)
        return {item.id: selected, item.id + OTHER_SUFFIX: other}
    if kind is Kind.DATETIME:
        return {item.id: _datetime_text(item, value)}
    if kind is Kind.USERS:
        return {item.id: _users(item, value)}
    if kind is Kind.FLAG:
        if not isinstance(value, bool):
            raise OfflineError(f"{item.id}: expected true or false")
        return {item.id: [item.choices[0].value] if value else []}
    raise OfflineError(f"{item.id}: cannot be read offline")  # pragma: no cover - every kind is handled


def _text(item: Item, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, date)) and not isinstance(value, bool):
        return str(value)
    expected = "text or a list of lines" if item.kind is Kind.MULTILINE else "one line of text"
    raise OfflineError(f"{item.id}: expected {expected}, got {_kind_name(value)} (quote it if it is meant as text)")


def _lines(item: Item, value: list[Any] | tuple[Any, ...]) -> str:
    """A YAML list for a multi-line item: its entries one per line, as they would be typed in the modal."""
    lines = []
    for entry in value:
        if entry is None or (isinstance(entry, str) and not entry.strip()):
            continue
        if isinstance(entry, bool) or not isinstance(entry, (str, int, float, date)):
            raise OfflineError(
                f"{item.id}: each line of the list must be text, not {_kind_name(entry)} (quote it if it is meant as text)"
            )
        lines.append(str(entry).strip())
    return "\n".join(lines)


def _count_text(item: Item, value: Any, typed_units: dict[str, str]) -> str:
    if isinstance(value, Mapping):
        return _stored_count_text(item, value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise OfflineError(f"{item.id}: expected a count such as 約2,070万件 or 20700000, got {_kind_name(value)}")
    text = str(value).strip()
    try:
        unit = parse_count(text).unit
    except CountError:
        unit = None  # parse_step says what is wrong, in the modal's words
    if unit is not None:
        typed_units[item.id] = unit
    return text


def _stored_count_text(item: Item, value: Mapping[str, Any]) -> str:
    """A count in its stored shape {"value", "approx", "text"} (an unknown one also "unknown": true): its text
    is parsed again and must agree."""
    extra = set(value) - {"value", "approx", "text", "unknown"}
    if extra:
        raise OfflineError(
            f"{item.id}: a stored count has only value, approx, text and unknown, "
            f"not {', '.join(sorted(map(str, extra)))}"
        )
    number, approx, text = value.get("value"), value.get("approx", False), value.get("text")
    unknown = value.get("unknown", False)
    if not isinstance(unknown, bool) or (unknown and number is not None):
        raise OfflineError(f"{item.id}: unknown: true is a count with no value (value: null)")
    if unknown and (text is None or (isinstance(text, str) and not text.strip())):
        return "調査中"
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 0):
        raise OfflineError(f"{item.id}: value must be a whole number of at least 0")
    if not isinstance(approx, bool):
        raise OfflineError(f"{item.id}: approx must be true or false")
    if text is not None and not isinstance(text, str):
        raise OfflineError(f"{item.id}: text must be a string")
    if text is None or not text.strip():
        if number is None:
            raise OfflineError(f"{item.id}: a stored count needs its value or its text")
        return ("約" if approx else "") + str(number)
    return text


def _checked_stored_count(item_id: str, stored: Mapping[str, Any], parsed: dict[str, Any]) -> dict[str, Any]:
    number, approx = stored.get("value"), stored.get("approx")
    if stored.get("unknown") and not parsed.get("unknown"):
        raise OfflineError(f"{item_id}: unknown: true, but its text {parsed['text']!r} is a count; correct one of them")
    if number is not None and number != parsed["value"]:
        raise OfflineError(
            f"{item_id}: value {number} does not match its text {parsed['text']!r} "
            f"({parsed['value']}); correct one of them"
        )
    if "text" in stored and approx is not None and approx != parsed["approx"]:
        raise OfflineError(f"{item_id}: approx {str(approx).lower()} does not match its text {parsed['text']!r}")
    return parsed


def _apply_typed_units(values: dict[str, Any], typed_units: dict[str, str]) -> None:
    """A unit typed with the counts (760万人) sets count_unit when it is not given, and must agree with it."""
    units = set(typed_units.values())
    if len(units) > 1:
        said = ", ".join(f"{item_id} says {unit}" for item_id, unit in typed_units.items())
        raise OfflineError(f"count_unit: the counts name different units ({said}); use one unit, or set count_unit")
    if not units:
        return
    unit = units.pop()
    given = values.get("count_unit")
    if given is None:
        values["count_unit"] = unit
    elif given != unit:
        item_id = next(iter(typed_units))
        raise OfflineError(f"count_unit: is {given}, but {item_id} is counted in {unit}; make them agree")


def _choice(item: Item, value: Any) -> str:
    if isinstance(value, bool):  # YAML 1.1 reads yes/no as booleans
        value = "yes" if value else "no"
    if not isinstance(value, (str, int)):
        raise OfflineError(f"{item.id}: expected one of {_choice_list(item)}, got {_kind_name(value)}")
    choice = _match_choice(item, str(value))
    if choice is None:
        raise OfflineError(
            f"{item.id}: {str(value)!r} is not a choice; use one of {_choice_list(item)} "
            "(or its Japanese or English label)"
        )
    return choice.value


def _match_choice(item: Item, typed: str) -> Choice | None:
    """The choice whose value, Japanese or English label (or the label before its note) was typed."""
    wanted = _fold(typed)
    for choice in item.choices:
        names = {choice.value, choice.ja, choice.en, _before_note(choice.ja)}
        if wanted in {_fold(name) for name in names if name}:
            return choice
    return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _before_note(label: str) -> str:
    """はい（攻撃・内部不正など） -> はい; 件（レコード数） -> 件."""
    return re.split(r"[（(]", label, maxsplit=1)[0].strip()


def _choice_list(item: Item) -> str:
    return ", ".join(choice.value for choice in item.choices)


def _checkboxes(item: Item, value: Any) -> tuple[list[str], str]:
    """Choice values or labels; anything else is "other", joined with 、. The stored dict is taken as is."""
    if isinstance(value, Mapping):
        extra = set(value) - {"selected", "other"}
        if extra:
            raise OfflineError(
                f"{item.id}: a stored answer has only selected and other, not {', '.join(sorted(map(str, extra)))}"
            )
        selected, other = value.get("selected") or [], value.get("other") or ""
        if not isinstance(selected, list) or not all(isinstance(v, str) for v in selected):
            raise OfflineError(f"{item.id}: selected must be a list of choice values")
        if not isinstance(other, str):
            raise OfflineError(f"{item.id}: other must be text")
        bad = [v for v in selected if item.choice(v) is None]
        if bad:
            raise OfflineError(
                f"{item.id}: {', '.join(repr(b) for b in bad)} is not a choice; selected takes {_choice_list(item)}"
            )
        return selected, other
    if isinstance(value, str):
        entries: list[Any] = [part for part in _LIST_SEPARATORS.split(value.strip()) if part]
    elif isinstance(value, list):
        entries = value
    else:
        raise OfflineError(f"{item.id}: expected a list of data items, got {_kind_name(value)}")
    selected, others = [], []
    for entry in entries:
        if isinstance(entry, bool) or not isinstance(entry, (str, int, float)):
            raise OfflineError(f"{item.id}: each data item must be text, not {_kind_name(entry)}")
        text = str(entry).strip()
        if not text:
            continue
        choice = _match_choice(item, text)
        if choice is not None:
            selected.append(choice.value)
        elif text not in others:
            others.append(text)
    return selected, "、".join(others)


def _datetime_text(item: Item, value: Any) -> str | int:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=JST)).isoformat()
    if isinstance(value, date):
        raise OfflineError(f"{item.id}: give the time as well as the date, e.g. {value.isoformat()} 10:00")
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # seconds since the epoch, as Slack's picker sends
    if not isinstance(value, str):
        raise OfflineError(f"{item.id}: expected a date and time such as 2026-11-26 10:00, got {_kind_name(value)}")
    text = unicodedata.normalize("NFKC", value).strip()
    if _DATE_ONLY.match(text):
        raise OfflineError(f"{item.id}: give the time as well as the date, e.g. {text} 10:00")
    match = _JA_DATETIME.match(text) or _LOOSE_DATETIME.match(text)
    if match:
        year, month, day, hour, minute, second, rest = match.groups()
        text = (
            f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{int(minute):02d}"
            f":{int(second or 0):02d}{rest.strip()}"
        )
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise OfflineError(
            f"{item.id}: {value!r} is not a date and time; write e.g. 2026-11-26 10:00 "
            "(Asia/Tokyo) or 2026-11-26T01:00:00+00:00"
        ) from None
    return text


def _users(item: Item, value: Any) -> list[str]:
    users = [value] if isinstance(value, str) else value
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise OfflineError(f"{item.id}: expected a list of Slack user ids (U…)")
    bad = [u for u in users if not re.match(r"^[UW][A-Z0-9]{2,}$", u)]
    if bad:
        raise OfflineError(f"{item.id}: {', '.join(repr(b) for b in bad)} is not a Slack user id (U…)")
    return users


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


# --- exporting an incident ---------------------------------------------------------------------------


async def export_incident(repo: Any, ref: str) -> dict[str, Any]:
    """An incident, its current answers and every revision, as plain data (YAML-safe, load_answers reads it).

    `ref` is an incident number ("3" or "#3") or a channel id ("C0…").
    """
    ref = str(ref).strip()
    async with repo.read() as tx:
        if number := _INCIDENT_NUMBER.match(ref):
            incident = await tx.incident(int(number.group(1)))
            where = f"#{int(number.group(1))}"
        elif _CHANNEL_ID.match(ref):
            incident = await tx.incident_by_channel(ref)
            where = f"in channel {ref}"
        else:
            raise OfflineError(f"{ref!r} is neither an incident number (3 or #3) nor a channel id (C…)")
        if incident is None:
            raise OfflineError(f"there is no incident {where}")
        answers = await tx.answers(incident.id)
        history = await tx.history(incident.id)
        versions = {d.id: d for d in await tx.drafts(incident.id)}
        reviewers = await tx.reviewer_history(incident.id)
        decisions = await tx.decisions(incident.id)
        publications = await tx.publications(incident.id)
        timeline = await tx.timeline(incident.id)
    order = {item_id: index for index, item_id in enumerate(ITEMS)}
    return {
        "incident": {
            "id": incident.id,
            "channel_id": incident.channel_id,
            "channel_name": incident.channel_name,
            "status": incident.status,
            "opened_at": _iso(incident.created_at),
            "opener": incident.opener_id,
        },
        "answers": {
            item_id: answers[item_id].value for item_id in sorted(answers, key=lambda i: order.get(i, len(order)))
        },
        "history": [{"item": r.item_id, "value": r.value, "user": r.user_id, "at": _iso(r.at)} for r in history],
        # review and publication (issue 12): every change and decision, oldest first, nothing overwritten
        "reviewers": [{"doc": r.doc, "users": list(r.user_ids), "by": r.set_by, "at": _iso(r.at)} for r in reviewers],
        "decisions": [
            {
                "doc": versions[d.draft_id].doc,
                "version": versions[d.draft_id].version,
                "reviewer": d.reviewer,
                "decision": "approved" if d.approved else "changes_requested",
                "comment": d.comment,
                "at": _iso(d.at),
            }
            for d in decisions
        ],
        "publications": [
            {
                "doc": versions[p.draft_id].doc,
                "version": versions[p.draft_id].version,
                "published_at": _iso(p.published_at),
                "how": p.how,
                "url": p.url,
                "by": p.by,
                "at": _iso(p.at),
            }
            for p in publications
        ],
        # the 経緯, in the order things happened: who said it, when, what, and the message it came from
        "timeline": [
            {
                "at": _iso(e.at),
                "text": e.text,
                "author": e.author,
                "added_by": e.added_by,
                "added_at": _iso(e.added_at),
                "permalink": e.permalink,
            }
            for e in timeline
        ],
    }


async def export_database(database_url: str, ref: str) -> dict[str, Any]:
    """export_incident on the database at `database_url`; a missing SQLite file is an error, not created."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import make_engine
    from storage.repository import Repository

    url = make_url(database_url)
    if (
        url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not url.database.startswith("file:")
        and not await asyncio.to_thread(Path(url.database).is_file)
    ):
        raise OfflineError(f"there is no database at {url.database}; set DATABASE_URL to the bot's database")
    engine = make_engine(database_url)
    repo = Repository(engine)
    try:
        return await export_incident(repo, ref)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise OfflineError(f"cannot read the database ({exc.__class__.__name__}: {reason})") from None
    finally:
        await repo.dispose()
        await engine.dispose()


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line answers as literal blocks, so an export is easy to read and edit."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None  # PyYAML falls back to quoting where a block cannot hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    """The YAML text of an export: Unicode kept, keys in their order, multi-line text as blocks."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
