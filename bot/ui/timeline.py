"""The timeline (経緯) in Block Kit: for /leak-timeline and under the checklist of /leak-status.

Entry text was typed by people (or copied from a message): it is escaped, so it never pings or links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.answers import format_datetime
from bot.i18n import t
from bot.ui.ids import INPUT_ACTION, TIMELINE_ADD_ACTION, TIMELINE_AT_BLOCK, TIMELINE_CALLBACK, TIMELINE_TEXT_BLOCK
from bot.ui.metadata import IncidentRef
from bot.ui.modals import modal
from bot.ui.mrkdwn import escape
from bot.ui.posts import header, section
from bot.usecases.timeline import MAX_TEXT
from storage.records import TimelineItem

Block = dict[str, Any]


def entry_line(item: TimelineItem, lang: str) -> str:
    """One entry: when, who, what (escaped), and a link to the message it came from."""
    line = t(
        "timeline.line",
        lang,
        when=format_datetime(item.at, lang),
        user=item.author or item.added_by,
        text=escape(" ".join(item.text.split())),
    )
    if item.permalink and item.permalink.startswith("https://"):
        line += " " + t("timeline.link", lang, link=item.permalink.replace("|", "%7C").replace(">", "%3E"))
    return line


def timeline_blocks(items: Sequence[TimelineItem], lang: str, *, room: int = 40) -> list[Block]:
    """A header and the entries, oldest first, in at most `room` blocks (the newest are kept when cut)."""
    if room < 2:
        return []
    blocks: list[Block] = [header(t("timeline.header", lang, n=len(items)))]
    if not items:
        return [*blocks, section(t("timeline.none", lang))]
    lines = [entry_line(item, lang) for item in items]
    # entry_line escapes the typed text itself; the chunks only split whole lines
    pieces, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > 2900:
            pieces.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:2900]
    pieces.append(current)
    return blocks + [section(p) for p in pieces[-(room - 1) :]]


def add_button(incident_id: int, lang: str) -> Block:
    """Under the list: the button that opens the modal to add a dated entry by hand."""
    button = {
        "type": "button",
        "action_id": TIMELINE_ADD_ACTION,
        "value": IncidentRef(incident_id=incident_id).dump(),
        "text": {"type": "plain_text", "text": t("timeline.add_button", lang), "emoji": True},
    }
    return {"type": "actions", "elements": [button]}


def entry_modal(*, incident_id: int, now: datetime, lang: str) -> dict[str, Any]:
    """The modal of a dated entry: when (default now) and what happened."""
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": TIMELINE_AT_BLOCK,
            "label": {"type": "plain_text", "text": t("timeline.at_label", lang)},
            "element": {"type": "datetimepicker", "action_id": INPUT_ACTION, "initial_date_time": int(now.timestamp())},
        },
        {
            "type": "input",
            "block_id": TIMELINE_TEXT_BLOCK,
            "label": {"type": "plain_text", "text": t("timeline.text_label", lang)},
            "hint": {"type": "plain_text", "text": t("timeline.text_hint", lang)},
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT_ACTION,
                "multiline": True,
                "max_length": MAX_TEXT,
            },
        },
    ]
    return modal(
        t("timeline.modal_title", lang),
        blocks,
        callback_id=TIMELINE_CALLBACK,
        submit=t("timeline.modal_submit", lang),
        close=t("timeline.modal_cancel", lang),
        metadata=IncidentRef(incident_id=incident_id, lang=lang).dump(),
    )
