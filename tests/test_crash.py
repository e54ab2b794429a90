"""kill -9 at the worst moments, then a start on the same database: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, interactive_body, sign, slash_command, view_submission
from tests.story import ANSWERS, SUMMARY, TITLE, answer_buttons, text_of
from tests.test_cli import clean_env, free_port, wait_healthy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


class BotProcess:
    """A real leakbot process in HTTP mode on the given database, talking to the fake Slack."""

    def __init__(self, fake: FakeSlack, folder: Path, *, database_url: str | None = None, **settings: str) -> None:
        self.fake, self.port = fake, free_port()
        self.env = clean_env(SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.url,
                             DATABASE_URL=database_url or f"sqlite+aiosqlite:///{folder / 'leakbot.db'}",
                             HOST="127.0.0.1", PORT=str(self.port), LEAKBOT_NUDGE_TICK="1", **settings)
        self.folder = folder
        self.process: Any = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=self.folder, env=self.env,
                                                            stdout=asyncio.subprocess.DEVNULL,
                                                            stderr=asyncio.subprocess.DEVNULL)
        async with aiohttp.ClientSession() as http:
            await wait_healthy(http, f"http://127.0.0.1:{self.port}/healthz", self.process)

    async def post(self, body: bytes) -> tuple[int, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body)}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{self.port}/slack/events", data=body, headers=headers) as response:
                return response.status, await response.text()

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


async def open_through(bot: BotProcess, fake: FakeSlack) -> dict:
    status, _ = await bot.post(form_body(slash_command("/leak-open", TITLE, user_id="U0ALICE", channel_id="C0GENERAL",
                                                       trigger_id=fake.new_trigger_id(), response_url=fake.response_url())))
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
        status, body = await bot.post(interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE")))
        assert status == 200 and "update" in body  # acknowledged: the incident is committed
        await fake.wait_for("conversations.create")
        bot.kill()
        await bot.process.wait()
        await bot.start()  # the same database
        await fake.wait_for("pins.add", lambda c: c.ok, timeout=15)
        await fake.wait_until(lambda: any(answer_buttons(m) for c in leak_channels(fake)
                                          for m in fake.messages.get(c.id, [])), what="the first question")
        channels = leak_channels(fake)
        assert [c.name for c in channels] == ["leak-20261126-顧客dbの流出疑い"]
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
        await fake.wait_until(lambda: any(answer_buttons(m) for c in leak_channels(fake)
                                          for m in fake.messages.get(c.id, [])), what="the first question", timeout=10)
        channel = leak_channels(fake)[0].id
        question = next(m for m in fake.messages[channel] if answer_buttons(m))
        payload = {"type": "block_actions", "team": {"id": "T0LEAK"}, "user": {"id": "U0ALICE", "team_id": "T0LEAK"},
                   "channel": {"id": channel}, "trigger_id": fake.new_trigger_id(), "response_url": fake.response_url(),
                   "actions": [{"type": "button", "action_id": "leak_answer", "value": answer_buttons(question)[0]["value"],
                                "action_ts": "1"}]}
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
        await fake.wait_until(lambda: [m for m in fake.messages[channel] if "件数を教えて" in text_of(m)],
                              what="the next question", timeout=10)
        await asyncio.sleep(1.5)  # a sweep more, to see nothing comes twice
        assert len([m for m in fake.messages[channel] if "件数を教えて" in text_of(m)]) == 1
        checklist = next(m for m in fake.messages[channel] if m["ts"] == fake.pins[channel][0])
        assert "氏名" in text_of(checklist)  # the answer survived the kill
    finally:
        await bot.stop()
