"""The incident timeline (経緯): dated entries added by hand (/leak-timeline) or from a message
(the `leak_add_to_timeline` shortcut). Stored before the ack, append-only, once per source."""

from __future__ import annotations

from datetime import datetime

from bot.drafting import TimelineEntry
from bot.sensitive import find_secret
from bot.usecases.base import Deps
from storage.repository import Duplicate, Incident, Repository, Tx
from storage.records import TimelineItem

MAX_TEXT = 3000  # characters of one entry


class Refused(Exception):
    """This person may not add to this incident's timeline now; `key` names the wording in bot.i18n."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


async def add(deps: Deps, incident: Incident, *, user_id: str, text: str, at: datetime | None = None,
              author: str | None = None, source: str) -> TimelineItem | None:
    """Adds an entry (by `user_id`, about something `author` said at `at`, default now); None when this
    source was added before. Raises Refused (nothing stored)."""
    text = text.strip()
    if not text:
        raise Refused("timeline.empty")
    secret = find_secret(text)
    if secret is not None:  # the bot must not become a second leak: never stored, as for answers
        raise Refused(f"error.secret.{secret}")
    now = deps.clock.now()
    try:
        async with deps.repo.tx(urgent=True) as tx:
            current = await tx.lock_incident(incident.id)
            if current is None or not current.channel_id:
                raise Refused("cmd.not_incident_channel_plain")
            if current.closed:
                raise Refused("cmd.closed")
            if not await tx.is_member(current.channel_id, user_id):
                raise Refused("access.not_member")
            return await tx.add_timeline(incident.id, at=at or now, text=text[:MAX_TEXT], author=author or user_id,
                                         added_by=user_id, added_at=now, source=source)
    except Duplicate:
        return None


async def entries(repo: Repository, incident_id: int) -> list[TimelineItem]:
    """The incident's timeline, in the order things happened."""
    async with repo.read() as tx:
        return await tx.timeline(incident_id)


async def for_documents(tx: Tx, incident_id: int) -> list[TimelineEntry]:
    """The timeline as the documents take it (their 経緯)."""
    return [TimelineEntry(item.at, item.text, item.author) for item in await tx.timeline(incident_id)]


async def link(repo: Repository, entry_id: int, permalink: str) -> None:
    """Fills in the link of an entry added from a message."""
    async with repo.tx() as tx:
        await tx.set_timeline_permalink(entry_id, permalink)
