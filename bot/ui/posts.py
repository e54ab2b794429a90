"""Messages posted in the channel: the checklist, a question, the draft, and short notices."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.answers import Answer, display, format_datetime
from bot.checklist import CHECKLIST_STEPS, ITEMS, Step, asked_items, progress
from bot.i18n import t
from bot.nudging import SNOOZE_CHOICES
from bot.sensitive import find_secret
from bot.ui.ids import (
    ANSWER_ACTION,
    CLOSE_CANCEL_ACTION,
    CLOSE_CONFIRM_ACTION,
    CONFIRM_DRAFT_ACTION,
    OWNER_ACTION,
    SNOOZE_ACTION,
)
from bot.ui.metadata import OwnerRef, StepRef
from bot.ui.mrkdwn import escape, escaped_chunks, shorten

Block = dict[str, Any]
MAX_BLOCKS = 50
ANSWER_PREVIEW = 300  # characters of an answer shown on the checklist


def section(text: str, accessory: Block | None = None) -> Block:
    """A mrkdwn section; `text` must already be escaped."""
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, 3000)}}
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    """A small grey line; `text` must already be escaped."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, 3000)}]}


def header(text: str) -> Block:
    """A header line of plain text."""
    return {"type": "header", "text": {"type": "plain_text", "text": shorten(text, 150), "emoji": True}}


def answer_button(incident_id: int, step: Step, lang: str, label_key: str = "question.button") -> Block:
    """The button that opens a step's modal."""
    return {
        "type": "button",
        "action_id": ANSWER_ACTION,
        "style": "primary",
        "text": {"type": "plain_text", "text": t(label_key, lang)},
        "value": StepRef(incident_id=incident_id, step_id=step.id).dump(),
    }


def owner_picker(incident_id: int, item_ids: Sequence[str], owner: str | None, lang: str) -> Block:
    """A user picker that gives the items an owner; its block_id says which items."""
    picker: Block = {
        "type": "users_select",
        "action_id": OWNER_ACTION,
        "placeholder": {"type": "plain_text", "text": t("owner.pick", lang)},
    }
    if owner:
        picker["initial_user"] = owner
    return picker


def checklist_blocks(
    *,
    title: str,
    answers: Mapping[str, Answer],
    lang: str,
    owners: Mapping[str, str] | None = None,
    closed_line: str = "",
    legal_lines: Sequence[str] = (),
    incident_id: int | None = None,
) -> list[Block]:
    """The checklist: every item, answered or open, its owner, who answered and when, and the progress.

    With `incident_id` every item gets an owner picker (for /leak-status). `closed_line` is mrkdwn;
    `legal_lines` (the report duty and its clocks) are plain text.
    """
    owners = owners or {}
    done = progress({k: a.value for k, a in answers.items()})
    blocks = [
        header(t("checklist.header", lang, title=title)),
        context(
            t(
                "checklist.progress",
                lang,
                rd=done.required_done,
                rt=done.required_total,
                od=done.optional_done,
                ot=done.optional_total,
            )
        ),
    ]
    if closed_line:
        blocks.append(context(closed_line))
    if legal_lines:
        blocks.append(section(escape("\n".join(legal_lines))))
    blocks.append({"type": "divider"})
    for item in asked_items({item_id: answer.value for item_id, answer in answers.items()}):
        line = _item_line(item.id, answers.get(item.id), owners.get(item.id), lang)
        picker = owner_picker(incident_id, [item.id], owners.get(item.id), lang) if incident_id is not None else None
        block = section(line, picker)
        if picker and incident_id is not None:
            block["block_id"] = OwnerRef(incident_id=incident_id, item_ids=[item.id]).dump()
        blocks.append(block)
    if done.complete:
        blocks.append(context(t("checklist.complete", lang)))
    return blocks[:MAX_BLOCKS]


def _item_line(item_id: str, answer: Answer | None, owner: str | None, lang: str) -> str:
    item = ITEMS[item_id]
    kind = t("checklist.required" if item.required else "checklist.optional", lang)
    head = f"*{escape(item.label(lang))}* `{item.id}` ({kind})"
    if owner:
        head += " " + t("owner.shown", lang, user=owner)
    if answer is None:
        if item.default:
            default = display(item_id, item.default, lang)
            return f":white_circle: {head}\n{escape(t('checklist.default', lang, value=default))}"
        return f":black_square_button: {head} — _{t('checklist.open', lang)}_"
    value = shorten(display(item_id, answer.value, lang), ANSWER_PREVIEW)
    by = t("checklist.by", lang, user=answer.user_id, when=format_datetime(answer.at, lang))
    revised = t("checklist.revised", lang, n=answer.revisions) if answer.revisions > 1 else ""
    return f":white_check_mark: {head}\n{escape(value)}\n_{by}{revised}_"


def question_blocks(step: Step, *, incident_id: int, lang: str, owner: str | None = None) -> list[Block]:
    """A question in the channel, with the button that opens its modal and a picker for its owner."""
    number = CHECKLIST_STEPS.index(step) + 1 if step in CHECKLIST_STEPS else 0
    label = t("question.label", lang, n=number, total=len(CHECKLIST_STEPS)) if number else step.title(lang)
    picker = owner_picker(incident_id, step.items, owner, lang)
    return [
        context(escape(label)),
        section(f"*{escape(step.question(lang) or step.title(lang))}*", answer_button(incident_id, step, lang)),
        {
            "type": "actions",
            "block_id": OwnerRef(incident_id=incident_id, item_ids=list(step.items)).dump(),
            "elements": [picker],
        },
    ]


def topic_text(incident_id: int, title: str, lang: str) -> str:
    """The channel topic: the incident's number and its title. When the number would join the title's
    digits into a card number or My Number (#4111 and a title "1111 1111 1111"), the title comes first."""
    topic = t("open.topic", lang, id=incident_id, title=escape(title))
    if find_secret(topic) is None:
        return topic
    return t("open.topic_apart", lang, id=incident_id, title=escape(title))


def question_text(step: Step, lang: str) -> str:
    """The plain-text fallback of a question (notifications, screen readers)."""
    return step.question(lang) or step.title(lang)


def draft_messages(*, body: str, heading: str, lang: str, notes: Sequence[str] = ()) -> list[list[Block]]:
    """A document as one or more messages of sections that each fit Slack's limits; nothing is cut."""
    head = [header(heading), context(escape(t("draft.note", lang)))]
    head += [context(escape(note)) for note in notes]
    sections = [section(piece) for piece in escaped_chunks(body)]
    room = MAX_BLOCKS - len(head)
    messages = [head + sections[:room]]
    for start in range(room, len(sections), MAX_BLOCKS):
        messages.append(sections[start : start + MAX_BLOCKS])
    return messages


def hold_blocks(*, incident_id: int, draft_id: int, lines: Sequence[str], lang: str) -> list[Block]:
    """The warning before a version with a higher maximum count is posted, and the button that allows it."""
    confirm = {
        "title": {"type": "plain_text", "text": t("draft.hold_title", lang)},
        "text": {"type": "plain_text", "text": t("draft.hold_confirm", lang)},
        "confirm": {"type": "plain_text", "text": t("draft.hold_button", lang)[:24]},
        "deny": {"type": "plain_text", "text": t("close.cancel", lang)},
    }
    value = json.dumps({"incident_id": incident_id, "draft_id": draft_id})
    return [
        section("\n".join(lines)),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": CONFIRM_DRAFT_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": t("draft.hold_button", lang)},
                    "value": value,
                    "confirm": confirm,
                }
            ],
        },
    ]


def missing_blocks(missing: Sequence[str], lang: str, key: str = "draft.missing") -> list[Block]:
    """Lists the required items still open."""
    lines = "\n".join(f"• *{escape(ITEMS[i].label(lang))}* `{i}`" for i in missing)
    return [section(escape(t(key, lang)) + "\n" + lines)]


def optional_steps_blocks(steps: Sequence[Step], *, incident_id: int, lang: str) -> list[Block]:
    """What /leak-next says once every required item is answered."""
    blocks = [section(escape(t("next.required_done", lang)))]
    if not steps:
        return [*blocks, context(escape(t("next.nothing_open", lang)))]
    blocks.append(context(escape(t("next.optional_open", lang))))
    for step in steps:
        labels = (
            "、".join(ITEMS[i].label(lang) for i in step.items)
            if lang == "ja"
            else ", ".join(ITEMS[i].label(lang) for i in step.items)
        )
        blocks.append(section(escape(labels), answer_button(incident_id, step, lang, "next.answer_button")))
    return blocks[:MAX_BLOCKS]


def close_question_blocks(lang: str) -> list[Block]:
    """The ephemeral question of /leak-close, with a confirmation dialog on the button."""
    confirm = {
        "title": {"type": "plain_text", "text": t("close.confirm_title", lang)},
        "text": {"type": "plain_text", "text": t("close.confirm_text", lang)},
        "confirm": {"type": "plain_text", "text": t("close.button", lang)},
        "deny": {"type": "plain_text", "text": t("close.cancel", lang)},
        "style": "danger",
    }
    return [
        section(escape(t("close.question", lang))),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": CLOSE_CONFIRM_ACTION,
                    "style": "danger",
                    "confirm": confirm,
                    "text": {"type": "plain_text", "text": t("close.button", lang)},
                    "value": "close",
                },
                {
                    "type": "button",
                    "action_id": CLOSE_CANCEL_ACTION,
                    "text": {"type": "plain_text", "text": t("close.cancel", lang)},
                    "value": "keep",
                },
            ],
        },
    ]


def nudge_blocks(
    missing: Sequence[str],
    *,
    step: Step,
    incident_id: int,
    owners: Mapping[str, str],
    lang: str,
    extra: Sequence[str] = (),
) -> list[Block]:
    """A nudge: the open required items with their owners, the next question's button and snoozes."""
    lines = "\n".join(f"• *{escape(ITEMS[i].label(lang))}* `{i}` — <@{owners[i]}>" for i in missing)
    snoozes = [
        {
            "type": "button",
            "action_id": f"{SNOOZE_ACTION}_{seconds}",
            "value": str(seconds),
            "text": {"type": "plain_text", "text": t(f"nudge.snooze_{seconds}", lang)},
        }
        for seconds in SNOOZE_CHOICES
    ]
    text = escape(t("nudge.text", lang, n=len(missing))) + "\n" + lines
    if extra:
        text += "\n" + escape("\n".join(extra))
    return [
        section(text),
        {"type": "actions", "elements": [answer_button(incident_id, step, lang, "nudge.answer"), *snoozes]},
    ]
