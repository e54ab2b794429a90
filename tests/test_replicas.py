"""Two real bot processes on one PostgreSQL behind a (pretend) load balancer: each effect once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import postgres_database
from tests.fake_slack import FakeSlack
from tests.slack_payloads import interactive_body, view_submission
from tests.story import SUMMARY, text_of
from tests.test_crash import BotProcess, leak_channels, open_through


async def test_two_replicas_share_one_database(fake: FakeSlack, tmp_path: Path) -> None:
    async with postgres_database() as url:
        first = BotProcess(fake, tmp_path, database_url=url, LEAKBOT_NUDGE_AFTER="3")
        second = BotProcess(fake, tmp_path, database_url=url, LEAKBOT_NUDGE_AFTER="3")
        await asyncio.gather(first.start(), second.start())  # both migrate: one at a time
        try:
            view = await open_through(first, fake)
            body = interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE"))
            # Slack retried the submission, and the balancer sent each attempt to another replica
            replies = await asyncio.gather(first.post(body), second.post(body))
            assert [status for status, _ in replies] == [200, 200]
            await fake.wait_for("pins.add", lambda c: c.ok, timeout=10)
            channels = leak_channels(fake)
            assert len(channels) == 1 and len([c for c in fake.calls_to("conversations.create") if c.ok]) == 1
            channel = channels[0].id

            def nudges() -> list[dict]:
                return [m for m in fake.messages.get(channel, []) if "未回答の必須項目が" in text_of(m)]

            # both replicas sweep every second; the first nudge is due 3 s after the opening
            await fake.wait_until(nudges, timeout=15, what="the first nudge")
            await asyncio.sleep(3)  # several sweeps of both, well before the next nudge (6 s later)
            assert len(nudges()) == 1
        finally:
            await asyncio.gather(first.stop(), second.stop())
