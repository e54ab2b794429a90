"""kill -9 at the worst moments, then a start on the same database: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import form_body, interactive_body, slash_command, view_submission
from tests.story import ANSWERS, SUMMARY, TITLE, answer_buttons, text_of

__all__ = ["BotProcess", "leak_channels", "open_through"]  # tests/test_replicas.py takes them from here

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo_dates(earliest: datetime, latest: datetime) -> set[date]:
    """The dates in Tokyo between two instants: a real process names its channel after one of them."""
    return {earliest.astimezone(TOKYO).date(), latest.astimezone(TOKYO).date()}


async def open_through(bot: BotProcess, fake: FakeSlack) -> dict:
    status, _ = await bot.post(
        form_body(
            slash_command(
                "/leak-open",
                TITLE,
                user_id="U0ALICE",
                channel_id="C0GENERAL",
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
        )
    )
    assert status == 200
    call = await fake.wait_for("views.open", lambda c: c.ok)
    return fake.views[call.response["view"]["id"]]


def leak_channels(fake: FakeSlack) -> list[Any]:
    return [c for c in fake.channels.values() if c.name.startswith("leak-")]


async def test_killed_while_creating_the_channel(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        view = await open_through(bot, fake)
        fake.fail("conversations.create", "internal_error", status=500, delay=30)  # hangs, then never made
        submitted = datetime.now(UTC)  # the incident is created after this...
        status, body = await bot.post(interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE")))
        assert status == 200 and "update" in body  # acknowledged: the incident is committed
        await fake.wait_for("conversations.create")
        named = datetime.now(UTC)  # ...and before its channel is asked for
        bot.kill()
        await bot.process.wait()
        await bot.start()  # the same database
        await fake.wait_for("pins.add", lambda c: c.ok, timeout=15)
        await fake.wait_until(
            lambda: any(answer_buttons(m) for c in leak_channels(fake) for m in fake.messages.get(c.id, [])),
            what="the first question",
        )
        channels = leak_channels(fake)
        # the process uses the real clock: its incident's date in Tokyo, whatever the day and zone of this run
        names = {f"leak-{day:%Y%m%d}-顧客dbの流出疑い" for day in tokyo_dates(submitted, named)}
        assert len(channels) == 1 and channels[0].name in names, ([c.name for c in channels], names)
        posted = fake.messages[channels[0].id]
        assert len([m for m in posted if answer_buttons(m)]) == 1 and len(fake.pins[channels[0].id]) == 1
    finally:
        await bot.stop()


async def test_killed_after_an_answer_before_its_effects(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        view = await open_through(bot, fake)
        await bot.post(interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE")))
        await fake.wait_until(
            lambda: any(answer_buttons(m) for c in leak_channels(fake) for m in fake.messages.get(c.id, [])),
            what="the first question",
            timeout=10,
        )
        channel = leak_channels(fake)[0].id
        question = next(m for m in fake.messages[channel] if answer_buttons(m))
        payload = {
            "type": "block_actions",
            "team": {"id": "T0LEAK"},
            "user": {"id": "U0ALICE", "team_id": "T0LEAK"},
            "channel": {"id": channel},
            "trigger_id": fake.new_trigger_id(),
            "response_url": fake.response_url(),
            "actions": [
                {
                    "type": "button",
                    "action_id": "leak_answer",
                    "value": answer_buttons(question)[0]["value"],
                    "action_ts": "1",
                }
            ],
        }
        await bot.post(interactive_body(payload))
        opened = await fake.wait_for("views.open", lambda c: c.ok, count=2)
        step_view = fake.views[opened.response["view"]["id"]]
        fake.fail("chat.update", "internal_error", status=500, delay=30)  # the checklist update hangs
        status, body = await bot.post(interactive_body(view_submission(step_view, ANSWERS[0][1], user_id="U0ALICE")))
        assert status == 200 and body == ""  # the answer is acknowledged, so it is committed
        await fake.wait_for("chat.update")
        bot.kill()
        await bot.process.wait()
        await bot.start()
        await fake.wait_for("chat.update", lambda c: c.ok, timeout=15)
        await fake.wait_until(
            lambda: [m for m in fake.messages[channel] if "件数を教えて" in text_of(m)],
            what="the next question",
            timeout=10,
        )
        await asyncio.sleep(1.5)  # a sweep more, to see nothing comes twice
        assert len([m for m in fake.messages[channel] if "件数を教えて" in text_of(m)]) == 1
        checklist = next(m for m in fake.messages[channel] if m["ts"] == fake.pins[channel][0])
        assert "氏名" in text_of(checklist)  # the answer survived the kill
    finally:
        await bot.stop()
