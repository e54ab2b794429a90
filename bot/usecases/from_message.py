"""Shortcuts on a message: who may use them on which message (the members table alone, before the ack)."""

from __future__ import annotations

from storage.repository import Repository


async def may_use(repo: Repository, channel_id: str | None, user_id: str) -> bool:
    """False when the message is in an incident channel this person is not a member of.

    Slack delivers a message shortcut only for messages the person can see; for an incident channel the
    bot's own records are the rule, as everywhere else.
    """
    if not channel_id:
        return False
    async with repo.read() as tx:
        incident = await tx.incident_by_channel(channel_id)
        return incident is None or await tx.is_member(channel_id, user_id)
