"""Who is in an incident's channel, so access checks read the database alone.

Kept from the channel set-up and invites, Slack's member_joined_channel / member_left_channel events,
and conversations.members as a refresh (after set-up, and when someone the records do not know acts).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from bot.usecases.base import Deps
from storage.repository import Incident, Tx


async def joined(deps: Deps, channel_id: str, user_id: str, *, event_us: int | None = None) -> None:
    """Someone joined a channel (only incident channels are recorded), unless Slack has told of a later
    change for them already (`event_us`: Slack's time of the event, in microseconds)."""
    async with deps.repo.tx() as tx:
        if await tx.incident_by_channel(channel_id) is None:
            return
        if event_us is None or await tx.member_change(channel_id, user_id, event_us=event_us, joined=True):
            await tx.add_members(channel_id, [user_id], at=deps.clock.now())


async def left(deps: Deps, channel_id: str, user_id: str, *, event_us: int | None = None) -> None:
    """Someone left, or was removed from, a channel, unless Slack has told of a later change for them; their
    Home tab, which Slack keeps showing as last published, is published again without the incident."""
    async with deps.repo.tx() as tx:
        incident = await tx.incident_by_channel(channel_id)
        later = event_us is not None and incident is not None
        if later and not await tx.member_change(channel_id, user_id, event_us=event_us or 0, joined=False):
            return  # Slack told of a later change already
        await tx.remove_member(channel_id, user_id)
        if incident is not None:
            await home_again(tx, incident, [user_id], at=deps.clock.now())


async def home_again(tx: Tx, incident: Incident, user_ids: Iterable[str], *, at: datetime) -> None:
    """Records that these people, no longer in the incident's channel, get their Home tab published again."""
    for user_id in user_ids:
        await tx.enqueue(
            "home_of",
            {"user_id": user_id},
            key=f"home-of:{incident.id}:{user_id}:{uuid.uuid4().hex}",
            at=at,
            incident_id=incident.id,
        )


async def refresh_later(deps: Deps, incident: Incident) -> None:
    """Asks for the channel's members to be fetched from Slack again (one refresh waiting is enough)."""
    now = deps.clock.now()
    async with deps.repo.tx() as tx:
        if not await tx.waiting("members", incident.id):
            await tx.enqueue(
                "members", {}, key=f"members:{incident.id}:{uuid.uuid4().hex}", at=now, incident_id=incident.id
            )
