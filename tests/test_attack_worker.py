"""Attacks on "the worker cannot die" (issue 18, promise 4) that its own tests do not try, against a real
leakbot on PostgreSQL: the database goes away while a job is in the middle of its Slack calls (each
set-up call is made once the database is back, and lands once), and /healthz turns back to 200 by itself
once the database answers again, without any request to wake the bot. The outage is logged in a bounded
number of lines: its traceback once, not for every job that met it and every sweep while it lasted."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from pathlib import Path

import aiohttp
import asyncpg

from bot.worker import LEASE
from tests.conftest import PG_ADMIN, Harness, postgres_database
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess, wait_healthy
from tests.slack_payloads import interactive_body, view_submission
from tests.story import answer_buttons, messages, text_of
from tests.test_worker_survives import _set_connections


async def status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        return response.status


async def test_the_database_gone_while_a_set_up_runs_makes_one_channel_one_pinned_checklist(
    fake: FakeSlack, tmp_path: Path
) -> None:
    async with postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        bot = BotProcess(fake, tmp_path, database_url=url)
        await bot.start()
        admin = await asyncpg.connect(PG_ADMIN, timeout=5)
        health = f"http://127.0.0.1:{bot.port}/healthz"
        try:
            async with aiohttp.ClientSession() as http:
                view = await bot.open_form("途中停電の事案", http=http)
                # the set-up's channel is made slowly: the database goes away while Slack makes it
                fake.slow("conversations.create", 1.5)
                submission = view_submission(view, {"summary": "架空の概要"}, user_id="U0ALICE")
                assert (await bot.post(interactive_body(submission), http=http))[0] == 200
                await fake.wait_for("conversations.create")
                await _set_connections(admin, name, allowed=False)
                try:
                    for _ in range(100):
                        if await status(http, health) == 503:
                            break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError("/healthz never said 503 during the outage")
                    await asyncio.sleep(3)  # the set-up meets the outage after its channel was made
                finally:
                    await _set_connections(admin, name, allowed=True)
                # health comes back by itself, and the set-up finishes
                await wait_healthy(http, health, bot.process)
                await fake.wait_for("pins.add", lambda c: c.ok, timeout=30)
        finally:
            await admin.close()
            await bot.stop()
        log = bot.log_path.read_text()
        assert bot.process.returncode == 0, bot.log_tail()
        creates = [
            (c.args.get("name"), c.ok, (c.response or {}).get("error")) for c in fake.calls_to("conversations.create")
        ]
        assert len([c for c in fake.calls_to("conversations.create") if c.ok]) == 1, creates
        assert len([c for c in fake.calls_to("pins.add") if c.ok]) == 1, bot.log_tail(60)
        channel = next(c.response["channel"]["id"] for c in fake.calls_to("conversations.create") if c.ok)
        checklists = [m for m in fake.messages.get(channel, []) if m.get("pinned_to") or "チェックリスト" in str(m)]
        assert checklists, bot.log_tail(60)
        assert "Task exception was never retrieved" not in log, bot.log_tail(60)
        # an outage is told once with its traceback (the worker's loop, the sweeps), then in one line a try:
        # not a traceback for every job that met it and every sweep tick while it lasts
        lines = log.splitlines()
        with_traceback = [a for a, b in pairwise(lines) if b.startswith("Traceback") and a[:2] == "20"]
        assert len(with_traceback) <= 2, with_traceback
        assert "sweep failed (" in log and "the sweeps work again after" in log, bot.log_tail(60)


async def test_a_job_slower_than_its_lease_is_not_run_a_second_time_meanwhile(sqlite_leakbot: Harness) -> None:
    """A set-up whose Slack calls take longer than the job's lease (rate limits, a slow Slack: each call may
    take its full timeout, five times) is still running when its lease would lapse: the worker must not take
    the same job again beside it, or both post."""
    h = sqlite_leakbot
    h.fake.slow("chat.postMessage", 2.0)  # the set-up's first post (the welcome) is slow
    reply = await h.command("/leak-open", "遅い立ち上げ")
    assert reply.status == 200
    view = await h.opened_view(1)
    assert (await h.submit(view, {"summary": "架空の概要", "responders": ["U0BOB"]})).status == 200
    await h.fake.wait_for("conversations.setTopic", lambda c: c.ok)  # the stage before the slow post
    h.clock.advance(LEASE.total_seconds() + 1)  # ... which outlasts the lease (the worker is woken)
    channel = next(c.response["channel"]["id"] for c in h.fake.calls_to("conversations.create") if c.ok)
    await h.fake.wait_until(lambda: any(answer_buttons(m) for m in messages(h, channel)), what="first question")
    await h.settle()
    posted = [c for c in h.fake.calls_to("chat.postMessage") if c.ok and c.args.get("channel") == channel]
    texts = [text_of(c.args) for c in posted]
    assert len(texts) == len(set(texts)), texts  # every post of the set-up once
    assert len([c for c in h.fake.calls_to("pins.add") if c.ok]) == 1


async def test_a_job_that_hangs_is_given_up_and_run_again_later(sqlite_leakbot: Harness) -> None:
    """A handler that never returns (here: Slack never answers one call, and the job's own limit is shorter
    than the client's timeout) frees its slot; the job is tried again later and ends done, its channel once."""
    h = sqlite_leakbot
    h.bot.worker.job_most = 0.5  # the limit on one run of a job, short for the test
    h.fake.slow("conversations.setTopic", 30.0)  # Slack never answers this call in the test's time
    reply = await h.command("/leak-open", "止まる立ち上げ")
    assert reply.status == 200
    view = await h.opened_view(1)
    assert (await h.submit(view, {"summary": "架空の概要", "responders": ["U0BOB"]})).status == 200
    await h.fake.wait_for("conversations.invite", lambda c: c.ok)  # the stage before the one that hangs

    def pinned() -> bool:
        h.clock.advance(30)  # time passes: the backoff of a job given up runs out
        return any(c.ok for c in h.fake.calls_to("pins.add"))

    # well before the client's own timeout (10 s) would have ended the call
    await h.fake.wait_until(pinned, timeout=6, what="the set-up, run again, to pin the checklist")
    assert len([c for c in h.fake.calls_to("conversations.create") if c.ok]) == 1
