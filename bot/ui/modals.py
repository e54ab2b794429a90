"""Modals: the new-incident form, one form per checklist step, and the opening progress/result."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.answers import OTHER_SUFFIX, Answer, format_datetime
from bot.checklist import INCIDENT_STEP, ITEMS, Item, Kind, Step
from bot.i18n import MESSAGES, t
from bot.ui.ids import INPUT_ACTION, OPEN_CALLBACK, STEP_CALLBACK
from bot.ui.metadata import FormRef, StepRef
from bot.ui.mrkdwn import escape, shorten

Block = dict[str, Any]


def _plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def _option(choice: Any, lang: str) -> dict[str, Any]:
    return {"text": _plain(choice.label(lang), 75), "value": choice.value}


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str | None = None,
    metadata: str = "",
) -> dict[str, Any]:
    """Returns a modal view; Slack allows 24 characters in titles and buttons."""
    view: dict[str, Any] = {"type": "modal", "title": _plain(title, 24), "blocks": blocks[:100]}
    if callback_id:
        view["callback_id"] = callback_id
    if submit:
        view["submit"] = _plain(submit, 24)
    if close:
        view["close"] = _plain(close, 24)
    if metadata:
        view["private_metadata"] = metadata
    return view


def new_incident_modal(*, title: str, now: datetime, lang: str) -> dict[str, Any]:
    """The /leak-open form: title prefilled from the command, discovery time defaulting to now."""
    initial = {"title": title.strip()[: ITEMS["title"].max_length] or None, "discovered_at": int(now.timestamp())}
    blocks = [input_block(ITEMS[i], initial.get(i), lang) for i in INCIDENT_STEP.items]
    return modal(
        INCIDENT_STEP.title(lang),
        blocks,
        callback_id=OPEN_CALLBACK,
        submit=t("open.submit", lang),
        close=t("open.cancel", lang),
        metadata=FormRef(lang=lang).dump(),
    )


def step_modal(
    step: Step, *, incident_id: int, answers: Mapping[str, Answer], lang: str, basis: int | None = None
) -> dict[str, Any]:
    """The form of one checklist step, prefilled with the current answers (`basis`: the newest revision of
    the step's items among them, so a submission after someone else's change is refused)."""
    blocks: list[Block] = []
    question = step.question(lang)
    if question:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(question)}})
    for item_id in step.items:
        answer = answers.get(item_id)
        blocks.extend(item_blocks(ITEMS[item_id], answer.value if answer else None, lang))
        if answer:
            when = format_datetime(answer.at, lang)
            blocks.append(_context(t("step.current", lang, who=f"<@{answer.user_id}>", when=when)))
    ref = StepRef(incident_id=incident_id, step_id=step.id, lang=lang, basis=basis).dump()
    return modal(
        step.title(lang),
        blocks,
        callback_id=STEP_CALLBACK,
        submit=t("step.submit", lang),
        close=t("step.cancel", lang),
        metadata=ref,
    )


def item_blocks(item: Item, value: Any, lang: str) -> list[Block]:
    """The input block(s) of one item; a checkbox item gets an "other" text field after it."""
    if item.kind is not Kind.CHECKBOXES:
        return [input_block(item, value, lang)]
    hint = f"step.other_hint.{item.id}"
    other = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "max_length": item.max_length,
        "placeholder": _plain(t(hint if hint in MESSAGES else "step.other_hint", lang), 150),
    }
    if value and value.get("other"):
        other["initial_value"] = value["other"]
    return [
        input_block(item, value, lang),
        {
            "type": "input",
            "block_id": item.id + OTHER_SUFFIX,
            "optional": True,
            "label": _plain(t("step.other", lang), 2000),
            "element": other,
        },
    ]


def input_block(item: Item, value: Any, lang: str) -> Block:
    """One input block whose block_id is the item id."""
    block: Block = {
        "type": "input",
        "block_id": item.id,
        "label": _plain(item.label(lang), 2000),
        "element": _ELEMENTS[item.kind](item, value, lang),
        # Slack would insist on a checkbox even when "other" is filled in; we check it ourselves.
        "optional": not item.required or item.kind is Kind.CHECKBOXES,
    }
    if item.hint(lang):
        block["hint"] = _plain(item.hint(lang), 2000)
    return block


def _text_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION,
        "max_length": item.max_length,
        "multiline": item.kind is Kind.MULTILINE,
    }
    shown = value.get("text") if isinstance(value, dict) else value
    if shown:
        element["initial_value"] = str(shown)[: item.max_length]
    return element


def _choice_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": INPUT_ACTION,
        "options": [_option(c, lang) for c in item.choices],
    }
    chosen = item.choice(value) if value else item.choice(item.default) if item.default else None
    if chosen:
        element["initial_option"] = _option(chosen, lang)
    return element


def _checkbox_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element = {"type": "checkboxes", "action_id": INPUT_ACTION, "options": [_option(c, lang) for c in item.choices]}
    chosen = [c for c in item.choices if value and c.value in value.get("selected", [])]
    if chosen:
        element["initial_options"] = [_option(c, lang) for c in chosen]
    return element


def _flag_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element = {"type": "checkboxes", "action_id": INPUT_ACTION, "options": [_option(c, lang) for c in item.choices]}
    if value is True:
        element["initial_options"] = [_option(item.choices[0], lang)]
    return element


def _datetime_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datetimepicker", "action_id": INPUT_ACTION}
    if isinstance(value, int):
        element["initial_date_time"] = value
    elif isinstance(value, str):
        element["initial_date_time"] = int(datetime.fromisoformat(value).timestamp())
    return element


def _users_element(item: Item, value: Any, lang: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "multi_users_select", "action_id": INPUT_ACTION, "max_selected_items": 100}
    if value:
        element["initial_users"] = list(value)
    return element


_ELEMENTS = {
    Kind.TEXT: _text_element,
    Kind.MULTILINE: _text_element,
    Kind.COUNT: _text_element,
    Kind.CHOICE: _choice_element,
    Kind.CHECKBOXES: _checkbox_element,
    Kind.DATETIME: _datetime_element,
    Kind.USERS: _users_element,
    Kind.FLAG: _flag_element,
}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, 3000)}]}


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only tells something (progress, result, failure)."""
    return modal(title, [{"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, 3000)}}], close="OK")
