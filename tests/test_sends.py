"""Nothing twice in Slack: a post whose outcome the bot could not know (Slack answered after its timeout, the
database went away after the call) is looked for in the channel before it is sent again (bot/slack/sender.py).

The real-process attacks (kill -9 during a post; the set-up under faults, in real time) are in
tests/test_sends_process.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from bot.slack.sender import EVENT_TYPE
from storage.repository import Job
from tests.conftest import START, Harness, postgres_database, start_harness, stop_harness
from tests.review_story import (
    BOB,
    CAROL,
    decide,
    name_reviewers,
    ready,
    request_for,
    stored,
    told_then_refreshed,
    with_button,
)
from tests.slack_payloads import form_body, slash_command
from tests.story import (
    SUMMARY,
    TITLE,
    answer_buttons,
    answer_required,
    messages,
    nothing_follows,
    open_incident,
    text_of,
)
from tests.test_review import value_of

TIMEOUT = 0.3  # the bot's Slack client timeout in these tests
HEADING = "公表文の下書き"


@pytest.fixture
async def impatient(fake, database_url) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    harness, runner = await start_harness(fake, database_url, slack_timeout=TIMEOUT)
    yield harness
    await stop_harness(harness, runner)


async def recover(h: Harness) -> None:
    """Lets time pass beyond any backoff and lease, and lets the bot's own sweep retry (see tests/test_faults.py)."""
    for _ in range(3):
        h.clock.advance(61)
        await h.bot.sweeper.sweep()
        await h.settle()


async def failed_jobs(h: Harness) -> list[Any]:
    async with h.bot.engine.connect() as connection:
        return (await connection.exec_driver_sql("SELECT kind, error FROM jobs WHERE failed_at IS NOT NULL")).all()


async def with_first_draft(h: Harness) -> str:
    """An incident whose first draft and its files are in the channel; returns the channel."""
    channel = await open_incident(h)
    await answer_required(h, channel)
    await h.fake.wait_until(lambda: drafts(h, channel), what="the first draft")
    await h.fake.wait_for("files.completeUploadExternal", lambda c: c.ok)
    await h.settle()  # internal: every job of the story done, so the next post is the one under test
    return channel


def drafts(h: Harness, channel: str) -> list[dict[str, Any]]:
    return [m for m in messages(h, channel) if HEADING in text_of(m)]


def looked_for(h: Harness, channel: str) -> list[Any]:
    """The bot's searches of the channel for its own earlier posts."""
    return [
        c
        for c in h.fake.calls_to("conversations.history")
        if c.ok and c.args.get("channel") == channel and c.args.get("include_all_metadata") in (True, "1", "true")
    ]


async def test_a_draft_slack_posted_but_answered_too_late_for_is_in_the_channel_once(impatient: Harness) -> None:
    h = impatient
    channel = await with_first_draft(h)
    assert looked_for(h, channel) == []  # a first try costs no search
    posts = len(h.fake.calls_to("chat.postMessage"))
    h.fake.late("chat.postMessage", TIMEOUT * 4)  # Slack posts it, and answers after the bot gave up waiting
    assert (await h.command("/leak-draft", channel=channel)).status == 200
    await h.fake.wait_for("chat.postMessage", count=posts + 1)
    await h.settle()  # internal: the try that timed out is recorded before the clock moves
    await recover(h)
    assert await failed_jobs(h) == []
    assert len(drafts(h, channel)) == 2  # the first draft and the one /leak-draft asked for: not a third
    assert looked_for(h, channel), "the retry did not look for the earlier try"
    again = drafts(h, channel)[-1]
    assert again["metadata"]["event_type"] == EVENT_TYPE and again["metadata"]["event_payload"]["key"]


async def test_a_post_that_failed_before_reaching_slack_is_sent_after_the_search(impatient: Harness) -> None:
    h = impatient
    channel = await with_first_draft(h)
    h.fake.fail("chat.postMessage", "internal_error", status=500)  # not posted: Slack says so
    assert (await h.command("/leak-draft", channel=channel)).status == 200
    await h.fake.wait_for("chat.postMessage", lambda c: not c.ok)
    await h.settle()
    await recover(h)
    assert len(drafts(h, channel)) == 2  # the search found nothing, so it was sent: once
    assert await failed_jobs(h) == []


async def test_a_dm_slack_answered_too_late_for_is_found_in_the_im_channel(impatient: Harness) -> None:
    """A reminder by DM goes to a user id; the search reads the IM channel conversations.open gives."""
    h = impatient
    now = h.clock.now()
    async with h.bot.deps.repo.tx() as tx:  # a job for the sender to name its post after (done: no worker runs it)
        await tx.enqueue("say", {}, key="reminder-for-alice", at=now)
    async with h.bot.engine.connect() as connection:
        job_id = (await connection.exec_driver_sql("SELECT id FROM jobs WHERE key = 'reminder-for-alice'")).scalar()
    async with h.bot.deps.repo.tx() as tx:
        await tx.finish_job(job_id, at=now)
    job = Job(job_id, "reminder-for-alice", "say", None, {}, 0)
    sender = h.bot.adapter.sender
    h.fake.late("chat.postMessage", TIMEOUT * 4)
    with pytest.raises(TimeoutError):
        await sender.post(job, "dm:U0ALICE", channel="U0ALICE", text="架空のリマインダー")
    again = await sender.post(job, "dm:U0ALICE", channel="U0ALICE", text="架空のリマインダー")
    dm = h.fake.dms["U0ALICE"].id
    assert again.again and again.channel == dm
    assert [m["text"] for m in h.fake.messages[dm]] == ["架空のリマインダー"]
    assert [c.args["users"] for c in h.fake.calls_to("conversations.open")] == ["U0ALICE"]
    other = await sender.post(job, "dm:U0BOB", channel="U0BOB", text="別の人へ")  # another part: a first try
    assert not other.again and len(h.fake.calls_to("conversations.open")) == 1


async def waiting_for_a_lock(admin: asyncpg.Connection, database: str, timeout: float = 5.0) -> list[int]:
    """The database's backends (the bot's) waiting for a lock, once there are any (polled like wait_until)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()",
            database,
        )
        if rows:
            return [r["pid"] for r in rows]
        await asyncio.sleep(0.02)
    return []


@pytest.fixture
async def on_postgresql(fake) -> AsyncIterator[tuple[Harness, str]]:  # type: ignore[no-untyped-def]
    async with postgres_database() as url:
        harness, runner = await start_harness(fake, url)
        try:
            yield harness, url
        finally:
            await stop_harness(harness, runner)


async def test_a_draft_posted_when_the_database_went_away_is_in_the_channel_once(
    on_postgresql: tuple[Harness, str],
) -> None:
    """PostgreSQL: the bot's connection is killed after Slack took the post, as the bot records it was posted."""
    h, url = on_postgresql
    channel = await with_first_draft(h)
    database = url.rsplit("/", 1)[1]
    posts = len(h.fake.calls_to("chat.postMessage"))
    h.fake.late("chat.postMessage", 1.0)  # time for the test to take the table the bot writes next
    admin = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        assert (await h.command("/leak-draft", channel=channel)).status == 200
        await h.fake.wait_for("chat.postMessage", count=posts + 1)  # in the channel; its answer still to come
        locker = admin.transaction()
        await locker.start()
        await admin.execute("LOCK TABLE drafts IN ACCESS EXCLUSIVE MODE")
        pids = await waiting_for_a_lock(admin, database)  # the bot, told the post went out, waits to record it
        assert pids, "the bot never came to record the post"
        for pid in pids:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        await locker.rollback()
    finally:
        await admin.close()
    await h.settle()
    await recover(h)
    assert len(drafts(h, channel)) == 2
    assert looked_for(h, channel)


# --- a command, a publication, a snooze: once per request, version and person ------------------------


async def test_a_leak_draft_that_slack_retries_is_posted_once(leakbot: Harness) -> None:
    channel = await with_first_draft(leakbot)
    payload = slash_command(
        "/leak-draft",
        "",
        user_id="U0ALICE",
        channel_id=channel,
        trigger_id=leakbot.fake.new_trigger_id(),
        response_url=leakbot.fake.response_url(),
    )
    body = form_body(payload)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    replies = await asyncio.gather(leakbot.post(body), leakbot.post(body, headers=retry))
    assert [r.status for r in replies] == [200, 200]
    again = await leakbot.post(body, headers={**retry, "X-Slack-Retry-Num": "2"})  # and once more, later
    assert again.status == 200
    await leakbot.fake.wait_until(lambda: len(drafts(leakbot, channel)) == 2, what="the draft asked for")
    await nothing_follows(leakbot)
    assert len(drafts(leakbot, channel)) == 2  # the first draft, and one for the command however often sent
    other = await leakbot.command("/leak-draft", channel=channel)  # a new command (a new trigger) posts again
    assert other.status == 200
    await leakbot.fake.wait_until(lambda: len(drafts(leakbot, channel)) == 3, what="the next /leak-draft")


async def test_two_publish_modals_of_one_person_both_submitted_are_one_publication(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [BOB]})
    await leakbot.command("/leak-draft", channel=channel)
    approve = value_of(await request_for(leakbot, channel, 1), "leak_approve")
    await decide(leakbot, "leak_approve", approve, user=BOB, channel=channel)
    [offer] = await leakbot.fake.wait_until(
        lambda: with_button(leakbot, channel, "leak_publish"), what="the publish button"
    )
    views = []
    for _ in range(2):  # the button clicked twice: two modals
        opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
        await leakbot.click("leak_publish", value_of(offer, "leak_publish"), user=CAROL, channel=channel)
        views.append(await leakbot.opened_view(opened + 1))
    values = {
        "published_at": START + timedelta(days=3),
        "published_how": "web",
        "published_url": "https://example.com/n",
    }
    since = len(leakbot.fake.calls)
    replies = await asyncio.gather(*(leakbot.submit(view, values, user=CAROL) for view in views))
    assert all(r.status == 200 and r.body is None for r in replies), replies
    await told_then_refreshed(leakbot, "の公表を記録しました", since=since)
    await nothing_follows(leakbot)
    assert len([m for m in messages(leakbot, channel) if "の公表を記録しました" in text_of(m)]) == 1
    assert len(await stored(leakbot, "publications")) == 1
    assert len(await leakbot.stored.history(1, "publication")) == 1


async def test_a_double_clicked_snooze_is_one_snooze_and_one_post(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.clock.advance(3600)
    assert await leakbot.bot.sweeper.sweep() == 1
    nudge = await leakbot.fake.wait_until(
        lambda: next((m for m in messages(leakbot, channel) if "未回答の必須項目が" in text_of(m)), None),
        what="the nudge",
    )
    click = leakbot.click("leak_snooze_14400", "14400", channel=channel, message_ts=nudge["ts"], user="U0BOB")
    again = leakbot.click("leak_snooze_14400", "14400", channel=channel, message_ts=nudge["ts"], user="U0BOB")
    assert [r.status for r in await asyncio.gather(click, again)] == [200, 200]
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "リマインドを" in text_of(m)], what="the snooze notice"
    )
    await nothing_follows(leakbot)
    assert len([m for m in messages(leakbot, channel) if "リマインドを" in text_of(m)]) == 1
    # another length on the same nudge is another snooze
    await leakbot.click("leak_snooze_1800", "1800", channel=channel, message_ts=nudge["ts"], user="U0BOB")
    await leakbot.fake.wait_until(
        lambda: len([m for m in messages(leakbot, channel) if "リマインドを" in text_of(m)]) == 2, what="the second"
    )


# --- the set-up's invites ----------------------------------------------------------------------------


async def test_a_retried_batch_invite_records_as_members_only_people_in_the_channel(impatient: Harness) -> None:
    """The batch invite takes effect but answers too late; before the bot tries again Carol has left. Slack
    answers the retry already_in_channel (and invites nobody of the batch): the bot must not record everyone."""
    h = impatient
    await h.command("/leak-open", TITLE)
    view = await h.opened_view(1)
    h.fake.late("conversations.invite", TIMEOUT * 3)
    reply = await h.submit(view, {"summary": SUMMARY, "responders": ["U0BOB", "U0CAROL"]})
    assert reply.status == 200
    first = await h.fake.wait_for("conversations.invite")
    channel = first.args["channel"]
    h.fake.channels[channel].members.discard("U0CAROL")  # she leaves while the bot waits for the answer
    await h.fake.wait_until(lambda: any(answer_buttons(m) for m in messages(h, channel)), what="the first question")
    tried = h.fake.calls_to("conversations.invite")
    assert [c.response.get("error") for c in tried[1:2]] == ["already_in_channel"]  # the batch again: refused
    assert h.fake.channels[channel].members == {"U0LEAKBOT", "U0ALICE", "U0BOB", "U0CAROL"}  # invited one by one
    async with h.bot.deps.repo.read() as tx:  # and the bot's record of who is in (its access policy reads it)
        assert await tx.members(channel) == {"U0ALICE", "U0BOB", "U0CAROL"}


async def test_a_failed_batch_invite_still_brings_the_opener_in(impatient: Harness) -> None:
    """One responder Slack will not invite fails the batch; each is then invited on his own, the opener too,
    each call retried at once on a server error."""
    h = impatient
    h.fake.add_user("U0GONE", "gone", deleted=True)
    await h.command("/leak-open", TITLE)
    view = await h.opened_view(1)
    h.fake.fail("conversations.invite", "internal_error", status=500, times=2)  # the batch, then its retry
    await h.submit(view, {"summary": SUMMARY, "responders": ["U0GONE", "U0BOB"]})
    created = await h.fake.wait_for("conversations.create", lambda c: c.ok)
    channel = created.response["channel"]["id"]
    await h.fake.wait_until(lambda: any(answer_buttons(m) for m in messages(h, channel)), what="the first question")
    assert {"U0ALICE", "U0BOB"} <= h.fake.channels[channel].members and "U0GONE" not in h.fake.channels[channel].members
    told = [m for m in messages(h, channel) if "U0GONE" in text_of(m)]
    assert len(told) == 1 and "cant_invite" in text_of(told[0])


async def test_files_slack_shared_but_answered_too_late_for_are_uploaded_once(impatient: Harness) -> None:
    h = impatient
    channel = await with_first_draft(h)
    h.fake.late("files.completeUploadExternal", TIMEOUT * 4)  # shared in the channel; the answer comes too late
    assert (await h.command("/leak-draft", "public en", channel=channel)).status == 200
    await h.fake.wait_for("files.completeUploadExternal", lambda c: "-en.md" in str(c.args.get("files")))
    await h.settle()  # internal: the try that timed out is recorded before the clock moves
    await recover(h)
    assert await failed_jobs(h) == []
    english = [f for f in h.fake.files.values() if f["channels"] == [channel] and f["name"].endswith("-en.md")]
    assert len(english) == 1, [f["name"] for f in h.fake.files.values() if f["channels"]]
    assert h.fake.calls_to("files.list"), "the retry did not look for the earlier upload"


# --- the set-up's own retries (bot/slack/retrying.py), their waits recorded instead of slept ----------------


async def test_a_call_is_tried_again_after_retry_after_or_a_growing_pause_and_not_for_a_real_error(fake) -> None:  # type: ignore[no-untyped-def]
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.retrying import retrying

    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url, timeout=0.3, retry_handlers=[])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    fake.fail("auth.test", status=429, retry_after=2)
    fake.fail("auth.test", "internal_error", status=500)
    fake.fail("auth.test", "internal_error", status=200)  # Slack's own "try again" error, answered 200
    fake.fail("auth.test", delay=1)  # a timeout
    assert (await retrying(client.auth_test, what="auth.test", sleep=sleep))["ok"]
    assert waits == [2, 0.5, 1, 2] and len(fake.calls_to("auth.test")) == 5
    # two more: a fifth failure is the caller's; a refusal no retry can change is not tried again
    waits.clear()
    fake.fail("auth.test", "internal_error", status=500, times=5)
    with pytest.raises(SlackApiError):
        await retrying(client.auth_test, what="auth.test", sleep=sleep)
    assert waits == [0.5, 1, 2, 4]
    waits.clear()
    fake.fail("auth.test", "invalid_auth")
    with pytest.raises(SlackApiError):
        await retrying(client.auth_test, what="auth.test", sleep=sleep)
    assert waits == []
    fake.fail("auth.test", status=429, retry_after=60)  # longer than the set-up waits: the worker's to wait
    with pytest.raises(SlackApiError):
        await retrying(client.auth_test, what="auth.test", sleep=sleep)
    assert waits == []


def test_every_post_and_upload_goes_through_the_sender() -> None:
    """One door: no code but bot/slack/sender.py calls chat.postMessage or uploads files."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    calls = re.compile(r"\.(chat_postMessage|files_upload\w*|chat_scheduleMessage|chat_meMessage)\(")
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("bot", "handlers")
        for path in sorted((root / folder).rglob("*.py"))
        if path != root / "bot" / "slack" / "sender.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if calls.search(line)
    ]
    assert found == []


async def test_what_a_post_recorded_is_forgotten_with_its_job(leakbot: Harness) -> None:
    """A test of internals: the record of each post set out (and of each command handled) does not outlive
    LEAKBOT_JOB_RETENTION_DAYS."""
    channel = await with_first_draft(leakbot)
    assert (await leakbot.command("/leak-draft", channel=channel)).status == 200
    await leakbot.fake.wait_until(lambda: len(drafts(leakbot, channel)) == 2, what="the draft asked for")
    await leakbot.settle()

    async def count(table: str) -> int:
        async with leakbot.bot.engine.connect() as connection:
            return (await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()

    assert await count("sends") >= 5 and await count("requests") == 1
    leakbot.clock.advance(timedelta(days=8).total_seconds())
    await leakbot.bot.sweeper.sweep()
    await leakbot.settle()
    assert await count("requests") == 0
    async with leakbot.bot.engine.connect() as connection:
        orphans = await connection.exec_driver_sql(
            "SELECT count(*) FROM sends WHERE job_id NOT IN (SELECT id FROM jobs)"
        )
        assert orphans.scalar_one() == 0
        old = await connection.exec_driver_sql(
            "SELECT count(*) FROM sends JOIN jobs ON jobs.id = sends.job_id WHERE jobs.kind = 'setup'"
        )
        assert old.scalar_one() == 0  # the set-up's job is gone, and what its posts recorded with it
