"""The incident desk in Block Kit: the App Home view and the /leak-list reply.

Titles are typed by people: they are escaped, so they can never ping or link. A Home view holds at
most 100 blocks; a page of the desk (bot.usecases.home.PAGE_SIZE open incidents, three blocks each,
and a few closed ones) stays well below that, and paging buttons lead to the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import legal
from bot.answers import format_datetime
from bot.i18n import t
from bot.ui.ids import HOME_ANSWER_ACTION, HOME_PAGE_ACTION
from bot.ui.metadata import IncidentRef, PageRef
from bot.ui.mrkdwn import escape, shorten
from bot.ui.posts import context, header, section
from bot.usecases.home import PAGE_SIZE, Desk, Row

Block = dict[str, Any]
LIST_SHOWN = 10  # incidents in a /leak-list reply (an ephemeral message holds at most 50 blocks)
TITLE_SHOWN = 100  # characters of a title


def age_text(delta: timedelta, lang: str) -> str:
    """How long ago, in whole days and hours (minutes when under an hour): "2日3時間" / "2 days 3 hours"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if lang == "ja":
        return "".join([f"{days}日"] * bool(days) + [f"{hours}時間"] * bool(hours)) or f"{minutes}分"
    unit = lambda n, w: f"{n} {w}" if n == 1 else f"{n} {w}s"  # noqa: E731
    return " ".join([unit(days, "day")] * bool(days) + [unit(hours, "hour")] * bool(hours)) or unit(minutes, "minute")


def row_text(row: Row, *, now: datetime, lang: str) -> str:
    """The incident's line: title, channel link, age, progress, latest draft, who owns what comes next."""
    draft = t("home.draft_version", lang, version=row.draft_version) if row.draft_version else t("home.no_draft", lang)
    if row.next_step_id is None:
        owner = t("home.all_answered", lang)
    else:
        owner = f"<@{row.next_owner}>" if row.next_owner else t("home.no_owner", lang)
    return t(
        "home.row",
        lang,
        title=escape(shorten(row.title, TITLE_SHOWN)),
        channel=row.incident.channel_id,
        age=age_text(now - row.incident.created_at, lang),
        done=row.required_done,
        total=row.required_total,
        draft=draft,
        owner=owner,
    )


def deadlines_text(row: Row, *, now: datetime, lang: str) -> str:
    """The APPI report deadlines still open (速報, 確報) with the time left."""
    if not row.deadlines:
        return t("home.no_deadline", lang)
    return escape("\n".join(legal.describe_deadline(d, now=now, lang=lang) for d in row.deadlines))


def next_button(row: Row, lang: str) -> Block:
    """Opens the incident's next question from anywhere (membership is checked again on the click)."""
    return {
        "type": "button",
        "action_id": HOME_ANSWER_ACTION,
        "style": "primary",
        "text": {"type": "plain_text", "text": t("home.next_button", lang)},
        "value": IncidentRef(incident_id=row.incident.id).dump(),
    }


def incident_blocks(row: Row, *, now: datetime, lang: str, button: bool) -> list[Block]:
    """Three blocks an open incident: its line (with the next-question button), its deadlines, a divider."""
    accessory = next_button(row, lang) if button and row.next_step_id else None
    return [
        section(row_text(row, now=now, lang=lang), accessory),
        context(deadlines_text(row, now=now, lang=lang)),
        {"type": "divider"},
    ]


def closed_block(row: Row, lang: str) -> Block:
    when = format_datetime(row.incident.closed_at, lang) if row.incident.closed_at else ""
    return context(
        t(
            "home.closed_row",
            lang,
            title=escape(shorten(row.title, TITLE_SHOWN)),
            channel=row.incident.channel_id,
            when=when,
        )
    )


def paging_block(desk: Desk, lang: str) -> Block | None:
    """Where this page is among all open incidents, with buttons to the previous and next pages."""
    if desk.open_total <= PAGE_SIZE:
        return None
    buttons: list[Block] = []
    if desk.page > 0:
        buttons.append(
            {
                "type": "button",
                "action_id": f"{HOME_PAGE_ACTION}_previous",
                "text": {"type": "plain_text", "text": t("home.previous_button", lang)},
                "value": PageRef(page=desk.page - 1).dump(),
            }
        )
    if desk.more:
        buttons.append(
            {
                "type": "button",
                "action_id": f"{HOME_PAGE_ACTION}_next",
                "text": {"type": "plain_text", "text": t("home.more_button", lang, n=min(desk.more, PAGE_SIZE))},
                "value": PageRef(page=desk.page + 1).dump(),
            }
        )
    return {"type": "actions", "elements": buttons} if buttons else None


def page_line(desk: Desk, lang: str) -> str:
    first = desk.page * PAGE_SIZE + 1
    return t("home.page", lang, first=first, last=first + len(desk.open) - 1, total=desk.open_total)


def home_view(desk: Desk, *, now: datetime, lang: str) -> dict[str, Any]:
    """The App Home of one person: their open incidents (one page), then the recently closed ones."""
    blocks: list[Block] = [header(t("home.header", lang, n=desk.open_total))]
    if not desk.open:
        blocks.append(section(t("home.none", lang)))
    elif desk.open_total > PAGE_SIZE:
        blocks.append(context(page_line(desk, lang)))
    for row in desk.real:
        blocks += incident_blocks(row, now=now, lang=lang, button=True)
    blocks += drill_blocks(desk.drills, now=now, lang=lang)
    paging = paging_block(desk, lang)
    if paging:
        blocks.append(paging)
    closed = [row for row in desk.closed if not row.drill]
    if closed:
        blocks.append(header(t("home.closed_header", lang)))
        blocks += [closed_block(row, lang) for row in closed]
    return {"type": "home", "blocks": blocks}


def drill_blocks(rows: tuple[Row, ...], *, now: datetime, lang: str) -> list[Block]:
    """Fire drills, under a heading of their own: never mixed with real incidents."""
    if not rows:
        return []
    blocks: list[Block] = [header(t("home.drills_header", lang))]
    for row in rows:
        blocks += incident_blocks(row, now=now, lang=lang, button=True)
    return blocks


def list_blocks(desk: Desk, *, now: datetime, lang: str) -> tuple[str, list[Block]]:
    """The /leak-list reply: the first open incidents, how many more the Home tab shows, then the recently
    closed ones."""
    text = t("home.header", lang, n=desk.open_total)
    blocks: list[Block] = [header(text)]
    if not desk.open:
        blocks.append(section(t("home.none", lang)))
    shown = desk.open[:LIST_SHOWN]
    for row in shown:
        if not row.drill:
            blocks += incident_blocks(row, now=now, lang=lang, button=True)
    blocks += drill_blocks(tuple(row for row in shown if row.drill), now=now, lang=lang)
    if desk.open_total > LIST_SHOWN:
        blocks.append(context(t("list.more", lang, n=desk.open_total - LIST_SHOWN)))
    closed = [row for row in desk.closed if not row.drill]
    if closed:
        blocks.append(header(t("home.closed_header", lang)))
        blocks += [closed_block(row, lang) for row in closed]
    return text, blocks
