"""Who is in an incident's channel, so access checks read the database alone.

Kept from the channel set-up and invites, Slack's member_joined_channel / member_left_channel events,
and conversations.members as a refresh (after set-up, and when someone the records do not know acts).
"""

from __future__ import annotations

import uuid

from bot.usecases.base import Deps
from storage.repository import Incident


async def joined(deps: Deps, channel_id: str, user_id: str) -> None:
    """Someone joined a channel (only incident channels are recorded)."""
    async with deps.repo.tx() as tx:
        if await tx.incident_by_channel(channel_id) is not None:
            await tx.add_members(channel_id, [user_id], at=deps.clock.now())


async def left(deps: Deps, channel_id: str, user_id: str) -> None:
    """Someone left, or was removed from, a channel."""
    async with deps.repo.tx() as tx:
        await tx.remove_member(channel_id, user_id)


async def refresh_later(deps: Deps, incident: Incident) -> None:
    """Asks for the channel's members to be fetched from Slack again (one refresh waiting is enough)."""
    now = deps.clock.now()
    async with deps.repo.tx() as tx:
        if not await tx.waiting("members", incident.id):
            await tx.enqueue(
                "members", {}, key=f"members:{incident.id}:{uuid.uuid4().hex}", at=now, incident_id=incident.id
            )
