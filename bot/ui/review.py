"""Review and publication in Slack: ids, the three modals, the request and publish messages, and the
review lines of the checklist and /leak-status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.answers import format_datetime
from bot.drafting import DOCS
from bot.i18n import t
from bot.nudging import SNOOZE_CHOICES
from bot.review import HOWS, MAX_COMMENT, VersionReview
from bot.ui.metadata import Ref
from bot.ui.modals import modal
from bot.ui.mrkdwn import escape, shorten
from bot.ui.posts import Block, context, section
from storage.records import Decision, Draft, Publication, Reviewers

# Fixed by the contract ("Review and publication").
APPROVE_ACTION = "leak_approve"
REQUEST_CHANGES_ACTION = "leak_request_changes"
PUBLISH_ACTION = "leak_publish"
REVIEWERS_BLOCKS = {doc: f"reviewers_{doc}" for doc in DOCS}  # reviewers_public, _notice, _ppc, _faq
PUBLISHED_AT, PUBLISHED_HOW, PUBLISHED_URL = "published_at", "published_how", "published_url"
# Ours.
REVIEWERS_ACTION = "leak_reviewers"  # button on the checklist: open the reviewers modal
REVIEWERS_CALLBACK = "leak_reviewers"
CHANGES_CALLBACK = "leak_request_changes"
PUBLISH_CALLBACK = "leak_publish"
REVIEW_SNOOZE_ACTION = "leak_review_snooze"  # + "_<seconds>": on a reviewer's reminder, hold it for a while
COMMENT_BLOCK = "comment"
INPUT = "value"


class ReviewRef(Ref):
    """Which incident (and version) a review button or modal is about."""

    incident_id: int
    draft_id: int | None = None


class ReviewSnoozeRef(Ref):
    """Which version's reminders a reviewer snoozes, and for how long."""

    incident_id: int
    draft_id: int
    seconds: int


def _plain(text: str, limit: int = 2000) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def doc_name(doc: str, lang: str) -> str:
    return t(f"doc.{doc}", lang)


def mentions(users: Sequence[str], lang: str) -> str:
    return " ".join(f"<@{u}>" for u in users) or t("review.nobody", lang)


def render_params(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Stored message parameters as words: a document's name, people as mentions, people's text escaped."""
    shown = dict(params)
    if "doc" in shown:
        shown["doc"] = doc_name(shown["doc"], lang)
    for key in ("users", "waiting"):
        if isinstance(shown.get(key), (list, tuple)):
            shown[key] = mentions(shown[key], lang)
    for key in ("comment", "line"):
        if key in shown:
            shown[key] = escape(str(shown[key]))
    if "decision" in shown:
        shown["decision"] = t(f"review.decision.{shown['decision']}", lang)
    return shown


# --- modals -----------------------------------------------------------------------------------------


def reviewers_modal(*, incident_id: int, current: Mapping[str, Sequence[str]], lang: str) -> dict[str, Any]:
    """One user multi-select per document, prefilled with its reviewers now."""
    blocks: list[Block] = [section(escape(t("review.modal_intro", lang)))]
    for doc in DOCS:
        element: dict[str, Any] = {"type": "multi_users_select", "action_id": INPUT, "max_selected_items": 20}
        if current.get(doc):
            element["initial_users"] = list(current[doc])
        blocks.append(
            {
                "type": "input",
                "block_id": REVIEWERS_BLOCKS[doc],
                "optional": True,
                "label": _plain(t("review.label", lang, doc=doc_name(doc, lang))),
                "element": element,
            }
        )
    return modal(
        t("review.modal_title", lang),
        blocks,
        callback_id=REVIEWERS_CALLBACK,
        submit=t("review.modal_submit", lang),
        close=t("review.modal_cancel", lang),
        metadata=ReviewRef(incident_id=incident_id, lang=lang).dump(),
    )


def changes_modal(draft: Draft, lang: str) -> dict[str, Any]:
    """Asks a reviewer what should change in a version (required)."""
    head = t("review.comment_intro", lang, doc=doc_name(draft.doc, lang), version=draft.version)
    blocks = [
        context(escape(head)),
        {
            "type": "input",
            "block_id": COMMENT_BLOCK,
            "label": _plain(t("review.comment_label", lang)),
            "element": {"type": "plain_text_input", "action_id": INPUT, "multiline": True, "max_length": MAX_COMMENT},
        },
    ]
    return modal(
        t("review.comment_title", lang),
        blocks,
        callback_id=CHANGES_CALLBACK,
        submit=t("review.comment_submit", lang),
        close=t("review.modal_cancel", lang),
        metadata=ReviewRef(incident_id=draft.incident_id, draft_id=draft.id, lang=lang).dump(),
    )


def publish_modal(draft: Draft, *, now: datetime, lang: str) -> dict[str, Any]:
    """When, how and where a fully approved version went out."""
    options = [{"text": _plain(t(f"review.how.{how}", lang), 75), "value": how} for how in HOWS]
    blocks = [
        section(escape(t("review.publish_intro", lang, doc=doc_name(draft.doc, lang), version=draft.version))),
        {
            "type": "input",
            "block_id": PUBLISHED_AT,
            "label": _plain(t("review.published_at", lang)),
            "element": {"type": "datetimepicker", "action_id": INPUT, "initial_date_time": int(now.timestamp())},
        },
        {
            "type": "input",
            "block_id": PUBLISHED_HOW,
            "label": _plain(t("review.published_how", lang)),
            "element": {"type": "static_select", "action_id": INPUT, "options": options},
        },
        {
            "type": "input",
            "block_id": PUBLISHED_URL,
            "optional": True,
            "label": _plain(t("review.published_url", lang)),
            "element": {"type": "url_text_input", "action_id": INPUT},
        },
    ]
    return modal(
        t("review.publish_title", lang),
        blocks,
        callback_id=PUBLISH_CALLBACK,
        submit=t("review.modal_submit", lang),
        close=t("review.modal_cancel", lang),
        metadata=ReviewRef(incident_id=draft.incident_id, draft_id=draft.id, lang=lang).dump(),
    )


# --- messages ---------------------------------------------------------------------------------------


def _button(action_id: str, label: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action_id, "text": _plain(label, 75), "value": value}
    if style:
        button["style"] = style
    return button


def request_blocks(draft: Draft, reviewers: Sequence[str], *, notes: Sequence[str], lang: str) -> list[Block]:
    """A version put to its reviewers: who must decide, what changed, and the two buttons."""
    value = ReviewRef(incident_id=draft.incident_id, draft_id=draft.id).dump()
    text = t(
        "review.request", lang, doc=doc_name(draft.doc, lang), version=draft.version, users=mentions(reviewers, lang)
    )
    return [
        section(text),
        *(context(escape(note)) for note in notes),
        {
            "type": "actions",
            "block_id": f"review_{draft.id}",
            "elements": [
                _button(APPROVE_ACTION, t("review.approve", lang), value, "primary"),
                _button(REQUEST_CHANGES_ACTION, t("review.request_changes", lang), value),
            ],
        },
    ]


def nudge_blocks(draft: Draft, *, text: str, extra: Sequence[str], lang: str) -> list[Block]:
    """A reviewer's reminder by DM: what waits for them, deadlines near, Approve / Request changes and snoozes."""
    value = ReviewRef(incident_id=draft.incident_id, draft_id=draft.id).dump()
    snoozes = [
        _button(
            f"{REVIEW_SNOOZE_ACTION}_{seconds}",
            t(f"nudge.snooze_{seconds}", lang),
            ReviewSnoozeRef(incident_id=draft.incident_id, draft_id=draft.id, seconds=seconds).dump(),
        )
        for seconds in SNOOZE_CHOICES
    ]
    return [
        section(text),
        *(context(escape(line)) for line in [*extra, t("review.nudge_act", lang)]),
        {
            "type": "actions",
            "block_id": f"review_nudge_{draft.id}",
            "elements": [
                _button(APPROVE_ACTION, t("review.approve", lang), value, "primary"),
                _button(REQUEST_CHANGES_ACTION, t("review.request_changes", lang), value),
                *snoozes,
            ],
        },
    ]


def publish_blocks(draft: Draft, reviewers: Sequence[str], lang: str) -> list[Block]:
    """Every reviewer approved: the button that records the publication."""
    value = ReviewRef(incident_id=draft.incident_id, draft_id=draft.id).dump()
    text = t(
        "review.all_approved",
        lang,
        doc=doc_name(draft.doc, lang),
        version=draft.version,
        users=mentions(reviewers, lang),
    )
    return [
        section(text),
        {
            "type": "actions",
            "block_id": f"publish_{draft.id}",
            "elements": [_button(PUBLISH_ACTION, t("review.publish", lang), value, "primary")],
        },
    ]


def reviewers_button(incident_id: int, lang: str) -> Block:
    """The actions block on the checklist that opens the reviewers modal."""
    return {
        "type": "actions",
        "block_id": "reviewers",
        "elements": [
            _button(REVIEWERS_ACTION, t("review.button_set", lang), ReviewRef(incident_id=incident_id).dump())
        ],
    }


# --- the checklist and /leak-status -----------------------------------------------------------------


def summary_lines(
    reviews: Mapping[str, VersionReview],
    reviewers: Mapping[str, Sequence[str]],
    publications: Sequence[Publication],
    lang: str,
) -> list[str]:
    """Per document with reviewers: latest version, approvals so far, who is still waited for, publication."""
    lines = []
    for doc in DOCS:
        if not reviewers.get(doc):
            continue
        review = reviews.get(doc)
        if review is None:
            lines.append(
                "• "
                + t("review.summary_none", lang, doc=escape(doc_name(doc, lang)), users=mentions(reviewers[doc], lang))
            )
            continue
        parts = [
            t(
                "review.summary_doc",
                lang,
                doc=escape(doc_name(doc, lang)),
                version=review.draft.version,
                n=len(review.approved),
                total=len(review.reviewers),
            )
        ]
        if review.waiting:
            parts.append(t("review.summary_waiting", lang, users=mentions(review.waiting, lang)))
        if review.changes:
            parts.append(t("review.summary_changes", lang, users=mentions(review.changes, lang)))
        if review.fully_approved:
            parts.append(t("review.summary_done", lang))
        out = [p for p in publications if p.draft_id == review.draft.id]
        if out:
            parts.append(
                t(
                    "review.summary_published",
                    lang,
                    when=format_datetime(out[-1].published_at, lang),
                    how=t(f"review.how.{out[-1].how}", lang),
                )
            )
        lines.append("• " + ("、" if lang == "ja" else "; ").join(parts))
    return lines


def summary_blocks(lines: Sequence[str], lang: str) -> list[Block]:
    return [section(t("review.summary", lang) + "\n" + "\n".join(lines))] if lines else []


def trail_lines(
    history: Sequence[Reviewers],
    decisions: Sequence[Decision],
    publications: Sequence[Publication],
    drafts: Mapping[int, Draft],
    lang: str,
) -> list[tuple[datetime, str]]:
    """Every reviewer change, decision (with its comment) and publication, as dated lines."""
    lines: list[tuple[datetime, str]] = []
    for change in history:
        lines.append(
            (
                change.at,
                t(
                    "review.trail_reviewers",
                    lang,
                    when=format_datetime(change.at, lang),
                    by=change.set_by,
                    doc=escape(doc_name(change.doc, lang)),
                    users=mentions(change.user_ids, lang),
                ),
            )
        )
    for decision in decisions:
        draft = drafts[decision.draft_id]
        line = t(
            "review.trail_decision",
            lang,
            when=format_datetime(decision.at, lang),
            user=decision.reviewer,
            doc=escape(doc_name(draft.doc, lang)),
            version=draft.version,
            decision=t("review.decision.approve" if decision.approved else "review.decision.changes", lang),
        )
        if decision.comment:
            line += f"：{escape(decision.comment)}" if lang == "ja" else f": {escape(decision.comment)}"
        lines.append((decision.at, line))
    for publication in publications:
        draft = drafts[publication.draft_id]
        how = t(f"review.how.{publication.how}", lang)
        where = f" {escape(publication.url)}" if publication.url else ""
        lines.append(
            (
                publication.at,
                t(
                    "review.trail_publication",
                    lang,
                    when=format_datetime(publication.at, lang),
                    user=publication.by,
                    doc=escape(doc_name(draft.doc, lang)),
                    version=draft.version,
                    line=f"{format_datetime(publication.published_at, lang)} {how}{where}",
                ),
            )
        )
    return sorted(lines, key=lambda pair: pair[0])


def trail_blocks(lines: Sequence[tuple[datetime, str]], lang: str, *, room: int) -> list[Block]:
    """The record as sections that fit Slack's limits (newest kept when it is long)."""
    if not lines or room <= 0:
        return []
    text = [line for _at, line in lines]
    chunks: list[str] = []
    current = t("review.trail", lang)
    for line in text:
        if len(current) + len(line) + 1 > 2900:
            chunks.append(current)
            current = line
        else:
            current += "\n" + line
    chunks.append(current)
    return [section(chunk) for chunk in chunks[-room:]]
