"""The Slack adapter: turns the intents the use cases record (jobs) into Web API calls.

Every handler takes a stored job, reads the current state and acts, so it can run again after a
crash. The channel set-up records each stage it finishes, so a retry resumes where it stopped.
What people read is worded and built into Block Kit here (with bot/ui and bot/i18n), nowhere else.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import legal, nudging
from bot.access import Identity
from bot.answers import Answer, as_count, count_is_unknown, display, format_datetime
from bot.channels import fallback_names, readable_names
from bot.checklist import INCIDENT_STEP, ITEMS, REQUIRED, Step, is_drill, missing_required
from bot.clock import JST, Clock
from bot.counts import format_count_en, format_count_ja
from bot.documents import plain_text, to_docx, to_markdown
from bot.drafting import changed_items, render
from bot.i18n import MESSAGES, t
from bot.jobs import Impossible, Retry, channel_of, classify, reference, slack_error
from bot.slack import canvas as canvas_jobs
from bot.slack import review as review_jobs
from bot.slack.locales import Locales
from bot.slack.retrying import retrying
from bot.slack.sender import Posted, Sender
from bot.text import Unsafe
from bot.ui import home as home_ui
from bot.ui import posts
from bot.ui import review as review_ui
from bot.ui.modals import notice_modal
from bot.ui.mrkdwn import escape, shorten
from bot.usecases import asking, home, membership
from bot.usecases import drafts as drafts_usecase
from bot.usecases.base import values_of
from storage.repository import Draft, Incident, Job, Repository, Revision, Tx

log = logging.getLogger(__name__)
_INVALID_NAME = {
    "invalid_name",
    "invalid_name_specials",
    "invalid_name_punctuation",
    "invalid_name_maxlength",
    "invalid_name_required",
}
_HARMLESS = {"already_in_channel", "already_pinned"}  # the effect is there already
# Stages of the channel set-up, in order; `incidents.setup_stage` holds the last one finished.
SETUP_STAGES = ("channel", "invite", "topic", "welcome", "checklist", "pin", "question", "confirm", "bookmarks")


class SlackAdapter:
    def __init__(
        self,
        *,
        repo: Repository,
        client: AsyncWebClient,
        clock: Clock,
        lang: str,
        identity: Identity,
        company: str | None = None,
        locales: Locales | None = None,
    ) -> None:
        self.repo, self.client, self.clock, self.lang, self.identity = repo, client, clock, lang, identity
        self.company = company
        # each person's language (modals, ephemeral replies, the App Home); `lang` is the incident's
        self.locales = locales or Locales(client, clock, lang)
        self.sender = Sender(repo=repo, client=client, clock=clock)  # every post goes through it: nothing twice

    def handlers(self) -> dict[str, Any]:
        """The job kinds (intents) and what does them."""
        return {
            "setup": self.set_up,
            "invite": self.invite_job,
            "checklist": self.refresh_checklist,
            "followup": self.follow_up,
            "say": self.say,
            "nudge": self.nudge,
            "members": self.refresh_members,
            "draft": self.post_draft,
            "upload": self.upload_draft,
            "hold": self.hold,
            "close": self.close_record,
            "review": self.post_review_request,
            "publish_offer": self.post_publish_offer,
            "home": self.publish_homes,
            "home_of": self.publish_home_of,
            "review_nudge": self.post_review_nudge,
            "canvas": self.update_canvas,
            "bookmarks": self.keep_bookmarks,
        }

    # --- reading and writing the state --------------------------------------------------------------

    async def _incident(self, job: Job) -> Incident:
        async with self.repo.read() as tx:
            incident = await tx.incident(job.incident_id) if job.incident_id else None
        if incident is None:
            raise Impossible("incident_gone")
        return incident

    async def _answers(self, incident_id: int) -> dict[str, Answer]:
        async with self.repo.read() as tx:
            return await tx.answers(incident_id)

    async def _update(self, incident_id: int, **fields: Any) -> None:
        async with self.repo.tx() as tx:
            await tx.update_incident(incident_id, **fields)

    async def _draft(self, draft_id: int) -> tuple[Draft | None, list[Draft]]:
        """A draft version and every version of its incident, oldest first."""
        async with self.repo.read() as tx:
            draft = await tx.draft(draft_id)
            return draft, (await tx.drafts(draft.incident_id) if draft else [])

    def _mark(self, answers: Mapping[str, Answer], text: str) -> str:
        """A fire drill's messages say so first: 【訓練】 / [EXERCISE]."""
        return (
            t("drill.mark", self.lang) + text if "exercise" in answers and answers["exercise"].value is True else text
        )

    async def post(self, job: Job, part: str, *, channel: str, **message: Any) -> Posted:
        """Posts one part of a job once (bot/slack/sender.py): an earlier try that reached Slack is not repeated."""
        return await self.sender.post(job, part, channel=channel, **message)

    async def bot_user_id(self) -> str | None:
        """The bot's own user id, so it never invites itself."""
        return (await self.identity.result()).bot_user_id

    # --- the channel set-up -----------------------------------------------------------------------

    async def set_up(self, job: Job) -> None:
        """Creates the private channel, invites, sets the topic, pins the checklist, asks the first question."""
        incident = await self._incident(job)
        answers = await self._answers(incident.id)
        steps = {
            "channel": self._create_channel,
            "invite": self._invite_all,
            "topic": self._set_topic,
            "welcome": self._welcome,
            "checklist": self._post_checklist,
            "pin": self._pin,
            "question": self._first_question,
            "confirm": self._confirm,
            "bookmarks": self._bookmarks,
        }
        for number, stage in enumerate(SETUP_STAGES, start=1):
            if incident.setup_stage < number:
                # each stage tried again at once when Slack says "not now" (the invites, call by call, inside)
                do = functools.partial(steps[stage], incident, answers, job)
                await (do() if stage in ("invite", "bookmarks") else retrying(do, what=f"set-up stage {stage}"))
                await self._update(incident.id, setup_stage=number)
                incident = await self._incident(job)

    async def _create_channel(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        if incident.channel_id is not None:
            # an earlier attempt made it and stored it, then lost the database before it could record the
            # stage: the channel is this one (making another would leave the team two)
            return
        day = incident.created_at.astimezone(JST).date()
        prefix = "drill" if is_drill(values_of(answers)) else "leak"
        for names in (readable_names(answers["title"].value, day, prefix), fallback_names(day, incident.id, prefix)):
            for name in names:
                try:
                    channel = (await self.client.conversations_create(name=name, is_private=True))["channel"]
                except SlackApiError as exc:
                    if slack_error(exc) in _INVALID_NAME:
                        break
                    if slack_error(exc) != "name_taken":
                        raise
                    # An earlier try may have made it before timing out: take it rather than make another.
                    channel = await self._made_by_an_earlier_attempt(name)
                    if channel is None:
                        continue
                await self._update(incident.id, channel_id=channel["id"], channel_name=channel["name"], status="open")
                return
        raise Impossible("name_taken")

    async def _made_by_an_earlier_attempt(self, name: str) -> dict[str, Any] | None:
        """A private channel of that name that the bot created and no incident uses yet, if any."""
        bot, cursor = await self.bot_user_id(), None
        while True:
            page = await self.client.conversations_list(types="private_channel", limit=1000, cursor=cursor)
            for channel in page.get("channels") or []:
                if channel.get("name") == name and channel.get("creator") == bot and channel.get("is_member"):
                    async with self.repo.read() as tx:
                        taken = await tx.incident_by_channel(channel["id"])
                    return None if taken else channel
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    async def _invite_all(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        responders = answers["responders"].value if "responders" in answers else []
        await self.invite(incident, [incident.opener_id, *responders], job=job)

    async def _set_topic(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        topic = self._mark(answers, posts.topic_text(incident.id, answers["title"].value, self.lang))
        await self.client.conversations_setTopic(channel=channel_of(incident), topic=shorten(topic, 250))

    async def _welcome(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        await self.post(
            job,
            "welcome",
            channel=channel_of(incident),
            text=self._mark(answers, t("open.welcome", self.lang, user=incident.opener_id)),
        )

    async def _post_checklist(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        posted = await self.post(
            job,
            "checklist",
            channel=channel_of(incident),
            text=self._checklist_text(answers),
            blocks=await self.checklist(incident, answers),
        )
        await self._update(incident.id, checklist_ts=posted.ts)

    async def _pin(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        try:
            await self.client.pins_add(channel=channel_of(incident), timestamp=incident.checklist_ts)
        except SlackApiError as exc:
            if slack_error(exc) not in _HARMLESS:
                raise

    async def _first_question(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        async with self.repo.read() as tx:
            step = await asking.next_question(tx, incident.id, values_of(answers))
        if step is not None:
            await self._ask(incident, answers, step, job=job)

    async def _confirm(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        await self._publish_homes(incident)  # the new incident on its members' Home tabs, then the opener told
        lang = await self.locales.lang_of(incident.opener_id)  # the opener's modal, in their language
        view = notice_modal(t("open.progress_title", lang), t("open.done", lang, channel=channel_of(incident)))
        try:
            await self.client.views_update(view_id=job.payload["view_id"], view=view)
        except SlackApiError as exc:
            if isinstance(classify(exc), Retry):
                raise
            # the person closed the modal (not_found): the channel speaks for itself
            log.info("incident %s: confirmation modal not updated: %s", incident.id, slack_error(exc))

    async def _bookmarks(self, incident: Incident, answers: Mapping[str, Answer], job: Job) -> None:
        """The channel's bookmarks of the pinned checklist and the PPC's report page (never fatal)."""
        await canvas_jobs.bookmark_channel(self, incident)

    # --- members ----------------------------------------------------------------------------------

    async def invite_job(self, job: Job) -> None:
        """Invites the responders named in the job."""
        await self.invite(await self._incident(job), job.payload["users"], job=job)

    async def invite(self, incident: Incident, users: Iterable[str], *, job: Job) -> None:
        """Invites people and records them as members; tells the channel whom Slack would not let in."""
        bot = await self.bot_user_id()
        wanted = [u for u in dict.fromkeys(users) if u and u != bot]
        if not wanted or not incident.channel_id:
            return
        invite = functools.partial(self.client.conversations_invite, channel=channel_of(incident))
        async with self.repo.read() as tx:
            before = await tx.member_changes(incident.channel_id)
        try:
            await retrying(functools.partial(invite, users=",".join(wanted)), what="conversations.invite")
            await self._joined(incident.channel_id, wanted, before)
            return
        except SlackApiError as exc:
            # Slack invites nobody of a batch when one invite fails, already_in_channel included (a retried
            # set-up): who is in is learnt person by person, and only they are recorded as members
            log.info("incident %s: the batch invite failed (%s); inviting one by one", incident.id, slack_error(exc))
        failed: list[tuple[str, str]] = []
        for user in wanted:  # one by one, so one bad id does not keep everyone else out
            try:
                await retrying(functools.partial(invite, users=user), what="conversations.invite")
            except SlackApiError as exc:
                if isinstance(classify(exc), Retry):
                    raise  # Slack is down for longer: the job tries again later, nobody is given up on
                if slack_error(exc) != "already_in_channel":
                    failed.append((user, slack_error(exc)))
                    continue
            await self._joined(incident.channel_id, [user], before)
        if failed:
            names = ", ".join(f"<@{u}>" for u, _ in failed)
            errors = ", ".join(sorted({e for _, e in failed}))
            await self.post(
                job,
                "invite_failed",
                channel=channel_of(incident),
                text=t("open.invite_failed", self.lang, users=names, error=errors),
            )

    async def _joined(self, channel_id: str, users: list[str], before: Mapping[str, tuple[int, bool]]) -> None:
        """Records invited people as members, except anyone who left since the invite was sent (Slack told of
        it while its answer was on its way: `before` is what the bot had been told when it invited)."""
        async with self.repo.tx() as tx:
            told = await tx.member_changes(channel_id, lock=True)
            left = {u for u, change in told.items() if change != before.get(u) and not change[1]}
            await tx.add_members(channel_id, [u for u in users if u not in left], at=self.clock.now())

    async def refresh_members(self, job: Job) -> None:
        """Asks Slack who is in the channel (conversations.members) and records exactly them, except anyone
        whom a member_joined/left_channel event applied meanwhile is about: Slack's answer describes the
        channel as it was when asked, and must not undo a removal told while it was on its way."""
        incident = await self._incident(job)
        if not incident.channel_id:
            return
        async with self.repo.read() as tx:
            before = await tx.member_changes(incident.channel_id)
        members: set[str] = set()
        cursor = None
        while True:
            response = await self.client.conversations_members(channel=channel_of(incident), limit=1000, cursor=cursor)
            members.update(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        async with self.repo.tx() as tx:
            told = await tx.member_changes(incident.channel_id, lock=True)
            meanwhile = frozenset(user for user, event_us in told.items() if before.get(user) != event_us)
            gone = await tx.replace_members(incident.channel_id, members, at=self.clock.now(), keep=meanwhile)
            await membership.home_again(tx, incident, sorted(gone), at=self.clock.now())

    # --- messages ---------------------------------------------------------------------------------

    async def follow_up(self, job: Job) -> None:
        """After an answer: the pinned checklist updated, then the next question asked (with its owner),
        both from the state as it is now, then the members' Home tabs republished (a burst of answers
        recorded one follow-up: bot.usecases.answering)."""
        incident = await self._incident(job)
        await self._update_checklist(incident)
        if incident.closed or not incident.channel_id:
            return
        async with self.repo.read() as tx:
            answers = await tx.answers(incident.id)
            step = await asking.next_question(tx, incident.id, values_of(answers))
        if step is not None and step.id != incident.asked_step:
            await self._ask(incident, answers, step, job=job)
        # Recorded here rather than with the answer: the answer's transaction (the ack waits for it)
        # stays short, and a burst of answers republishes the tabs once.
        async with self.repo.tx() as tx:
            await home.republish(tx, incident.id, key=f"followup:{job.id}", at=self.clock.now(), once=True)

    async def _ask(self, incident: Incident, answers: Mapping[str, Answer], step: Step, *, job: Job) -> None:
        """Posts a checklist question with its button (and its owner) and remembers it was asked."""
        async with self.repo.read() as tx:
            owners = await tx.owners(incident.id)
        owner = next((owners[i].owner_id for i in step.items if i in owners), None)
        await self.post(
            job,
            f"ask:{step.id}",
            channel=channel_of(incident),
            text=self._mark(answers, posts.question_text(step, self.lang)),
            blocks=posts.question_blocks(step, incident_id=incident.id, lang=self.lang, owner=owner),
        )
        await self._update(incident.id, asked_step=step.id)

    async def say(self, job: Job) -> None:
        """Posts a plain message in the incident's channel, worded from its i18n key and parameters."""
        incident = await self._incident(job)
        if not incident.channel_id:
            return
        params = dict(job.payload.get("params") or {})
        if "items" in params:
            joiner = "、" if self.lang == "ja" else ", "
            params["items"] = escape(joiner.join(ITEMS[i].label(self.lang) for i in params["items"] if i in ITEMS))
        if "until" in params:
            params["until"] = format_datetime(datetime.fromisoformat(params["until"]), self.lang)
        params = review_ui.render_params(params, self.lang)
        await self.post(job, "say", channel=channel_of(incident), text=t(job.payload["key"], self.lang, **params))

    async def nudge(self, job: Job) -> None:
        """The nudge in the channel (owners mentioned), and by DM to owners when the job says so."""
        incident = await self._incident(job)
        now = self.clock.now()
        async with self.repo.read() as tx:
            answers = await tx.answers(incident.id)
            owned = await tx.owners(incident.id)
            step = await asking.next_question(tx, incident.id, values_of(answers))
        values = values_of(answers)
        missing = missing_required(values)
        if not missing or step is None or incident.closed or not incident.channel_id:
            return  # answered since it was claimed
        # an item nobody owns (never assigned, or unassigned since) is the opener's
        owners = {item: (owned[item].owner_id if item in owned else None) or incident.opener_id for item in missing}
        near = [
            legal.describe_deadline(d, now=now, lang=self.lang)
            for d in legal.assess(values).open_deadlines()
            if nudging.within_window(now, d.due)
        ]
        blocks = posts.nudge_blocks(
            missing, step=step, incident_id=incident.id, owners=owners, lang=self.lang, extra=near
        )
        await self.post(
            job,
            "nudge",
            channel=channel_of(incident),
            blocks=blocks,
            text=self._mark(answers, t("nudge.text", self.lang, n=len(missing))),
        )
        if job.payload.get("dm"):
            text = t("nudge.dm", self.lang, channel=channel_of(incident))
            for user in sorted({u for u in owners.values() if u}):
                await self.post(job, f"dm:{user}", channel=user, blocks=[posts.section(text), blocks[0]], text=text)

    # --- the checklist ----------------------------------------------------------------------------

    async def checklist(
        self,
        incident: Incident,
        answers: Mapping[str, Answer],
        *,
        pickers: bool = False,
        lang: str | None = None,
        tx: Tx | None = None,
    ) -> list[dict[str, Any]]:
        """The checklist blocks of an incident as it stands: owners, answers, progress, legal clocks
        (in `lang`, for one person's /leak-status; else in the incident's language). Read in `tx` when
        given (/leak-status: the ack's one read), else in a read of its own."""
        lang = lang or self.lang
        closed = ""
        if incident.closed and incident.closed_at:
            closed = t(
                "checklist.closed", lang, when=format_datetime(incident.closed_at, lang), user=incident.closed_by
            )
        async with self.repo.reading(tx) as read:
            owners = {
                item: owner.owner_id for item, owner in (await read.owners(incident.id)).items() if owner.owner_id
            }
        clocks = legal.describe(legal.assess(values_of(answers)), now=self.clock.now(), lang=lang)
        if clocks and is_drill(values_of(answers)):
            clocks = [t("drill.clocks", lang), *clocks]
        title = answers["title"].value if "title" in answers else f"#{incident.id}"
        if "exercise" in answers and answers["exercise"].value is True:
            title = t("drill.mark", lang) + title
        blocks = posts.checklist_blocks(
            title=title,
            answers=answers,
            lang=lang,
            owners=owners,
            closed_line=closed,
            legal_lines=clocks,
            incident_id=incident.id if pickers else None,
        )
        # review and publication: per document, and with the pickers (/leak-status) the whole record
        return blocks + await review_jobs.checklist_blocks(
            self, incident, trail=pickers, room=posts.MAX_BLOCKS - len(blocks), lang=lang, tx=tx
        )

    def _checklist_text(self, answers: Mapping[str, Answer]) -> str:
        title = answers["title"].value if "title" in answers else ""
        return t("checklist.header", self.lang, title=escape(self._mark(answers, title)))

    async def refresh_checklist(self, job: Job) -> None:
        """Updates the pinned checklist in place with the state as it is now (a burst of changes recorded
        one job: bot.usecases.base.refresh_checklist)."""
        await self._update_checklist(await self._incident(job))

    async def _update_checklist(self, incident: Incident) -> None:
        if incident.channel_id and incident.checklist_ts:
            answers = await self._answers(incident.id)
            await self.client.chat_update(
                channel=channel_of(incident),
                ts=incident.checklist_ts,
                text=self._checklist_text(answers),
                blocks=await self.checklist(incident, answers),
            )

    # --- drafts -----------------------------------------------------------------------------------

    async def post_draft(self, job: Job) -> None:
        """Posts a stored version of a document, saying what changed (split over messages when long);
        with a `lang` other than the incident's, that version translated."""
        draft, drafts = await self._draft(job.payload["draft_id"])
        incident = await self._incident(job)
        again = bool(job.payload.get("again"))
        if draft is None or draft.waiting or (draft.posted_at is not None and not again):
            return
        lang = job.payload.get("lang") or self.lang
        key = "draft.header" if draft.doc == "public" else f"draft.header.{draft.doc}"
        heading = t(key, lang, version=draft.version)
        if draft.values and is_drill(draft.values):
            heading = t("drill.mark", lang) + heading
        notes = [t("draft.unchanged", lang, version=draft.version)] if again else self._changes(draft, drafts)
        body = plain_text(self._body(draft, drafts, lang))
        for part, blocks in enumerate(posts.draft_messages(body=body, heading=heading, lang=lang, notes=notes)):
            await self.post(job, f"draft:{part}", channel=channel_of(incident), blocks=blocks, text=heading)
        if lang == self.lang:
            await canvas_jobs.posted(self, draft, first_time=draft.posted_at is None)

    def _body(self, draft: Draft, drafts: list[Draft], lang: str) -> str:
        """A version's text: as stored in the incident's language, else rendered again in `lang`."""
        if lang == self.lang or not draft.values:
            return draft.body
        previous = next((d for d in reversed(drafts) if d.doc == draft.doc and d.version < draft.version), None)
        earlier = [d for d in drafts if d.id < draft.id]
        meta = drafts_usecase.meta_for(
            self.company,
            earlier,
            draft.doc,
            version=draft.version,
            dated=draft.at,
            previous=previous,
            exercise=is_drill(draft.values),
        )
        try:
            return render(draft.values, lang=lang, doc=draft.doc, meta=meta)
        except Unsafe as unsafe:  # the translation would join two answers into a card number: never posted
            raise Impossible(unsafe.key) from None

    def _changes(self, draft: Draft, drafts: list[Draft]) -> list[str]:
        """A line on what changed since the previous version of the same document."""
        previous = next((d for d in reversed(drafts) if d.doc == draft.doc and d.version < draft.version), None)
        if previous is None:
            return []
        items = changed_items(previous.values or {}, draft.values or {})
        if not items:
            return [t("draft.changed_wording", self.lang, previous=previous.version)]
        names = ("、" if self.lang == "ja" else ", ").join(ITEMS[i].label(self.lang) for i in items)
        return [t("draft.changed", self.lang, previous=previous.version, items=names)]

    async def hold(self, job: Job) -> None:
        """Warns that a version's maximum count grew past one already posted, with the button to post it."""
        draft, drafts = await self._draft(job.payload["draft_id"])
        incident = await self._incident(job)
        if draft is None or not draft.waiting or not draft.values:
            return
        fmt = format_count_ja if self.lang == "ja" else format_count_en
        shown = [
            d.values["max_count"]
            for d in drafts
            if not d.waiting and d.values and "max_count" in d.values and not count_is_unknown(d.values["max_count"])
        ]
        old = max(shown, key=lambda v: v["value"]) if shown else draft.values["max_count"]
        lines = [
            t(
                "draft.hold",
                self.lang,
                doc=t(f"doc.{draft.doc}", self.lang),
                version=draft.version,
                new=fmt(as_count(draft.values["max_count"])),
                old=fmt(as_count(old)),
            ),
            t("draft.hold_why", self.lang),
        ]
        await self.post(
            job,
            "hold",
            channel=channel_of(incident),
            text=lines[0],
            blocks=posts.hold_blocks(
                incident_id=incident.id, draft_id=draft.id, lines=[escape(line) for line in lines], lang=self.lang
            ),
        )

    async def upload_draft(self, job: Job) -> None:
        """Uploads a version as Markdown and Word files, so the full text is always one click away."""
        draft, drafts = await self._draft(job.payload["draft_id"])
        incident = await self._incident(job)
        if draft is None or draft.waiting or not incident.channel_id:
            return
        lang = job.payload.get("lang") or self.lang
        body = self._body(draft, drafts, lang)
        name = f"leak-{incident.id}-{draft.doc}-v{draft.version}" + (f"-{lang}" if lang != self.lang else "")
        uploaded = await self.sender.upload(
            job,
            "files",
            channel=channel_of(incident),
            initial_comment=t("draft.file", lang, version=draft.version),
            file_uploads=[
                {"content": to_markdown(body), "filename": f"{name}.md", "title": f"{name}.md"},
                {
                    "content": to_docx(body, lang=lang, version=draft.version, exercise=is_drill(draft.values or {})),
                    "filename": f"{name}.docx",
                    "title": f"{name}.docx",
                },
            ],
        )
        if draft.doc == "public" and lang == self.lang:
            await canvas_jobs.remember_files(self, draft, uploaded)  # for the bookmark of the latest draft

    async def update_canvas(self, job: Job) -> None:
        """The channel canvas shows a public draft version (bot/slack/canvas.py)."""
        await canvas_jobs.update_canvas(self, job)

    async def keep_bookmarks(self, job: Job) -> None:
        """The channel's bookmarks: checklist, PPC page, latest draft files (bot/slack/canvas.py)."""
        await canvas_jobs.keep_bookmarks(self, job)

    async def close_record(self, job: Job) -> None:
        """After /leak-close: the final checklist (and what the draft lacks, if anything); the pinned one updated."""
        incident = await self._incident(job)
        answers = await self._answers(incident.id)
        blocks = await self.checklist(incident, answers)
        title = answers["title"].value if "title" in answers else ""
        blocks[0] = posts.header(f"{t('checklist.final', self.lang)}：{display('title', title, self.lang)}")
        await self.post(job, "final", channel=channel_of(incident), blocks=blocks, text=t("checklist.final", self.lang))
        missing = missing_required(values_of(answers))
        if missing:
            await self.post(
                job,
                "no_draft",
                channel=channel_of(incident),
                text=t("close.no_draft", self.lang),
                blocks=posts.missing_blocks(missing, self.lang, "close.no_draft"),
            )
        if is_drill(values_of(answers)):
            await self.post(job, "drill_review", channel=channel_of(incident), text=await self._drill_review(incident))
        await self.refresh_checklist(job)

    async def _drill_review(self, incident: Incident) -> str:
        """A drill's closing review: how long each required item took to get its first answer, who gave it,
        and how long until the first draft."""
        async with self.repo.read() as tx:
            history = await tx.history(incident.id)
            drafts = await tx.drafts(incident.id)
        first: dict[str, Revision] = {}
        for revision in history:
            first.setdefault(revision.item_id, revision)
        lines = [t("drill.review", self.lang)]
        for item_id in REQUIRED:
            if item_id in INCIDENT_STEP.items:
                continue  # given with the new-incident form itself
            label = ITEMS[item_id].label(self.lang)
            if item_id in first:
                span = legal.span_text(first[item_id].at - incident.created_at, self.lang)
                lines.append(t("drill.review.item", self.lang, item=label, span=span, user=first[item_id].user_id))
            else:
                lines.append(t("drill.review.open", self.lang, item=label))
        lines.append(
            t("drill.review.draft", self.lang, span=legal.span_text(drafts[0].at - incident.created_at, self.lang))
            if drafts
            else t("drill.review.no_draft", self.lang)
        )
        return "\n".join(lines)

    async def post_review_request(self, job: Job) -> None:
        """A version put to its document's reviewers (bot/slack/review.py)."""
        await review_jobs.post_request(self, job)

    async def post_review_nudge(self, job: Job) -> None:
        """A reviewer reminded by DM of a version waiting for them (bot/slack/review.py)."""
        await review_jobs.post_nudge(self, job)

    async def post_publish_offer(self, job: Job) -> None:
        """The Publish button once every reviewer approved a version (bot/slack/review.py)."""
        await review_jobs.post_publish_offer(self, job)

    # --- the App Home -----------------------------------------------------------------------------

    async def publish_homes(self, job: Job) -> None:
        """Publishes the App Home again for everyone in the incident's channel (a burst of changes recorded
        one job: bot.usecases.home.republish)."""
        await self._publish_homes(await self._incident(job))

    async def _publish_homes(self, incident: Incident) -> None:
        if not incident.channel_id:
            return
        async with self.repo.read() as tx:
            members = sorted(await tx.members(incident.channel_id))
        bot = await self.bot_user_id()
        for user_id in members:
            if user_id != bot:
                await self.publish_home(user_id)

    async def publish_home_of(self, job: Job) -> None:
        """Publishes the App Home again for one person who is no longer in the incident's channel."""
        user_id = str(job.payload["user_id"])
        if user_id != await self.bot_user_id():  # the bot itself, removed from the channel, has no Home tab
            await self.publish_home(user_id)

    async def publish_home(self, user_id: str, *, page: int = 0) -> None:
        """Shows one person their desk on the App Home tab (views.publish)."""
        desk = await home.desk(self.repo, user_id, page=page)
        lang = await self.locales.lang_of(user_id)  # in the viewer's language
        await self.client.views_publish(user_id=user_id, view=home_ui.home_view(desk, now=self.clock.now(), lang=lang))

    # --- when nothing helps -----------------------------------------------------------------------

    async def give_up(self, job: Job, error: str) -> None:
        """Tells people, in plain words and with a reference, what could not be done: the channel, else the opener."""
        async with self.repo.read() as tx:
            incident = await tx.incident(job.incident_id) if job.incident_id else None
        if incident is None:
            return
        ref = reference(job.id)
        if job.kind == "setup" and incident.channel_id is None:
            text = t("open.failed", self.lang, error=error, id=incident.id) + " " + t("error.ref", self.lang, ref=ref)
            lang = await self.locales.lang_of(incident.opener_id)  # the opener's modal, in their language
            told = t("open.failed", lang, error=error, id=incident.id) + " " + t("error.ref", lang, ref=ref)
            with contextlib.suppress(SlackApiError):
                await self.client.views_update(
                    view_id=job.payload["view_id"], view=notice_modal(t("open.progress_title", lang), told)
                )
            await self.tell(incident.opener_id, text, job=job)
            return
        what = t(f"job.{job.kind}" if f"job.{job.kind}" in MESSAGES else "job.slack", self.lang)
        text = (
            t("job.failed", self.lang, what=what, error=error, id=incident.id)
            + " "
            + t("error.ref", self.lang, ref=ref)
        )
        if not await self.tell(incident.channel_id, text, job=job):
            await self.tell(incident.opener_id, text, job=job)

    async def tell(self, channel: str | None, text: str, *, job: Job) -> bool:
        """Tells a channel, or one person by DM (a user id), that a job failed; False when Slack would not take it."""
        if not channel:
            return False
        try:
            await self.post(job, f"gave_up:{channel}", channel=channel, text=text)
            return True
        except SlackApiError as exc:
            log.warning("could not tell %s: %s", channel, slack_error(exc))
            return False
