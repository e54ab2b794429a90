"""Members only: the one access policy for everything that reads or changes an incident.

Every request that names an incident (by the channel it came from, or by a reference in a button, a
picker's block or a modal's metadata) is admitted here or refused, before any listener runs
(handlers/context.py calls `admit` for every request, so a new command or button cannot forget it).
It reads membership from the database alone (the `members` table kept by bot/usecases/membership.py),
so it needs no Slack call before the ack.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.usecases import membership
from bot.usecases.base import Deps
from storage.repository import Incident


class Denied(Exception):
    """This person may not see or change this incident; `key` names the reason's wording in bot.i18n."""

    def __init__(self, key: str, incident: Incident | None = None) -> None:
        super().__init__(key)
        self.key, self.incident = key, incident


@dataclass(frozen=True)
class Request:
    """Who asks, about which incident, from where: plain values read from any Slack payload."""

    user_id: str | None
    team_ids: frozenset[str]  # every team id the payload names (team_id, team.id, user.team_id, view.team_id)
    incident_id: int | None = None  # named by a reference the bot made (button value, block_id, metadata)
    channel_id: str | None = None  # the channel the request came from
    channel_bound: bool = True  # False for a request about no incident channel (/leak-open, /leak-list)


def same_team(request: Request, installation_team: str | None) -> bool:
    """True when the request names the installation's team and no other. A request that names no team at
    all (an org-wide install's `team: null`, a payload missing its team) is not known to be ours: refused."""
    return installation_team is None or request.team_ids == {installation_team}


def from_a_dm(channel_id: str | None) -> bool:
    """A direct message with the bot (a nudge or a reviewer's reminder), not a channel."""
    return bool(channel_id) and str(channel_id).startswith("D")


async def admit(deps: Deps, request: Request, *, installation_team: str | None) -> Incident | None:
    """The incident the request is about when the person may act on it; None when it names none.

    Raises Denied: another team; a reference to an incident other than the channel's it came from; a
    person the records do not have in the incident's channel (a refresh from Slack is asked for then,
    in case they joined while the bot was not told).
    """
    if not same_team(request, installation_team):
        raise Denied("access.other_team")
    if request.incident_id is None and not (request.channel_id and request.channel_bound):
        return None  # about no incident (a new-incident form, the asker's own list): nothing to read
    incident: Incident | None = None
    async with deps.repo.read() as tx:
        if request.incident_id is not None:
            incident = await tx.incident(request.incident_id)
            came_from = request.channel_id
            if incident is not None and came_from and not from_a_dm(came_from) and came_from != incident.channel_id:
                raise Denied("access.refused", incident)
        elif request.channel_id and request.channel_bound:
            incident = await tx.incident_by_channel(request.channel_id)
        if incident is None:
            return None
        member = bool(request.user_id) and incident.channel_id is not None
        member = member and await tx.is_member(incident.channel_id or "", request.user_id or "")
    if not member:
        if incident.channel_id is not None:
            await membership.refresh_later(deps, incident)  # the records may be behind Slack
        raise Denied("access.not_member", incident)
    return incident
