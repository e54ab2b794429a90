"""The incident timeline (経緯): dated entries added by hand (/leak-timeline, with text or through its
modal) or from a message (the `leak_add_to_timeline` shortcut). Stored before the ack, append-only, once
per source."""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.drafting import TimelineEntry
from bot.text import Typed, Unsafe, screen
from bot.usecases.base import Deps
from storage.records import TimelineItem
from storage.repository import Duplicate, Incident, Repository, Tx

MAX_TEXT = 3000  # characters of one entry
FORM_STEP = "timeline"  # the step a timeline modal is recorded under in `views`


class Refused(Exception):
    """This person may not add to this incident's timeline now; `key` names the wording in bot.i18n."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class Invalid(Exception):
    """A field of the timeline modal is wrong: `field` is "text" or "at", `key` the wording, `params` its values."""

    def __init__(self, field: str, key: str, **params: object) -> None:
        super().__init__(key)
        self.field, self.key, self.params = field, key, params


def checked_entry(text: object, at: object, *, now: datetime) -> tuple[Typed, datetime]:
    """The text and time of an entry typed into the modal (`at`: seconds since the epoch, Slack's
    datetimepicker); Invalid when the text is empty, too long or refused by the screen (bot.text), or the
    time is not a time or lies in the future."""
    stripped = str(text or "").strip() if isinstance(text, (str, type(None))) else ""
    if not stripped:
        raise Invalid("text", "timeline.empty")
    if len(stripped) > MAX_TEXT:
        raise Invalid("text", "error.too_long", length=len(stripped), limit=MAX_TEXT)
    try:
        typed = screen(stripped)
    except Unsafe as unsafe:
        raise Invalid("text", unsafe.key) from None
    if not isinstance(at, int) or isinstance(at, bool) or not 0 < at < 2**33:
        raise Invalid("at", "error.datetime")
    when = datetime.fromtimestamp(at, tz=now.tzinfo)
    if when > now:
        raise Invalid("at", "timeline.future")
    return typed, when


async def prepare_form(deps: Deps, incident: Incident, *, user_id: str) -> str:
    """Records the timeline modal about to be opened for one person (only its submission, by them, will
    count); returns the external_id to open it under."""
    external_id = f"leak-{secrets.token_hex(12)}"
    async with deps.repo.tx() as tx:
        await tx.record_view(
            external_id, user_id=user_id, incident_id=incident.id, step_id=FORM_STEP, at=deps.clock.now()
        )
    return external_id


async def add_from_form(
    deps: Deps, *, external_id: str, view_id: str, incident_id: int, user_id: str, text: Typed, at: datetime
) -> TimelineItem | None:
    """Adds the entry of a submitted timeline modal (checked by `checked_entry`); None when this modal was
    stored before (Slack sent it again). Raises Refused (nothing stored)."""
    now = deps.clock.now()
    try:
        async with deps.repo.tx(urgent=True) as tx:
            current, opened, member = await tx.form_access(incident_id, external_id=external_id, user_id=user_id)
            if opened is None or (opened.user_id, opened.incident_id, opened.step_id) != (
                user_id,
                incident_id,
                FORM_STEP,
            ):
                raise Refused("timeline.form_unknown")
            if current is None or not current.channel_id:
                raise Refused("cmd.not_incident_channel_plain")
            if current.closed:
                raise Refused("cmd.closed")
            if not member:
                raise Refused("access.not_member")
            return await tx.add_timeline(
                incident_id, at=at, text=text, author=user_id, added_by=user_id, added_at=now, source=f"view:{view_id}"
            )
    except Duplicate:
        return None


async def add(
    deps: Deps,
    incident: Incident,
    *,
    user_id: str,
    text: str,
    at: datetime | None = None,
    author: str | None = None,
    source: str,
) -> TimelineItem | None:
    """Adds an entry (by `user_id`, about something `author` said at `at`, default now); None when this
    source was added before. Raises Refused (nothing stored), also when the screen refuses the text (bot.text)."""
    stripped = text.strip()[:MAX_TEXT].strip()
    if not stripped:
        raise Refused("timeline.empty")
    try:
        typed = screen(stripped)  # the bot must not become a second leak: never stored, as for answers
    except Unsafe as unsafe:
        raise Refused(unsafe.key) from None
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
            return await tx.add_timeline(
                incident.id,
                at=at or now,
                text=typed,
                author=author or user_id,
                added_by=user_id,
                added_at=now,
                source=source,
            )
    except Duplicate:
        return None


async def for_documents(tx: Tx, incident_id: int) -> list[TimelineEntry]:
    """The timeline as the documents take it (their 経緯)."""
    return [TimelineEntry(item.at, item.text, item.author) for item in await tx.timeline(incident_id)]


async def link(repo: Repository, entry_id: int, permalink: str) -> None:
    """Fills in the link of an entry added from a message."""
    async with repo.tx() as tx:
        await tx.set_timeline_permalink(entry_id, permalink)
