"""The job worker and the rules behind draft versions: retries run when Slack said, not at the next sweep;
one incident waiting on Slack holds up no other; bursts coalesce; finished jobs are forgotten.

Waits are on the fake Slack's recorded calls, except where a test proves that something did NOT happen
yet (an internal wait, `settle`, says so)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from bot.usecases.drafts import decide, grows_published_max
from bot.worker import Traffic
from storage.models import JobRow
from storage.records import Draft
from tests.conftest import Harness
from tests.story import ANSWERS, answer, answer_buttons, messages, open_incident, open_step

AT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def version(n: int, maximum: int | None, *, held: bool = False, confirmed: bool = False, doc: str = "public") -> Draft:
    values = {"max_count": {"value": maximum, "approx": False, "text": str(maximum)}} if maximum is not None else None
    return Draft(
        id=n,
        incident_id=1,
        doc=doc,
        version=n,
        body=f"v{n}",
        at=AT,
        user_id=None,
        values=values,
        held=held,
        confirmed_by="U0BOB" if confirmed else None,
    )


def test_a_version_is_due_first_when_everything_required_is_answered() -> None:
    assert decide(None, same_text=False, changed=["contact"], again=False).action == "new"


def test_a_required_change_that_changes_the_text_makes_a_new_version() -> None:
    assert decide(version(1, 100), same_text=False, changed=["max_count"], again=False).action == "new"


def test_an_optional_change_alone_waits_for_leak_draft() -> None:
    assert decide(version(1, 100), same_text=False, changed=["cause"], again=False).action == "none"
    assert decide(version(1, 100), same_text=False, changed=["cause"], again=True).action == "new"


def test_the_same_text_is_posted_again_only_when_asked() -> None:
    assert decide(version(1, 100), same_text=True, changed=["max_count"], again=False).action == "none"
    assert decide(version(1, 100), same_text=True, changed=[], again=True).action == "repost"


def test_a_held_version_with_the_same_text_is_shown_again_not_doubled() -> None:
    assert decide(version(2, 200, held=True), same_text=True, changed=[], again=True).action == "hold_again"


def test_a_maximum_above_any_posted_one_is_held() -> None:
    posted = [version(1, 100), version(2, 150)]
    assert grows_published_max({"max_count": {"value": 151}}, posted)
    assert not grows_published_max({"max_count": {"value": 150}}, posted)
    assert not grows_published_max({"max_count": {"value": 90}}, posted)  # lower is fine
    assert not grows_published_max({"max_count": {"value": 500}}, [])  # nothing published yet
    # a version still waiting for its confirmation does not count as published; a confirmed one does
    assert grows_published_max({"max_count": {"value": 160}}, [version(1, 100), version(2, 200, held=True)])
    assert not grows_published_max(
        {"max_count": {"value": 160}}, [version(1, 100), version(2, 200, held=True, confirmed=True)]
    )


def channels_made(h: Harness) -> list[Any]:
    return [c for c in h.fake.calls_to("conversations.create") if c.ok]


async def test_a_rate_limited_set_up_goes_on_when_retry_after_says_not_at_the_next_sweep(leakbot: Harness) -> None:
    # longer than the set-up waits by itself (bot/slack/retrying.py): the job is rescheduled for it
    leakbot.fake.fail("conversations.create", status=429, retry_after=30)
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.command("/leak-open", "架空の流出疑い")
    view = await leakbot.opened_view(opened + 1)
    assert (await leakbot.submit(view, {"summary": "架空の概要"})).body["response_action"] == "update"
    await leakbot.fake.wait_for("conversations.create", lambda c: not c.ok)
    await leakbot.settle()  # internal: proves nothing is retried before Retry-After has passed
    assert channels_made(leakbot) == []
    leakbot.clock.advance(30)  # Retry-After has passed; no sweep runs in these tests
    await leakbot.fake.wait_until(lambda: channels_made(leakbot), what="the channel, right after Retry-After")


async def test_an_incident_waiting_on_slack_holds_up_no_other(leakbot: Harness) -> None:
    first = await open_incident(leakbot, "架空の一件目")
    second = await open_incident(leakbot, "架空の二件目", user="U0CAROL", responders=["U0DAVE"])
    view = await open_step(leakbot, first)
    leakbot.fake.fail("chat.update", status=429, retry_after=600)  # the first incident's checklist: 10 minutes
    await leakbot.submit(view, ANSWERS[0][1])
    await leakbot.fake.wait_for("chat.update", lambda c: not c.ok)
    # the second incident's answer is followed up at once: its checklist and its next question
    await answer(leakbot, second, ANSWERS[0][1], user="U0CAROL")
    assert any("件数を教えて" in str(m.get("text")) for m in messages(leakbot, second))


async def test_a_burst_of_answers_posts_the_latest_question_and_checklist_once_each(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.fake.slow("chat.postMessage", 0.3)  # Slack is slow: answers arrive while a post is under way
    questions = len([m for m in messages(leakbot, channel) if answer_buttons(m)])
    for n in range(5):  # each revision from a form opened after the one before (an older form is refused)
        view = await leakbot.modal("/leak-answer", "data_items", channel=channel)
        reply = await leakbot.submit(view, {"data_items": ["name"], "data_items_other": f"架空の項目{n}"})
        assert reply.body is None
    assert (await leakbot.stored.answers(1))["data_items"].value["other"] == "架空の項目4"
    await leakbot.fake.wait_until(
        lambda: len([m for m in messages(leakbot, channel) if answer_buttons(m)]) > questions, what="the next question"
    )
    await leakbot.settle()  # internal: proves what did NOT happen (no question per answer of the burst)
    posted = len([m for m in messages(leakbot, channel) if answer_buttons(m)]) - questions
    assert 1 <= posted < 5


async def test_finished_jobs_are_forgotten_after_the_retention_period(leakbot: Harness) -> None:
    await open_incident(leakbot)
    await leakbot.settle()  # internal: the set-up's jobs are finished

    async def jobs() -> int:
        async with leakbot.bot.engine.connect() as connection:
            return (await connection.exec_driver_sql("SELECT count(*) FROM jobs")).scalar_one()

    assert await jobs() > 0
    leakbot.clock.advance(timedelta(days=6).total_seconds())
    await leakbot.bot.sweeper.sweep()
    assert await jobs() > 0  # kept for LEAKBOT_JOB_RETENTION_DAYS (7)
    leakbot.clock.advance(timedelta(days=1, seconds=1).total_seconds())
    await leakbot.bot.sweeper.sweep()
    await leakbot.settle()
    cutoff = leakbot.clock.now() - timedelta(days=7)
    async with leakbot.bot.repo.read() as tx:
        old = await tx.session.scalar(
            select(func.count()).select_from(JobRow).where(or_(JobRow.done_at < cutoff, JobRow.failed_at < cutoff))
        )
        setup = await tx.session.scalar(select(func.count()).select_from(JobRow).where(JobRow.kind == "setup"))
    assert old == 0 and setup == 0  # the set-up's job is gone, payload and all (the nudges since are kept)


async def test_a_follow_up_run_again_after_its_runner_died_finishes(leakbot: Harness) -> None:
    """A follow-up whose runner died after it recorded the Home republish, before the job was marked done, is
    run again by the next runner: it must finish, not fail on its own record. A test of internals."""
    channel = await open_incident(leakbot)
    await answer(leakbot, channel, ANSWERS[0][1])
    await leakbot.settle()  # internal: the follow-up and the Home republish it recorded are done
    async with leakbot.bot.repo.tx() as tx:
        followup = await tx.session.scalar(select(func.max(JobRow.id)).where(JobRow.kind == "followup"))
        homes = await tx.session.scalar(select(func.count()).select_from(JobRow).where(JobRow.kind == "home"))
        # as the lease of a runner that died would leave it: not done, taken again
        await tx.session.execute(update(JobRow).where(JobRow.id == followup).values(done_at=None, leased_until=None))
    leakbot.bot.worker.wake()
    await leakbot.settle()
    async with leakbot.bot.repo.read() as tx:
        job = await tx.session.get(JobRow, followup, populate_existing=True)
        again = await tx.session.scalar(select(func.count()).select_from(JobRow).where(JobRow.kind == "home"))
    assert job is not None and job.done_at is not None and job.error is None and job.failed_at is None
    assert again == homes  # its Home republish was recorded once


async def test_a_revision_that_leaves_the_next_question_where_it_was_does_not_ask_it_again(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer(leakbot, channel, ANSWERS[0][1])  # data_items: the counts are asked next
    asked = len([m for m in messages(leakbot, channel) if answer_buttons(m)])
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.command("/leak-answer", "data_items", channel=channel)
    view = await leakbot.opened_view(opened + 1)
    await answer(leakbot, channel, {"data_items": ["name"]}, view=view, expect_question=False)  # the checklist shows it
    await leakbot.settle()  # internal: proves no question is asked again
    assert len([m for m in messages(leakbot, channel) if answer_buttons(m)]) == asked
    await answer(leakbot, channel, ANSWERS[1][1])  # answering the counts moves on: services is asked
    assert "どのサービス" in str(messages(leakbot, channel)[-1].get("text"))


async def test_jobs_wait_while_requests_are_answered_but_not_for_long() -> None:
    """Requests first (a unit test of the worker's gate: it waits on the gate itself, nothing else)."""
    loop = asyncio.get_running_loop()
    traffic = Traffic(most=0.3, gap=0.05)
    await asyncio.wait_for(traffic.quiet(), 0.01)  # no request for a while: no wait at all
    with traffic.request():
        with traffic.request():
            waiting = asyncio.create_task(traffic.quiet())
            await asyncio.sleep(0)
            assert not waiting.done()
        await asyncio.sleep(0)
        assert not waiting.done(), "one request is still being answered"
        answered = loop.time()
    await asyncio.sleep(0)
    assert not waiting.done(), "a request began less than the gap ago: more may be on their way"
    await asyncio.wait_for(waiting, 0.2)  # a lull of one gap: the jobs go
    assert loop.time() - answered >= 0.04  # (the loop may run a timer up to its clock's resolution early)
    with traffic.request():  # a request that never ends holds the jobs up for `most` seconds only
        started = loop.time()
        await asyncio.wait_for(traffic.quiet(), 1)
        assert loop.time() - started >= 0.29
    assert traffic.in_flight == 0


async def test_requests_that_keep_arriving_hold_the_jobs_up_for_most_seconds_only() -> None:
    """A steady stream, each request answered before the next begins (as on SQLite, where a request
    never yields the loop once read): never in flight when the worker looks, yet never a lull."""
    loop = asyncio.get_running_loop()
    traffic = Traffic(most=0.3, gap=0.05)
    stream = True

    async def requests() -> None:
        while stream:
            with traffic.request():
                pass
            await asyncio.sleep(0.005)

    arriving = asyncio.create_task(requests())
    try:
        await asyncio.sleep(0.01)
        started = loop.time()
        await asyncio.wait_for(traffic.quiet(), 1)
        assert loop.time() - started >= 0.29
    finally:
        stream = False
        await arriving
