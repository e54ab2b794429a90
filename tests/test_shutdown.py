"""Stopping a real process the way docker, systemd and Ctrl-C do: SIGTERM or SIGINT.

The process stops taking requests, lets the job it is running finish in Slack, and exits with 0.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.test_read_your_writes import Person, http  # noqa: F401  (http is a fixture)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_lets_the_running_job_finish(fake: FakeSlack, tmp_path: Path, http, stop_signal) -> None:  # noqa: F811
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        fake.slow("conversations.create", 1.5)  # the channel set-up is under way when the signal comes
        person = Person(fake, http)
        opened = await person.command(bot, "/leak-open", "停止テスト用の架空事案")
        assert opened.view is not None, opened.text
        await person.submit(bot, opened.view, {"summary": "架空の概要"})
        await fake.wait_until(lambda: "conversations.create" in fake.arrivals, timeout=15, what="the set-up under way")
        bot.process.send_signal(stop_signal)
        code = await asyncio.wait_for(bot.process.wait(), 20)
    finally:
        await bot.stop()
    assert code == 0, bot.log_tail()
    created = [c for c in fake.calls_to("conversations.create") if c.ok]
    assert len(created) == 1, "the set-up job that was running when the signal came finished"
    log = bot.log_path.read_text()
    assert "Traceback" not in log and "stopped" in log.splitlines()[-1], bot.log_tail()
