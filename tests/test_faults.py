"""Slack failing on every method the story uses: 429 with Retry-After, 500s and timeouts.

Each fault hits once; the bot retries by itself (the clock moved on, a sweep run), and in the end
every effect is there exactly once and nothing answered is lost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Harness, start_harness, stop_harness
from tests.story import ANSWERS, SUMMARY, TITLE, answer_buttons, messages, text_of

TIMEOUT = 0.3  # the bot's Slack client timeout in these tests
SET_UP_METHODS = [
    "conversations.create",
    "conversations.invite",
    "conversations.setTopic",
    "chat.postMessage",
    "pins.add",
    "views.update",
]
FAULTS = {
    "429": {"error": "ratelimited", "status": 429, "retry_after": 30},
    "500": {"error": "internal_error", "status": 500},
    "timeout": {"error": "internal_error", "status": 500, "delay": TIMEOUT * 3},  # never reaches Slack's state
}


@pytest.fixture
async def slow_to_fail(fake, database_url) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    harness, runner = await start_harness(fake, database_url, slack_timeout=TIMEOUT)
    yield harness
    await stop_harness(harness, runner)


async def recover(h: Harness) -> None:
    """Lets time pass beyond any backoff or Retry-After, and lets the bot's own sweep retry.

    A test of internals: between two jumps of the clock it waits for the worker (settle), as real
    time would, so a job still talking to Slack is not taken again when its lease seems to run out."""
    for _ in range(3):
        h.clock.advance(31)
        await h.bot.sweeper.sweep()
        await h.settle()


async def failed_jobs(h: Harness) -> list[Any]:
    async with h.bot.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT kind, error FROM jobs WHERE failed_at IS NOT NULL")).all()


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method", SET_UP_METHODS)
async def test_opening_survives_one_fault_on_any_method(slow_to_fail: Harness, method: str, fault: str) -> None:
    h = slow_to_fail
    await h.command("/leak-open", TITLE)
    view = await h.opened_view(1)
    h.fake.fail(method, **FAULTS[fault])
    reply = await h.submit(view, {"summary": SUMMARY, "responders": ["U0BOB"]})
    assert reply.status == 200 and reply.body["response_action"] == "update"
    await h.settle()  # internal: the first attempt has met its fault before the clock moves (see recover)
    await recover(h)
    assert await failed_jobs(h) == []
    created = [c for c in h.fake.calls_to("conversations.create") if c.ok]
    assert len(created) == 1
    channel = created[0].response["channel"]["id"]
    assert {"U0ALICE", "U0BOB"} <= h.fake.channels[channel].members
    assert TITLE in h.fake.channels[channel].topic
    assert len(h.fake.pins[channel]) == 1
    posted = messages(h, channel)
    assert len([m for m in posted if "開始しました" in text_of(m)]) == 1
    assert len([m for m in posted if answer_buttons(m)]) == 1  # the first question, once
    assert any(c.ok and "<#" in str(c.args.get("view")) for c in h.fake.calls_to("views.update"))


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method", ["chat.update", "chat.postMessage"])
async def test_answering_survives_one_fault(slow_to_fail: Harness, method: str, fault: str) -> None:
    from tests.story import open_incident, open_step

    h = slow_to_fail
    channel = await open_incident(h)
    view = await open_step(h, channel)
    h.fake.fail(method, **FAULTS[fault])
    reply = await h.submit(view, ANSWERS[0][1])
    assert reply.status == 200 and reply.body is None  # stored before the ack; Slack is only needed after it
    await h.settle()  # internal: the first attempt has met its fault before the clock moves (see recover)
    await recover(h)
    assert await failed_jobs(h) == []
    assert len(await h.stored.history(1, "data_items")) == 1
    questions = [m for m in messages(h, channel) if "件数を教えて" in text_of(m)]
    assert len(questions) == 1
    checklist = next(m for m in messages(h, channel) if m["ts"] == h.fake.pins[channel][0])
    assert "必須 4/10" in text_of(checklist)


async def test_a_slow_channel_creation_that_slack_did_make_is_adopted_not_doubled(slow_to_fail: Harness) -> None:
    h = slow_to_fail
    await h.command("/leak-open", TITLE)
    view = await h.opened_view(1)
    h.fake.slow("conversations.create", TIMEOUT * 3)  # Slack makes the channel, but answers too late
    await h.submit(view, {"summary": SUMMARY})
    await h.fake.wait_until(lambda: h.fake.channel_by_name("leak-20261126-顧客dbの流出疑い"), what="the slow channel")
    await h.settle()  # internal: the attempt that timed out has given up before the clock moves (see recover)
    await recover(h)
    assert await failed_jobs(h) == []
    channels = [c for c in h.fake.channels.values() if c.name.startswith("leak-")]
    assert [c.name for c in channels] == ["leak-20261126-顧客dbの流出疑い"]
    incident = await h.stored.incident(1)
    assert incident.channel_id == channels[0].id and len(h.fake.pins[channels[0].id]) == 1


async def test_a_post_slack_will_never_take_is_told_to_the_opener(slow_to_fail: Harness) -> None:
    from tests.story import open_incident, open_step

    h = slow_to_fail
    channel = await open_incident(h)
    view = await open_step(h, channel)
    h.fake.channels[channel].is_archived = True  # someone archived the channel mid-incident
    await h.submit(view, ANSWERS[0][1])
    await h.fake.wait_until(
        lambda: [c for c in h.fake.calls_to("chat.postMessage") if c.ok and c.args["channel"] == "U0ALICE"],
        what="the opener told by DM",
    )
    await h.settle()  # internal: the failure is read from the jobs table below
    assert ("followup", "is_archived") in await failed_jobs(h)  # the next question could not be posted
    told = [c for c in h.fake.calls_to("chat.postMessage") if c.ok and c.args["channel"] == "U0ALICE"]
    assert told and "is_archived" in told[-1].args["text"]
    assert len(await h.stored.history(1, "data_items")) == 1  # the answer itself is kept
