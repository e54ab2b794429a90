"""The documents: rendered from the answers by a template per document and language.

`render` is deterministic: the same answers, language, document and `DraftMeta` give the same text.
Headings, the title and right-aligned lines carry invisible marks (bot.documents) that only templates
emit; every answer has them stripped first, so typed text is never promoted to a heading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot import legal, wording
from bot.answers import count_is_unknown, display, format_datetime
from bot.checklist import ITEMS, missing_required
from bot.clock import JST
from bot.documents import HEADING, RIGHT, TITLE, strip_marks
from bot.sensitive import find_secret
from bot.text import Unsafe

__all__ = ["DOCS", "DraftMeta", "DraftNotReady", "TimelineEntry", "changed_items", "draft_context", "render"]

_ENV = Environment(
    loader=PackageLoader("bot", "templates"),
    autoescape=False,  # plain text; escaping for Slack happens where it is posted
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    undefined=StrictUndefined,
)

DOCS = ("public", "notice", "ppc", "faq")


def _labelled(text: str, label: str) -> str:
    """「label：text」; typed text of several lines starts on the line after its label, so each keeps its place."""
    return f"{label.rstrip()}\n{text}" if "\n" in text else f"{label}{text}"


_ENV.filters["labelled"] = _labelled


class DraftNotReady(Exception):
    """Required items are still open; `missing` lists them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class TimelineEntry:
    """One dated entry of the incident's timeline (経緯); `text` was typed by a person."""

    at: datetime  # aware
    text: str
    author: str | None = None


@dataclass(frozen=True)
class DraftMeta:
    """What a document needs beyond the answers: who issues it, which version, when, and what came before."""

    company: str | None = None  # LEAKBOT_COMPANY; None: 当社 (ja) / "we" (en), and no issuer line
    version: int = 1
    dated: datetime | None = None  # when this version is made (aware); None: no date line
    previous: Mapping[str, Any] | None = None  # the answers the previous version of this document came from
    previous_dated: datetime | None = None
    timeline: Sequence[TimelineEntry] = ()
    public_version: int | None = None  # the newest public version, for the Commission report's 公表 item
    exercise: bool = False  # a drill: the title says 訓練 / EXERCISE


# What a changed item is called in a document's 追記 / Update line.
SECTION_NAMES = {
    "ja": {
        "title": "件名",
        "discovered_at": "判明日時",
        "summary": "事案の概要",
        "data_items": "個人情報の項目",
        "max_count": "対象となる数",
        "confirmed_count": "対象となる数",
        "count_unit": "対象となる数",
        "services": "対象となるサービス",
        "card_bank": "クレジットカード情報および金融機関の口座情報",
        "card_bank_detail": "クレジットカード情報および金融機関の口座情報",
        "customer_actions": "お客様へのお願い",
        "contact": "お問い合わせ窓口",
        "cause": "原因",
        "malicious": "原因",
        "secondary_damage": "二次被害",
        "measures": "今後の対応",
        "occurred_at": "発生時期",
        "notification": "対象のお客様へのご連絡",
        "publication": "公表",
        "authorities": "関係機関への報告・相談",
        "ppc_report": "個人情報保護委員会への報告",
    },
    "en": {
        "title": "title",
        "discovered_at": "when it was found",
        "summary": "what happened",
        "data_items": "the data affected",
        "max_count": "the numbers",
        "confirmed_count": "the numbers",
        "count_unit": "the numbers",
        "services": "the services affected",
        "card_bank": "card and bank data",
        "card_bank_detail": "card and bank data",
        "customer_actions": "what you should do",
        "contact": "contact",
        "cause": "the cause",
        "malicious": "the cause",
        "secondary_damage": "misuse of the data",
        "measures": "what we are doing",
        "occurred_at": "when it happened",
        "notification": "how the people affected are told",
        "publication": "publication",
        "authorities": "authorities consulted",
        "ppc_report": "the report to the PPC",
    },
}
# The Commission report's own wording (rule 8), over SECTION_NAMES.
PPC_NAMES = {
    "ja": {
        "data_items": "個人データの項目",
        "max_count": "本人の数",
        "confirmed_count": "本人の数",
        "count_unit": "本人の数",
        "services": "対象となるサービスの範囲",
        "malicious": "不正の目的によるものか否か",
        "secondary_damage": "二次被害又はそのおそれの有無及びその内容",
        "measures": "再発防止のための措置",
        "notification": "本人への対応の実施状況",
        "publication": "公表の実施状況",
        "customer_actions": "本人への依頼事項",
        "contact": "問い合わせ窓口",
    },
    "en": {
        "data_items": "the items of personal data",
        "max_count": "the number of people",
        "confirmed_count": "the number of people",
        "count_unit": "the number of people",
        "malicious": "whether it was done with a wrongful purpose",
        "secondary_damage": "secondary damage",
        "measures": "measures to prevent a recurrence",
        "notification": "action taken for the people affected",
        "publication": "publication",
        "customer_actions": "what the people affected are asked to do",
        "contact": "where they can ask",
    },
}
# Items whose answer the final report (確報) must have; each missing one is listed as a gap to close.
FINAL_GAPS = (
    "occurred_at",
    "cause",
    "malicious",
    "secondary_damage",
    "measures",
    "notification",
    "publication",
    "authorities",
)
_RULE7 = {legal.Trigger.SENSITIVE: 1, legal.Trigger.FINANCIAL: 2, legal.Trigger.WRONGFUL: 3, legal.Trigger.OVER_1000: 4}
_RULE7_NAMES = {
    "ja": {
        1: "要配慮個人情報が含まれる個人データの漏えい等",
        2: "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等",
        3: "不正の目的をもって行われたおそれがある個人データの漏えい等",
        4: "本人の数が1,000人を超える個人データの漏えい等",
    },
    "en": {
        1: "sensitive personal data",
        2: "data whose misuse may cause financial loss",
        3: "possibly done with a wrongful purpose",
        4: "more than 1,000 people",
    },
}
_STATUS = {
    "ja": {
        legal.Status.APPLIES: "該当",
        legal.Status.MAY_APPLY: "該当するおそれ（調査中）",
        legal.Status.NOT_APPLICABLE: "非該当",
    },
    "en": {
        legal.Status.APPLIES: "applies",
        legal.Status.MAY_APPLY: "may apply (under investigation)",
        legal.Status.NOT_APPLICABLE: "does not apply",
    },
}
_ROMAN = {1: "i", 2: "ii", 3: "iii", 4: "iv"}


def render(
    values: Mapping[str, Any],
    *,
    lang: str,
    doc: str = "public",
    meta: DraftMeta | None = None,
    public_version: int | None = None,
) -> str:
    """Returns the text of a document; raises DraftNotReady while required items are open.

    Raises Unsafe ("error.secret.joined") when the text holds a card number or My Number that no answer
    holds alone: two answers set one after the other (each screened by bot.text) whose digits join up. Such
    a text is never stored or posted; the person whose answer made it is asked to revise one of them.
    `public_version` is kept for older callers: it fills `meta.public_version` when that is unset.
    """
    missing = missing_required(values)
    if missing:
        raise DraftNotReady(missing)
    meta = meta or DraftMeta()
    if meta.public_version is None and public_version is not None:
        meta = replace(meta, public_version=public_version)
    template = _ENV.get_template(f"{doc}.{lang}.j2")
    text = _finish(template.render(**draft_context(values, lang, doc=doc, meta=meta)))
    if find_secret(text) is not None:
        raise Unsafe("error.secret.joined")
    return text


def changed_items(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The item ids whose answers differ between two sets of answers, in checklist order."""
    return [item_id for item_id in ITEMS if before.get(item_id) != after.get(item_id)]


def _finish(text: str) -> str:
    """Numbers the headings in order (1. 2. …), keeps at most one blank line in a row, ends with one newline."""
    lines: list[str] = []
    number = 0
    for line in text.strip().split("\n"):
        if line.startswith(HEADING):
            number += 1
            line = f"{HEADING}{number}. {line[len(HEADING) :]}"
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def _unmarked(value: Any) -> Any:
    """An answer with the template-only line marks removed from every string in it."""
    if isinstance(value, str):
        return strip_marks(value)
    if isinstance(value, Mapping):
        return {key: _unmarked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unmarked(item) for item in value]
    return value


def draft_context(
    values: Mapping[str, Any], lang: str, *, doc: str = "public", meta: DraftMeta | None = None
) -> dict[str, Any]:
    """Returns what the templates need, every answer already worded for the document (unknowns as 調査中)."""
    meta = meta or DraftMeta()
    values = _unmarked(values)
    plain = doc == "ppc"
    text = {item_id: display(item_id, values.get(item_id), lang) for item_id in ITEMS}
    for item_id in _SAID_WHEN_UNKNOWN:  # a typed "調査中" gets the document's own sentence for it
        if wording.is_bare_unknown(text[item_id]):
            text[item_id] = ""
    unit = values.get("count_unit") or "件"
    card_bank = values["card_bank"]
    detail = values.get("card_bank_detail") if card_bank in ("yes", "possible", "investigating") else None
    final = doc == "ppc" and values.get("ppc_report") in _FILED
    company = strip_marks(meta.company).strip() if meta.company else ""
    return {
        **text,
        "T": TITLE,
        "H": HEADING,
        "R": RIGHT,
        "title_line": _title_line(values["title"], lang, doc, final=final, exercise=meta.exercise),
        "date_line": _date_line(meta.dated, lang),
        "issuer": company,
        "update_line": _update_line(values, lang, doc, meta),
        "leaked": not count_is_unknown(values["confirmed_count"]) and int(values["confirmed_count"]["value"]) > 0,
        "discovered": format_datetime(datetime.fromisoformat(values["discovered_at"]), lang),
        "timeline": _timeline(meta.timeline, lang),
        "items": wording.bullets(wording.data_item_list(values["data_items"], detail, card_bank, lang), lang),
        "sensitive": "sensitive" in (values["data_items"].get("selected") or []),
        "count_heading": wording.UNIT_HEADINGS[lang][unit],
        "count_lines": wording.count_lines(values["max_count"], values["confirmed_count"], unit, lang, plain=plain),
        "unit_caveat": wording.UNIT_CAVEATS[lang].get(unit, ""),
        "card_bank_value": card_bank,
        "malicious_value": values.get("malicious"),
        "card_lines": wording.card_bank_lines(card_bank, detail, lang, plain=plain),
        "services_scope": wording.services_scope(values["services"]),
        "services_unknown_only": wording.is_bare_unknown(values["services"]),
        "final": final,
        "triggers": _triggers(values, lang),
        "since_preliminary": _since_preliminary(values, lang, meta) if final else [],
        "has_previous": _follows_preliminary(values, meta),
        "preliminary_date": _date_line(meta.previous_dated, lang) if _follows_preliminary(values, meta) else "",
        "gaps": _gaps(values, lang) if final else [],
        "public_version": meta.public_version,
    }


def _title_line(title: str, lang: str, doc: str, *, final: bool, exercise: bool) -> str:
    """The document's title around the incident's subject (bot.wording.title_subject): never doubled."""
    subject = wording.title_subject(title, lang)
    drill = ("【訓練】" if lang == "ja" else "[EXERCISE] ") if exercise else ""
    if lang == "ja":
        apology = f"{subject}に関するお詫びとお知らせ"
        titles = {
            "public": apology,
            "notice": f"【重要】{apology}",
            "ppc": f"漏えい等報告（{'確報' if final else '速報'}・案）：{subject}",
            "faq": f"{subject}に関する想定問答（お問い合わせ窓口用）",
        }
    else:
        titles = {
            "public": f"Notice and apology regarding {subject}",
            "notice": f"Important: notice and apology regarding {subject}",
            "ppc": f"Report of a personal-data leak ({'final' if final else 'preliminary'} report, draft): {subject}",
            "faq": f"Questions and answers for the contact desk: {subject}",
        }
    return TITLE + drill + titles[doc]


def _date_line(when: datetime | None, lang: str) -> str:
    """The date of this version in Asia/Tokyo: 2026年11月27日 / 27 November 2026; empty without a date."""
    if when is None:
        return ""
    local = when.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日" if lang == "ja" else f"{local.day} {local:%B %Y}"


def _update_line(values: Mapping[str, Any], lang: str, doc: str, meta: DraftMeta) -> str:
    """The 追記 / Update line of a later version: what changed since the previous one, and when."""
    if meta.previous is None or meta.version <= 1 or (doc == "ppc" and _follows_preliminary(values, meta)):
        return ""  # a final report after the preliminary one lists its changes in its own words
    changed = [i for i in changed_items(_unmarked(meta.previous), values) if i not in _NOT_SHOWN[doc]]
    names = _section_names(changed, lang, doc, unit=values.get("count_unit") or "件")
    when = _date_line(meta.dated, lang) or (f"第{meta.version}版" if lang == "ja" else f"version {meta.version}")
    if lang == "en":
        what = (
            f"the sections on {wording.join_words(names, lang)} have been updated"
            if names
            else "the wording has been revised"
        )
        return f"Update ({when}): {what}."
    what = f"{'、'.join(names)}に関する記載を更新" if names else "記載の一部を更新"
    return f"【追記】{when}　{what}{'した' if doc == 'ppc' else 'いたしました'}。"


def _section_names(item_ids: Sequence[str], lang: str, doc: str, *, unit: str = "件") -> list[str]:
    """The document wording of items, each once (the three count items are one section)."""
    counts = (
        "対象となる" + wording.UNIT_HEADINGS["ja"][unit]
        if lang == "ja"
        else "the " + wording.UNIT_HEADINGS["en"][unit].lower()
    )
    names = {
        **SECTION_NAMES[lang],
        **dict.fromkeys(("max_count", "confirmed_count", "count_unit"), counts),
        **(PPC_NAMES[lang] if doc == "ppc" else {}),
    }
    return list(dict.fromkeys(names[i] for i in item_ids if i in names))


def _follows_preliminary(values: Mapping[str, Any], meta: DraftMeta) -> bool:
    """True for a final report whose previous version was the preliminary one."""
    return (
        values.get("ppc_report") in _FILED
        and meta.previous is not None
        and meta.previous.get("ppc_report") not in _FILED
    )


_FILED = ("preliminary", "final")
# Free-text items each document words itself when they are unknown.
_SAID_WHEN_UNKNOWN = (
    "occurred_at",
    "cause",
    "secondary_damage",
    "measures",
    "notification",
    "publication",
    "authorities",
)
# Items a document does not show: a change to them is not an update of that document.
_NOT_SHOWN = {
    "public": ("responders", "ppc_report", "malicious", "publication"),
    "notice": ("responders", "ppc_report", "malicious", "publication", "notification"),
    "faq": ("responders", "ppc_report", "malicious", "publication", "authorities"),
    "ppc": ("responders", "ppc_report"),
}


def _timeline(entries: Sequence[TimelineEntry], lang: str) -> list[str]:
    """The dated 経緯, oldest first, each entry's typed text on one line."""
    lines = []
    for entry in sorted(entries, key=lambda e: e.at):
        text = " ".join(strip_marks(entry.text).split())
        lines.append(f"{format_datetime(entry.at, lang)}{'　' if lang == 'ja' else ': '}{text}")
    return wording.bullets(lines, lang)


def _triggers(values: Mapping[str, Any], lang: str) -> list[str]:
    """Every trigger of rule 7 by its number, with whether it applies."""
    lines = []
    for finding in legal.assess(values).findings:
        number = _RULE7[finding.trigger]
        name, status = _RULE7_NAMES[lang][number], _STATUS[lang][finding.status]
        lines.append(
            f"規則第7条第{number}号（{name}）：{status}"
            if lang == "ja"
            else f"Rule 7({_ROMAN[number]}) ({name}): {status}"
        )
    return wording.bullets(lines, lang)


def _since_preliminary(values: Mapping[str, Any], lang: str, meta: DraftMeta) -> list[str]:
    """What changed since the preliminary report, when the previous version was it."""
    if not _follows_preliminary(values, meta):
        return []
    changed = [i for i in changed_items(_unmarked(meta.previous), values) if i != "ppc_report"]
    return wording.bullets(_section_names(changed, lang, "ppc"), lang)


def _gaps(values: Mapping[str, Any], lang: str) -> list[str]:
    """What is still under investigation: each is a gap the final report must close."""
    gaps = [i for i in FINAL_GAPS if values.get(i) in (None, "unknown") or wording.is_bare_unknown(str(values.get(i)))]
    if values["card_bank"] in ("yes", "possible") and wording.fields_under_investigation(
        values.get("card_bank_detail")
    ):
        gaps.insert(0, "card_bank_detail")
    if values["card_bank"] == "investigating":
        gaps.insert(0, "card_bank")
    if count_is_unknown(values["max_count"]) or count_is_unknown(values["confirmed_count"]):
        gaps.insert(0, "max_count")
    if wording.services_scope(values["services"]) == "unknown":
        gaps.insert(0, "services")
    if (values.get("count_unit") or "件") != "人":  # counted in records or households: the people not yet
        gaps.insert(0, "count_unit")
    names = [
        _OPEN_FIELDS[lang] if item_id == "card_bank_detail" else _section_names([item_id], lang, "ppc")[0]
        for item_id in gaps
    ]
    return wording.bullets(list(dict.fromkeys(names)), lang)


# An open item of the final report when card_bank_detail says "which fields is under investigation".
_OPEN_FIELDS = {
    "ja": "クレジットカード情報及び金融機関の口座情報のうち含まれる項目",
    "en": "which card and bank-account fields are involved",
}
