"""The draft disclosure: rendered from the answers by a template per document and language."""

from __future__ import annotations

from typing import Any, Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot import legal
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


DOCS = ("public", "notice", "ppc")
UNKNOWN = {"ja": "調査中", "en": "Under investigation."}
UNIT_CAVEATS = {
    "ja": {"件": "※上記は件数（レコード数）であり、本人の数は調査中である。", "世帯": "※上記は世帯数であり、本人の数は調査中である。"},
    "en": {"件": "Note: these figures count records; the number of people is under investigation.",
           "世帯": "Note: these figures count households; the number of people is under investigation."},
}
PUBLICATION = {
    "ja": {None: "公表の要否・時期を検討中。", "drafted": "公表文案を作成済み（第{version}版）。公表の時期を検討中。"},
    "en": {None: "Whether and when to publish is being decided.",
           "drafted": "A public statement has been drafted (version {version}); the timing is being decided."},
}


def draft_context(values: Mapping[str, Any], lang: str, *, public_version: int | None = None) -> dict[str, Any]:
    """Returns what the templates need, every answer already worded for people (unknowns as 調査中)."""
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
        "unknown": UNKNOWN[lang],
        "unit_caveat": UNIT_CAVEATS[lang].get(unit, ""),
        "sensitive": "sensitive" in (values.get("data_items") or {}).get("selected", []),
        "publication": PUBLICATION[lang]["drafted" if public_version else None].format(version=public_version),
        "triggers": _triggers(values, lang),
    }


def _triggers(values: Mapping[str, Any], lang: str) -> str:
    """The reasons the report to the Commission is due, or may be, in one line."""
    findings = [f for f in legal.assess(values).findings if f.status is not legal.Status.NOT_APPLICABLE]
    if not findings:
        return "報告義務の対象となる事由は確認されていない。" if lang == "ja" else "No reason for a mandatory report has been found."
    names = legal.trigger_names(findings, lang)
    return ("、".join(names) if lang == "ja" else "; ".join(names))


def render(values: Mapping[str, Any], *, lang: str, doc: str = "public", public_version: int | None = None) -> str:
    """Returns the text of a document; raises DraftNotReady while required items are open.

    `public_version` (the public draft's newest version, if any) feeds the Commission report's
    "publication" item.
    """
    missing = missing_required(values)
    if missing:
        raise DraftNotReady(missing)
    template = _ENV.get_template(f"{doc}.{lang}.j2")
    return template.render(**draft_context(values, lang, public_version=public_version)).strip() + "\n"


def changed_items(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The item ids whose answers differ between two sets of answers, in checklist order."""
    return [item_id for item_id in ITEMS if before.get(item_id) != after.get(item_id)]
