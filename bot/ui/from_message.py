"""A Slack message as the start of an incident: its text as plain words, the new-incident form prefilled.

Message text arrives in Slack's markup (`<@U123>`, `<#C1|name>`, `<!here>`, `<https://x|label>`, with &, <
and > escaped). It is turned into plain words for a plain-text input, so nothing in it is a live mention or
link; wherever the answer is shown later it is escaped again like every typed answer.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.checklist import ITEMS
from bot.i18n import t
from bot.text import Typed, screen
from bot.ui.modals import input_block, new_incident_modal

_MARKUP = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def plain_text(markup: str) -> str:
    """Slack message markup as plain words: <@U1> -> @U1, <#C1|leaks> -> #leaks, <!here> -> @here,
    <https://x|site> -> site (https://x); entities decoded."""

    def readable(match: re.Match[str]) -> str:
        target, label = match[1], match[2]
        if target[0] in "@#":
            return target[0] + (label.lstrip("@#") if label else target[1:])
        if target[0] == "!":
            return "@" + (label.lstrip("@") if label else target[1:].split("^")[0])
        return f"{label} ({target})" if label and label != target else target

    return _MARKUP.sub(readable, markup).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def summary_from(text: str, permalink: str | None, lang: str) -> Typed:
    """The summary prefill: the message's words, then where it was posted (kept whole when the text is cut).
    Screened like anything typed (bot.text): raises Unsafe rather than send a card number back to Slack."""
    limit = ITEMS["summary"].max_length
    source = t("shortcut.source", lang, link=permalink) if permalink else ""
    room = limit - len(source) - 2 if source else limit
    words = plain_text(text).strip()
    if len(words) > room:
        words = words[: room - 1] + "…"
    return screen(f"{words}\n\n{source}".strip() if source else words)


def incident_from_message(
    *, text: str, permalink: str | None, reporter: str | None, now: datetime, lang: str
) -> dict[str, Any]:
    """The new-incident form with the summary taken from a message and its author suggested as a responder;
    raises Unsafe when the message holds what the screen refuses (bot.text)."""
    view = new_incident_modal(title="", now=now, lang=lang)
    prefill = {"summary": summary_from(text, permalink, lang), "responders": [reporter] if reporter else None}
    view["blocks"] = [
        input_block(ITEMS[b["block_id"]], prefill[b["block_id"]], lang) if b.get("block_id") in prefill else b
        for b in view["blocks"]
    ]
    return view
