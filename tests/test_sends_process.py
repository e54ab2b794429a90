"""A real leakbot process attacked where its posts and its channel set-up are weakest: killed -9 while Slack
holds a post's answer, and Slack failing on every set-up call at once (measured in real time)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import form_body, interactive_body, slash_command, view_submission
from tests.story import SUMMARY, answer_buttons, text_of
from tests.test_crash import leak_channels, open_through
from tests.test_read_your_writes import STEPS, USER, WAIT, Person, answers_for, drafts_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
WELCOME = "開始しました"


async def test_killed_while_slack_holds_the_answer_to_a_post_it_made_the_post_is_there_once(
    fake: FakeSlack, tmp_path: Path
) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        view = await open_through(bot, fake)
        fake.late("chat.postMessage", 60)  # the welcome is posted; its answer never comes before the kill
        status, _ = await bot.post(interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE")))
        assert status == 200
        await fake.wait_for("chat.postMessage")
        bot.kill()
        await bot.process.wait()
        await bot.start()  # the same database: the set-up resumes at the post whose outcome it never learnt
        await fake.wait_for("pins.add", lambda c: c.ok, timeout=15)
        [channel] = leak_channels(fake)
        await fake.wait_until(
            lambda: any(answer_buttons(m) for m in fake.messages.get(channel.id, [])), what="the first question"
        )
        posted = fake.messages[channel.id]
        assert len([m for m in posted if WELCOME in text_of(m)]) == 1, [text_of(m)[:40] for m in posted]
        assert len([m for m in posted if answer_buttons(m)]) == 1 and len(fake.pins[channel.id]) == 1
        searches = [c for c in fake.calls_to("conversations.history") if c.args.get("channel") == channel.id]
        assert searches and all(str(c.args.get("include_all_metadata")).lower() in ("1", "true") for c in searches)
    finally:
        await bot.stop()


async def test_the_set_up_rides_out_a_fault_on_every_call_within_seconds(fake: FakeSlack, tmp_path: Path) -> None:
    """One 429 (Retry-After: 1) on conversations.create and pins.add, two 500s on conversations.invite and
    chat.postMessage: the channel exists within 5 s of the ack, the checklist is pinned within 10 s."""
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        view = await open_through(bot, fake)
        fake.fail("conversations.create", status=429, retry_after=1)
        fake.fail("pins.add", status=429, retry_after=1)
        fake.fail("conversations.invite", "internal_error", status=500, times=2)
        fake.fail("chat.postMessage", "internal_error", status=500, times=2)
        body = interactive_body(view_submission(view, {"summary": SUMMARY, "responders": ["U0BOB"]}, user_id="U0ALICE"))
        status, _ = await bot.post(body)
        acked = time.monotonic()
        assert status == 200
        created = await fake.wait_for("conversations.create", lambda c: c.ok, timeout=10)
        pinned = await fake.wait_for("pins.add", lambda c: c.ok, timeout=15)
        assert created.at - acked <= 5, f"the channel came {created.at - acked:.1f} s after the ack"
        refused = fake.calls_to("conversations.create")[0]
        assert not refused.ok and created.at - refused.at >= 1  # Retry-After: 1 was honoured
        pin_refused = fake.calls_to("pins.add")[0]
        assert not pin_refused.ok and pinned.at - pin_refused.at >= 1
        assert pinned.at - acked <= 10, f"the checklist was pinned {pinned.at - acked:.1f} s after the ack"
        channel = created.response["channel"]["id"]
        assert {"U0ALICE", "U0BOB"} <= fake.channels[channel].members  # the opener is in, and the responder
        checklist = next(m for m in fake.messages[channel] if m["ts"] == pinned.args["timestamp"])
        assert "必須" in text_of(checklist)  # what is pinned is the checklist
        await fake.wait_until(
            lambda: any(answer_buttons(m) for m in fake.messages.get(channel, [])), what="the first question"
        )
        posted = fake.messages[channel]
        assert len([m for m in posted if WELCOME in text_of(m)]) == 1
        assert len([m for m in posted if m["ts"] == checklist["ts"] or "必須" in text_of(m)]) == 1
        assert fake.pins[channel] == [checklist["ts"]]
    finally:
        await bot.stop()


async def test_a_leak_draft_slack_sends_again_is_one_command(fake: FakeSlack, tmp_path: Path) -> None:
    """Slack retries the command (X-Slack-Retry-Num), once at the same moment and once later: one post."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        bot = BotProcess(fake, tmp_path)
        await bot.start()
        try:
            alice = Person(fake, http)
            channel = await alice.open_incident(bot, "架空の漏えい事案（再送）", "テスト用の架空の事案。")
            answers = answers_for(1)
            outcome = await alice.command(bot, "/leak-next", channel=channel)
            for step in STEPS:
                assert outcome.view is not None, outcome.text
                assert (await alice.submit(bot, outcome.view, answers[step.name])).strip() == ""
                outcome = await alice.command(bot, "/leak-next", channel=channel)
            await fake.wait_until(lambda: drafts_in(fake, channel), timeout=WAIT, what="the first draft")
            body = form_body(
                slash_command(
                    "/leak-draft",
                    "",
                    user_id=USER,
                    channel_id=channel,
                    trigger_id=fake.new_trigger_id(),
                    response_url=fake.response_url(),
                )
            )
            retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            sent = await asyncio.gather(bot.post(body, http=http), bot.post(body, http=http, extra=retry))
            assert [status for status, _ in sent] == [200, 200]
            await fake.wait_until(lambda: len(drafts_in(fake, channel)) == 2, timeout=WAIT, what="the draft asked for")
            status, _ = await bot.post(body, http=http, extra={**retry, "X-Slack-Retry-Num": "2"})
            assert status == 200
            # a later /leak-draft (a new trigger): an incident's posts go in order, so whatever the retries
            # would have posted comes before it
            later = slash_command(
                "/leak-draft",
                "",
                user_id=USER,
                channel_id=channel,
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
            assert (await bot.post(form_body(later), http=http))[0] == 200
            await fake.wait_until(lambda: len(drafts_in(fake, channel)) >= 3, timeout=WAIT, what="the next draft")
            assert len(drafts_in(fake, channel)) == 3, [text_of(m)[:30] for m in drafts_in(fake, channel)]
        finally:
            await bot.stop()
