"""One sender for every post the bot makes: nothing twice in Slack, whatever comes between.

A post is one part of a job, named by the job's key and the part (`draft:1:0`, `dm:U0ALICE`). Before the
Web API call the part is recorded (storage: `sends`), and the message carries the same name in Slack's
message metadata. When the same part is to be sent again, the earlier try's outcome is unknown: Slack may
have answered after the client's timeout, the process may have been killed during the call, or the database
may have gone away before the job's end was recorded. So the channel's recent history (conversations.history
with include_all_metadata; for a DM, the IM channel conversations.open gives) is read first, and the part is
sent only when no message there carries its name. An upload is found by its files' names (files.list). A
first try costs one small write and no extra call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.jobs import slack_error
from storage.repository import Job, Repository

log = logging.getLogger(__name__)
EVENT_TYPE = "leakbot_post"  # the metadata event type of every message the bot posts
PAGES, PAGE = 5, 200  # how far back a post whose outcome is unknown is looked for: the latest 1,000 messages


@dataclass(frozen=True)
class Posted:
    channel: str  # the channel id (for a DM, the IM channel's)
    ts: str
    again: bool = False  # True: found in Slack from an earlier try, not sent now
    withheld: bool = False  # True: a DM about an incident to someone not in its channel, not sent


def key_of(job: Job, part: str) -> str:
    """The name of one post of a job, in the database and in the message's metadata."""
    return f"{job.key}#{part}"


class Sender:
    def __init__(self, *, repo: Repository, client: AsyncWebClient, clock: Clock) -> None:
        self.repo, self.client, self.clock = repo, client, clock

    async def post(self, job: Job, part: str, *, channel: str, **message: Any) -> Posted:
        """chat.postMessage of one part of a job, once: an earlier try that reached Slack is found, not repeated."""
        key = key_of(job, part)
        if not await self._may_see(job, channel):
            log.info("job %s: %s not sent: %s is not in the incident's channel", job.id, part, channel)
            return Posted(channel=channel, ts="", withheld=True)
        if not await self._set_out(job, key, channel):
            found = await self.find(channel, key)
            if found is not None:
                log.info("job %s: %s was posted by an earlier try (ts %s); not sent again", job.id, part, found.ts)
                return found
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
        response = await self.client.chat_postMessage(channel=channel, metadata=metadata, **message)
        return Posted(channel=str(response["channel"]), ts=str(response["ts"]))

    async def upload(
        self, job: Job, part: str, *, channel: str, file_uploads: list[dict[str, Any]], **rest: Any
    ) -> Any:
        """files_upload_v2 of one part of a job, once. Files carry no metadata: an earlier try is found by the
        names of its files among those shared in the channel (files.list); all of them, or it is sent again."""
        if not await self._may_see(job, channel):
            log.info("job %s: %s not uploaded: %s is not in the incident's channel", job.id, part, channel)
            return {"files": []}
        if not await self._set_out(job, key_of(job, part), channel):
            found = await self._shared(channel, [str(u["filename"]) for u in file_uploads])
            if found is not None:
                log.info("job %s: %s was uploaded by an earlier try; not sent again", job.id, part)
                return {"files": found}
        return await self.client.files_upload_v2(channel=channel, file_uploads=file_uploads, **rest)

    async def _shared(self, channel: str, names: list[str]) -> list[dict[str, Any]] | None:
        """The files of these names shared in the channel (the newest of each name), when every one is."""
        response = await self.client.files_list(channel=channel, count=200)
        newest: dict[str, dict[str, Any]] = {}
        for file in sorted(response.get("files") or [], key=lambda f: f.get("created") or 0):
            if file.get("name") in names:
                newest[str(file["name"])] = file
        return [newest[n] for n in names] if all(n in newest for n in names) else None

    async def _may_see(self, job: Job, channel: str) -> bool:
        """Members only, for DMs too: a post about an incident goes to a person (a user id) only while they
        are in the incident's channel (before the channel exists, the opener is the one to tell)."""
        if channel[:1] not in ("U", "W") or job.incident_id is None:
            return True
        async with self.repo.read() as tx:
            incident = await tx.incident(job.incident_id)
            if incident is None or incident.channel_id is None:
                return True
            return await tx.is_member(incident.channel_id, channel)

    async def _set_out(self, job: Job, key: str, channel: str) -> bool:
        """Records the part before it is sent; False when an earlier try set out to send it."""
        async with self.repo.tx() as tx:
            return await tx.begin_send(key, job_id=job.id, channel=channel, at=self.clock.now())

    async def find(self, channel: str, key: str) -> Posted | None:
        """The message carrying `key` among the channel's latest messages, if Slack has it."""
        try:
            where = await self._conversation(channel)
            cursor = None
            for _ in range(PAGES):
                page = await self.client.conversations_history(
                    channel=where, include_all_metadata=True, limit=PAGE, cursor=cursor
                )
                for message in page.get("messages") or []:
                    metadata = message.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                        return Posted(channel=where, ts=str(message["ts"]), again=True)
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except SlackApiError as exc:
            if slack_error(exc) != "missing_scope":
                raise
            # an app installed before the history scopes: it cannot look, so it sends as it always did
            log.warning("cannot look for an earlier try of %s (missing_scope): sending it", key)
        return None

    async def _conversation(self, channel: str) -> str:
        """The conversation a post went to: a DM sent to a user id went to the IM channel Slack keeps with them."""
        if channel[:1] in ("U", "W"):
            response = await self.client.conversations_open(users=channel)
            return str(response["channel"]["id"])
        return channel
