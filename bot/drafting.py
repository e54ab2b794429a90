"""The draft disclosure: rendered from the answers by a template per document and language."""

from __future__ import annotations

import re
from typing import Any, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.answers import as_count, display
from bot.checklist import ITEMS, missing_required
from bot.counts import format_count_en, format_count_ja

_ENV = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=False,  # plain text; escaping for Slack happens where it is posted
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    undefined=StrictUndefined,
)

CARD_BANK_SENTENCES = {
    "ja": {
        "none": "クレジットカード情報および銀行口座情報は含まれておりません。",
        "possible": "クレジットカード情報または銀行口座情報が含まれている可能性がございます。",
        "yes": "クレジットカード情報または銀行口座情報が含まれていることを確認しております。",
        "investigating": "クレジットカード情報および銀行口座情報が含まれているかどうかについては、現在調査中です。判明次第お知らせいたします。",
    },
    "en": {
        "none": "No credit-card or bank-account data were involved.",
        "possible": "Credit-card or bank-account data may have been involved.",
        "yes": "We have confirmed that credit-card or bank-account data were involved.",
        "investigating": "We are still investigating whether credit-card or bank-account data were involved, "
        "and will tell you as soon as we know.",
    },
}

UNITS = {"ja": {"件": "件", "人": "人", "世帯": "世帯"}, "en": {"件": "records", "人": "people", "世帯": "households"}}
UNITS_ONE = {"ja": UNITS["ja"], "en": {"件": "record", "人": "person", "世帯": "household"}}


def unit_word(unit: str, value: int, lang: str) -> str:
    """The unit as said after a count: 件, or "record" / "records" by the number in English."""
    return (UNITS_ONE if value == 1 else UNITS)[lang][unit]


class DraftNotReady(Exception):
    """Required items are still open; `missing` lists them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def draft_context(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Returns what the template needs, every answer already worded for people."""
    fmt = format_count_ja if lang == "ja" else format_count_en
    text = {item_id: display(item_id, values.get(item_id), lang) for item_id in ITEMS}
    has_damage = bool(values.get("secondary_damage"))
    unit = values.get("count_unit") or "件"
    first = 6 + has_damage  # sections after the optional "secondary damage" one move down
    return {
        **text,
        "max_count": fmt(as_count(values["max_count"])),
        "confirmed_count": fmt(as_count(values["confirmed_count"])),
        "max_unit": unit_word(unit, values["max_count"]["value"], lang),
        "confirmed_unit": unit_word(unit, values["confirmed_count"]["value"], lang),
        "confirmed_is_one": values["confirmed_count"]["value"] == 1,
        "card_bank": CARD_BANK_SENTENCES[lang][values["card_bank"]],
        "n": {"customer": first, "contact": first + 1, "measures": first + 2},
    }


def render(values: Mapping[str, Any], *, lang: str, doc: str = "public") -> str:
    """Returns the draft text; raises DraftNotReady while required items are open."""
    missing = missing_required(values)
    if missing:
        raise DraftNotReady(missing)
    template = _ENV.get_template(f"{doc}.{lang}.j2")
    return template.render(**draft_context(values, lang)).strip() + "\n"


_HEADING = re.compile(r"^\d+\. \S")


def to_markdown(body: str) -> str:
    """The draft as a Markdown file: the first line a title, numbered section lines headings."""
    lines = body.strip("\n").split("\n")
    out = ["# " + lines[0]]
    for line in lines[1:]:
        out.append("## " + line if _HEADING.match(line) else line)
    return "\n".join(out) + "\n"
