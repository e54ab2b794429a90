"""Nudges with an injected clock: no sleeping, exact due times, backoff, snooze, silence, restarts.

Tests of the scheduler's internals: the sweep is driven by hand and the job worker waited for
(`settle`) after it. That nudges reach a channel by themselves is tested on a real process in test_cli.py.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import event, insert

from storage.models import IncidentRow
from tests.conftest import Harness, start_harness, stop_harness
from tests.story import ANSWERS, answer, answer_required, messages, open_incident, text_of

HOUR = 3600


def nudges(h: Harness, channel: str) -> list[dict]:
    """The nudge messages in the channel."""
    return [m for m in messages(h, channel) if "未回答の必須項目が" in text_of(m)]


async def sweep_at(h: Harness, seconds_after_start: float) -> int:
    """Moves the clock to START + seconds and runs one sweep."""
    from tests.conftest import START

    h.clock.current = START + timedelta(seconds=seconds_after_start)
    sent = await h.bot.sweeper.sweep()
    await h.settle()  # internal: the jobs the sweep made have run (or wait for the clock) before the next step
    return sent


async def test_first_nudge_comes_exactly_at_the_interval(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    assert await sweep_at(leakbot, HOUR - 1) == 0
    assert await sweep_at(leakbot, HOUR) == 1
    nudge = nudges(leakbot, channel)[0]
    text = text_of(nudge)
    assert "<@U0ALICE>" in text  # no owners yet: the opener is named
    for item_id in (
        "data_items",
        "max_count",
        "confirmed_count",
        "services",
        "card_bank",
        "customer_actions",
        "contact",
    ):
        assert f"`{item_id}`" in text
    actions = [e["action_id"] for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["leak_answer", "leak_snooze_1800", "leak_snooze_3600", "leak_snooze_14400"]


async def test_repeats_back_off_and_cap_at_eight_intervals(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    expected = [1, 3, 7, 15, 23, 31]  # hours after the start: +1, +2, +4, +8, +8, +8
    for hours in expected:
        assert await sweep_at(leakbot, hours * HOUR - 1) == 0, hours
        assert await sweep_at(leakbot, hours * HOUR) == 1, hours
    assert len(nudges(leakbot, channel)) == len(expected)


async def test_an_answer_resets_the_clock_and_the_backoff(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    assert await sweep_at(leakbot, HOUR) == 1
    assert await sweep_at(leakbot, 3 * HOUR) == 1  # backoff is at 4x now
    await sweep_at(leakbot, 3 * HOUR + 600)
    await answer(leakbot, channel, ANSWERS[0][1])  # progress at 3h10m
    assert await sweep_at(leakbot, 4 * HOUR + 600 - 1) == 0
    assert await sweep_at(leakbot, 4 * HOUR + 600) == 1
    assert await sweep_at(leakbot, 6 * HOUR + 600) == 1  # 2x again, not 8x
    assert "`data_items`" not in text_of(nudges(leakbot, channel)[-1])


async def test_snooze_holds_the_clock(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    assert await sweep_at(leakbot, HOUR) == 1
    nudge = nudges(leakbot, channel)[0]
    await leakbot.click("leak_snooze_14400", "14400", channel=channel, message_ts=nudge["ts"], user="U0BOB")
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "リマインドを" in text_of(m)], what="the snooze notice"
    )
    assert await sweep_at(leakbot, 5 * HOUR - 1) == 0  # snoozed from 1h for 4h
    assert await sweep_at(leakbot, 5 * HOUR) == 1


async def test_a_forged_snooze_value_changes_nothing(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await leakbot.click("leak_snooze_1800", "99999999", channel=channel)
    assert await sweep_at(leakbot, HOUR) == 1


async def test_silence_once_complete_or_closed(leakbot: Harness) -> None:
    done = await open_incident(leakbot)
    await answer_required(leakbot, done)
    closed = await open_incident(leakbot)
    reply = await leakbot.command("/leak-close", channel=closed)
    confirm = next(e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    await leakbot.click(confirm["action_id"], confirm["value"], channel=closed)
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, closed) if "最終チェックリスト" in text_of(m)], what="the close"
    )
    for hours in (1, 3, 7, 15, 48):
        assert await sweep_at(leakbot, hours * HOUR) == 0
    assert nudges(leakbot, done) == [] and nudges(leakbot, closed) == []


async def test_concurrent_sweeps_and_a_restart_send_each_nudge_once(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    first, runner = await start_harness(fake, database_url)
    channel = await open_incident(first)
    first.clock.advance(HOUR)
    sent = await asyncio.gather(first.bot.sweeper.sweep(), first.bot.sweeper.sweep())
    assert sum(sent) == 1
    await first.fake.wait_until(lambda: len(nudges(first, channel)) == 1, what="the nudge")
    await stop_harness(first, runner)
    second, runner = await start_harness(fake, database_url)  # a restart on the same database
    try:
        second.clock.advance(HOUR)  # the restarted clock is back at the start: nothing is due twice
        assert await second.bot.sweeper.sweep() == 0
        second.clock.advance(2 * HOUR)  # the next one, stored before the restart, is not lost
        assert await second.bot.sweeper.sweep() == 1
        await second.fake.wait_until(lambda: len(nudges(second, channel)) == 2, what="the second nudge")
    finally:
        await stop_harness(second, runner)


async def test_a_sweep_costs_the_same_queries_with_10000_open_incidents(leakbot: Harness) -> None:
    from tests.conftest import START

    engine = leakbot.bot.engine
    rows = [
        {
            "team_id": "T0LEAK",
            "opener_id": "U0ALICE",
            "status": "open",
            "channel_id": f"C{n:07d}",
            "created_at": START,
            "nudge_due_at": START + timedelta(days=1),
            "nudges_sent": 0,
        }
        for n in range(10_000)
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(IncidentRow), rows)
    statements: list[str] = []

    sweeping: list[asyncio.Task] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if asyncio.current_task() in sweeping:  # the sweep's own statements, not the worker's beside it
            statements.append(statement)

    async def counted_sweep(seconds_after_start: float) -> int:
        """The statements of one sweep alone (the worker, idle before, is woken at its end)."""
        await leakbot.settle()  # internal: the worker is idle, so no statement of its own is counted
        leakbot.clock.current = START + timedelta(seconds=seconds_after_start)
        statements.clear()
        event.listen(leakbot.bot.repo.sync_engine, "before_cursor_execute", count)
        try:
            sweeping[:] = [asyncio.ensure_future(leakbot.bot.sweeper.sweep())]
            await sweeping[0]
        finally:
            event.remove(leakbot.bot.repo.sync_engine, "before_cursor_execute", count)
        return len(statements)

    none_due = await counted_sweep(HOUR)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("UPDATE incidents SET nudge_due_at = created_at WHERE id <= 5")
    five_due = await counted_sweep(2 * HOUR)  # the five due have no answers: each is looked at once
    assert await counted_sweep(2 * HOUR) == none_due  # and back to constant once they are handled
    assert (
        none_due == 3
    )  # the due nudges, the due reviewer nudges and the finished jobs to forget: one indexed query each
    assert five_due <= 3 + 5 * 20  # follows the number due (about 15 each), not the 10,000 open


async def test_a_nudge_during_a_slack_outage_is_delivered_once_after_a_restart(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    first, runner = await start_harness(fake, database_url)
    channel = await open_incident(first)
    fake.fail("chat.postMessage", status=500)
    first.clock.advance(HOUR)
    assert await first.bot.sweeper.sweep() == 1  # claimed and recorded, but Slack answered 500
    await first.settle()  # internal: the failed attempt is over (it waits for its backoff) before the restart
    assert nudges(first, channel) == []
    await stop_harness(first, runner)
    second, runner = await start_harness(fake, database_url)
    try:
        second.clock.advance(HOUR + 4)
        await second.bot.sweeper.sweep()
        await second.settle()  # internal: "nothing yet" can only be waited for inside the bot
        assert nudges(second, channel) == []  # the retry waits its backoff (5 s)
        second.clock.advance(1)  # the worker is woken by the clock: the retry is due now
        await second.fake.wait_until(lambda: len(nudges(second, channel)) == 1, what="the retried nudge")
        assert await second.bot.sweeper.sweep() == 0  # no new nudge is due...
        await second.settle()  # internal: "no second nudge" can only be waited for inside the bot
        assert len(nudges(second, channel)) == 1  # ...and the pending one landed once
    finally:
        await stop_harness(second, runner)


async def test_a_rate_limited_nudge_waits_for_retry_after(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.fake.fail("chat.postMessage", status=429, retry_after=120)
    assert await sweep_at(leakbot, HOUR) == 1
    assert nudges(leakbot, channel) == []
    await sweep_at(leakbot, HOUR + 119)
    assert nudges(leakbot, channel) == []
    await sweep_at(leakbot, HOUR + 120)
    assert len(nudges(leakbot, channel)) == 1


async def test_a_nudge_slack_refuses_for_good_is_not_retried(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.fake.fail("chat.postMessage", "is_archived")
    assert await sweep_at(leakbot, HOUR) == 1
    attempts = len(leakbot.fake.calls_to("chat.postMessage"))
    for seconds in (HOUR + 10, HOUR + 600, 2 * HOUR):
        await sweep_at(leakbot, seconds)
    assert len(leakbot.fake.calls_to("chat.postMessage")) == attempts
    async with leakbot.bot.engine.connect() as connection:
        row = (
            await connection.exec_driver_sql("SELECT error, failed_at IS NOT NULL FROM jobs WHERE key LIKE 'nudge:%'")
        ).one()
    assert row == ("is_archived", 1)
    assert nudges(leakbot, channel) == []
