"""The story of an incident: what happens in Slack and in storage when people act."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from datetime import datetime

from bot import legal, nudging
from bot.access import Membership
from bot.answers import Answer, display, format_datetime
from bot.channels import fallback_names, readable_names
from bot.checklist import ITEMS, REQUIRED, missing_required, next_step
from bot.clock import JST, Clock
from bot.drafting import DraftNotReady, render
from bot.i18n import t
from bot.ui import posts
from bot.ui.modals import notice_modal
from bot.ui.mrkdwn import escape, shorten
from storage.repository import Draft, Incident, Repository

log = logging.getLogger(__name__)
_INVALID_NAME = ("invalid_name", "invalid_name_specials", "invalid_name_punctuation", "invalid_name_maxlength",
                 "invalid_name_required")


def slack_error(exc: SlackApiError) -> str:
    """Returns Slack's error code of a failed call."""
    return str(exc.response.get("error") or exc.response.status_code)


def values_of(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Returns {item_id: value} of the current answers."""
    return {item_id: answer.value for item_id, answer in answers.items()}


@dataclass(frozen=True)
class ChannelSetup:
    channel_id: str | None
    error: str | None = None


class Flows:
    def __init__(self, *, repo: Repository, client: AsyncWebClient, clock: Clock, lang: str,
                 nudge_after: int = 3600) -> None:
        self.repo, self.client, self.clock, self.lang = repo, client, clock, lang
        self.nudge_after = nudge_after
        self.members = Membership(client, clock)

    # --- opening -------------------------------------------------------------------------------

    async def set_up_channel(self, incident: Incident, *, bot_user_id: str | None) -> ChannelSetup:
        """Creates the private channel, invites people, pins the checklist and asks the first question."""
        answers = await self.repo.answers(incident.id)
        title = answers["title"].value
        try:
            channel_id, name = await self._create_channel(incident, title)
        except SlackApiError as exc:
            log.warning("incident %s: channel not created: %s", incident.id, slack_error(exc))
            return ChannelSetup(None, slack_error(exc))
        await self.repo.update_incident(incident.id, channel_id=channel_id, channel_name=name, status="open")
        responders = answers["responders"].value if "responders" in answers else []
        await self._invite(channel_id, [incident.opener_id, *responders], bot_user_id)
        await self.call("conversations_setTopic", channel=channel_id,
                         topic=shorten(t("open.topic", self.lang, id=incident.id, title=title), 250))
        await self.call("chat_postMessage", channel=channel_id, text=t("open.welcome", self.lang, user=incident.opener_id))
        deadlines = [d.due for d in legal.assess(values_of(answers)).open_deadlines()]
        due = nudging.first_due(self.clock.now(), self.nudge_after, deadlines)
        await self.repo.schedule_nudge(incident.id, due=due, reset=True)
        opened = await self.repo.incident(incident.id)
        assert opened is not None
        await self.post_checklist(opened, answers)
        await self.ask_next(opened, answers)
        return ChannelSetup(channel_id)

    async def _create_channel(self, incident: Incident, title: str) -> tuple[str, str]:
        day = incident.created_at.astimezone(JST).date()
        for names in (readable_names(title, day), fallback_names(day, incident.id)):
            for name in names:
                try:
                    response = await self.client.conversations_create(name=name, is_private=True)
                    return response["channel"]["id"], response["channel"]["name"]
                except SlackApiError as exc:
                    if slack_error(exc) == "name_taken":
                        continue
                    if slack_error(exc) in _INVALID_NAME:
                        break
                    raise
        raise SlackApiError("no channel name left", {"ok": False, "error": "name_taken"})

    async def invite(self, channel_id: str, users: Iterable[str], bot_user_id: str | None) -> None:
        """Invites people to the channel; tells the channel whom it could not invite."""
        await self._invite(channel_id, users, bot_user_id)

    async def _invite(self, channel_id: str, users: Iterable[str], bot_user_id: str | None) -> None:
        wanted = [u for u in dict.fromkeys(users) if u and u != bot_user_id]
        if not wanted:
            return
        self.members.forget(channel_id)
        try:
            await self.client.conversations_invite(channel=channel_id, users=",".join(wanted))
            return
        except SlackApiError as exc:
            if slack_error(exc) == "already_in_channel":
                return
        failed: list[tuple[str, str]] = []
        for user in wanted:  # one by one, so one bad id does not keep everyone else out
            try:
                await self.client.conversations_invite(channel=channel_id, users=user)
            except SlackApiError as exc:
                if slack_error(exc) != "already_in_channel":
                    failed.append((user, slack_error(exc)))
        if failed:
            users_text = ", ".join(f"<@{u}>" for u, _ in failed)
            errors = ", ".join(sorted({e for _, e in failed}))
            await self.call("chat_postMessage", channel=channel_id,
                             text=t("open.invite_failed", self.lang, users=users_text, error=errors))

    async def tell_opener_failed(self, incident: Incident, view_id: str, error: str) -> None:
        """Replaces the opening modal with the reason the channel could not be made."""
        text = t("open.failed", self.lang, error=error, id=incident.id)
        await self.call("views_update", view_id=view_id, view=notice_modal(t("open.progress_title", self.lang), text))

    async def tell_opener_done(self, view_id: str, channel_id: str) -> None:
        """Replaces the opening modal with a confirmation naming the channel."""
        text = t("open.done", self.lang, channel=channel_id)
        await self.call("views_update", view_id=view_id, view=notice_modal(t("open.progress_title", self.lang), text))

    # --- the checklist and questions ------------------------------------------------------------

    async def checklist(self, incident: Incident, answers: Mapping[str, Answer], *, pickers: bool = False) -> list[dict[str, Any]]:
        """The checklist blocks of an incident as it stands: owners, answers, progress, legal clocks."""
        closed = ""
        if incident.closed and incident.closed_at:
            closed = t("checklist.closed", self.lang, when=format_datetime(incident.closed_at, self.lang), user=incident.closed_by)
        owners = {item: owner.owner_id for item, owner in (await self.repo.owners(incident.id)).items() if owner.owner_id}
        clocks = legal.describe(legal.assess(values_of(answers)), now=self.clock.now(), lang=self.lang)
        title = answers["title"].value if "title" in answers else f"#{incident.id}"
        return posts.checklist_blocks(title=title, answers=answers, lang=self.lang, owners=owners, closed_line=closed,
                                      legal_lines=clocks, incident_id=incident.id if pickers else None)

    async def post_checklist(self, incident: Incident, answers: Mapping[str, Answer]) -> None:
        """Posts and pins the checklist, remembering the message to update later."""
        assert incident.channel_id
        response = await self.call("chat_postMessage", channel=incident.channel_id,
                                    blocks=await self.checklist(incident, answers), text=self._checklist_text(answers))
        if response is None:
            return
        await self.repo.update_incident(incident.id, checklist_ts=response["ts"])
        await self.call("pins_add", channel=incident.channel_id, timestamp=response["ts"])

    async def refresh_checklist(self, incident: Incident, answers: Mapping[str, Answer]) -> None:
        """Updates the pinned checklist in place."""
        if not incident.channel_id or not incident.checklist_ts:
            return
        await self.call("chat_update", channel=incident.channel_id, ts=incident.checklist_ts,
                         blocks=await self.checklist(incident, answers), text=self._checklist_text(answers))

    def _checklist_text(self, answers: Mapping[str, Answer]) -> str:
        title = answers["title"].value if "title" in answers else ""
        return t("checklist.header", self.lang, title=escape(title))

    async def ask_next(self, incident: Incident, answers: Mapping[str, Answer]) -> None:
        """Posts the next open question, required items first, with a picker for its owner."""
        step = next_step(values_of(answers))
        if step is None or not incident.channel_id:
            return
        owners = await self.repo.owners(incident.id)
        owner = next((owners[i].owner_id for i in step.items if i in owners), None)
        await self.call("chat_postMessage", channel=incident.channel_id,
                        blocks=posts.question_blocks(step, incident_id=incident.id, lang=self.lang, owner=owner),
                        text=posts.question_text(step, self.lang))

    async def assign(self, incident: Incident, item_ids: list[str], *, owner_id: str | None, by: str) -> None:
        """Gives items an owner (kept with who and when), and shows it on the checklist and in the channel."""
        changed = await self.repo.set_owners(incident.id, item_ids, owner_id=owner_id, set_by=by, at=self.clock.now())
        if not changed:
            return
        await self.refresh_checklist(incident, await self.repo.answers(incident.id))
        names = ("、" if self.lang == "ja" else ", ").join(ITEMS[i].label(self.lang) for i in changed)
        key = "owner.set" if owner_id else "owner.cleared"
        await self.announce(incident, t(key, self.lang, by=by, user=owner_id, items=escape(names)))

    # --- answers --------------------------------------------------------------------------------

    async def after_answers(self, incident: Incident, changed: list[str], *, user_id: str, bot_user_id: str | None) -> None:
        """Everything that follows a stored answer: invites, checklist, draft, next question."""
        answers = await self.repo.answers(incident.id)
        if "responders" in changed and incident.channel_id and "responders" in answers:
            await self._invite(incident.channel_id, answers["responders"].value, bot_user_id)
        await self.refresh_checklist(incident, answers)
        if changed:
            values = values_of(answers)
            deadlines = [d.due for d in legal.assess(values).open_deadlines()]
            due = nudging.first_due(self.clock.now(), self.nudge_after, deadlines) if missing_required(values) else None
            await self.repo.schedule_nudge(incident.id, due=due, reset=True)
            await self.maybe_post_draft(incident, answers, changed)
            await self.ask_next(incident, answers)

    async def maybe_post_draft(self, incident: Incident, answers: Mapping[str, Answer], changed: list[str]) -> None:
        """Posts the first draft once everything required is answered, and a new version when a required answer changes."""
        values = values_of(answers)
        if missing_required(values):
            return
        latest = await self.repo.latest_draft(incident.id)
        if latest is None or set(changed) & set(REQUIRED):
            await self.post_draft(incident, values, user_id=None, latest=latest)

    async def post_draft(self, incident: Incident, values: Mapping[str, Any], *, user_id: str | None,
                         latest: Draft | None, force: bool = False) -> Draft | None:
        """Posts the draft: a new version when its text changed, the same version again when `force`d."""
        body = render(values, lang=self.lang)
        unchanged = latest is not None and latest.body == body
        if unchanged and not force:
            return None
        draft = latest if unchanged and latest else await self.repo.add_draft(
            incident.id, body=body, at=self.clock.now(), user_id=user_id)
        assert incident.channel_id
        heading = t("draft.header", self.lang, version=draft.version)
        for blocks in posts.draft_messages(body=body, version=draft.version, lang=self.lang, unchanged=unchanged):
            await self.call("chat_postMessage", channel=incident.channel_id, blocks=blocks, text=heading)
        return draft

    async def post_current_draft(self, incident: Incident, *, user_id: str) -> list[str]:
        """For /leak-draft: posts the draft, or returns the required items still missing."""
        values = values_of(await self.repo.answers(incident.id))
        try:
            await self.post_draft(incident, values, user_id=user_id,
                                  latest=await self.repo.latest_draft(incident.id), force=True)
        except DraftNotReady as not_ready:
            return not_ready.missing
        return []

    # --- nudges ---------------------------------------------------------------------------------

    async def snooze(self, incident: Incident, *, seconds: int, user_id: str) -> datetime:
        """Holds the nudges of an incident for one of the offered snooze times."""
        until = nudging.snoozed_until(self.clock.now(), seconds)
        await self.repo.schedule_nudge(incident.id, due=until, reset=False)
        return until

    async def announce(self, incident: Incident, text: str) -> None:
        """Posts a one-line notice in the incident channel (`text` must be safe mrkdwn)."""
        if incident.channel_id:
            await self.call("chat_postMessage", channel=incident.channel_id, text=text)

    # --- closing --------------------------------------------------------------------------------

    async def close(self, incident: Incident, *, user_id: str) -> bool:
        """Closes the incident and posts the final checklist and the latest draft; False if already closed."""
        if not await self.repo.close(incident.id, user_id=user_id, at=self.clock.now()):
            return False
        closed = await self.repo.incident(incident.id)
        assert closed is not None and closed.channel_id
        answers = await self.repo.answers(incident.id)
        await self.call("chat_postMessage", channel=closed.channel_id, text=t("close.done", self.lang, user=user_id))
        blocks = await self.checklist(closed, answers)
        blocks[0] = posts.header(t("checklist.final", self.lang) + "：" + display(
            "title", answers["title"].value, self.lang) if "title" in answers else t("checklist.final", self.lang))
        await self.call("chat_postMessage", channel=closed.channel_id, blocks=blocks, text=t("checklist.final", self.lang))
        await self.refresh_checklist(closed, answers)
        values = values_of(answers)
        missing = missing_required(values)
        if missing:
            await self.call("chat_postMessage", channel=closed.channel_id, text=t("close.no_draft", self.lang),
                             blocks=posts.missing_blocks(missing, self.lang, "close.no_draft"))
        else:
            await self.post_draft(closed, values, user_id=user_id, latest=await self.repo.latest_draft(incident.id), force=True)
        return True

    # --- plumbing ---------------------------------------------------------------------------------

    async def call(self, method: str, **kwargs: Any) -> Any:
        """Calls Slack; a failure is logged and swallowed so one refused post does not stop the story."""
        try:
            return await getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            log.warning("slack %s failed: %s", method, slack_error(exc))
            return None
