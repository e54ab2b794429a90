"""The same request twice (Slack retries, double clicks, two at once) has its effect once."""

from __future__ import annotations

import asyncio

from tests.conftest import Harness
from tests.slack_payloads import form_body, interactive_body, sign, slash_command, view_submission
from tests.story import (
    ANSWERS,
    SUMMARY,
    TITLE,
    Unchanged,
    answer,
    answer_buttons,
    answer_required,
    messages,
    nothing_follows,
    open_incident,
    open_step,
    text_of,
)


async def table_count(h: Harness, table: str) -> int:
    async with h.bot.engine.connect() as connection:
        return (await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()


async def test_the_same_new_incident_submitted_twice_at_once_makes_one_incident_and_one_channel(
    leakbot: Harness,
) -> None:
    await leakbot.command("/leak-open", TITLE)
    view = await leakbot.opened_view(1)
    body = interactive_body(view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE"))
    replies = await asyncio.gather(*(leakbot.post(body) for _ in range(3)))
    assert all(r.status == 200 and r.body["response_action"] == "update" for r in replies)
    await leakbot.fake.wait_for("pins.add", lambda c: c.ok)
    await leakbot.fake.wait_until(lambda: len(leakbot.fake.calls_to("views.update")) >= 1, what="the confirmation")
    assert await table_count(leakbot, "incidents") == 1
    assert len([c for c in leakbot.fake.calls_to("conversations.create") if c.ok]) == 1
    assert len(leakbot.fake.calls_to("pins.add")) == 1


async def test_a_replayed_signed_request_changes_nothing_more(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel)
    body = interactive_body(view_submission(view, ANSWERS[0][1], user_id="U0ALICE"))
    headers = sign(leakbot.secret, body)
    first = await leakbot.post(body, headers=headers, signed=False)
    assert first.status == 200
    await leakbot.fake.wait_until(
        lambda: any("件数を教えて" in text_of(m) for m in messages(leakbot, channel)), what="the next question"
    )
    await leakbot.fake.wait_for("chat.update")  # the checklist shows the answer
    async with Unchanged(leakbot):  # no second question, checklist update or revision
        again = await leakbot.post(
            body, headers={**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}, signed=False
        )
        assert again.status == 200
    history = await leakbot.stored.history(1, "data_items")
    assert len(history) == 1


async def test_a_double_clicked_answer_is_one_revision_and_one_next_question(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel)
    body = interactive_body(view_submission(view, ANSWERS[0][1], user_id="U0ALICE"))
    replies = await asyncio.gather(leakbot.post(body), leakbot.post(body))
    assert [r.status for r in replies] == [200, 200]
    await leakbot.fake.wait_until(
        lambda: any("件数を教えて" in text_of(m) for m in messages(leakbot, channel)), what="the next question"
    )
    await nothing_follows(leakbot)  # and no second one
    assert len(await leakbot.stored.history(1, "data_items")) == 1
    assert len([m for m in messages(leakbot, channel) if "件数を教えて" in text_of(m)]) == 1


async def test_two_people_completing_the_checklist_at_once_get_one_first_draft(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    for _step, values in ANSWERS[:-2]:
        await answer(leakbot, channel, values)
    first = await open_step(leakbot, channel)  # customer_actions
    second = await leakbot.modal("/leak-answer", "contact", channel=channel, user="U0BOB")
    await asyncio.gather(leakbot.submit(first, ANSWERS[-2][1]), leakbot.submit(second, ANSWERS[-1][1], user="U0BOB"))
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "公表文の下書き" in text_of(m)], what="the draft"
    )
    await leakbot.fake.wait_for("files.completeUploadExternal", lambda c: c.ok)  # its files
    await leakbot.fake.wait_until(
        lambda: any('"step_id":"cause"' in b["value"] for m in messages(leakbot, channel) for b in answer_buttons(m)),
        what="the first optional question, asked once everything required is in",
    )
    # no second draft: once every job has run (an internal wait: an absence cannot be seen in Slack), one is there.
    # The checklist refresh and the Home tabs that follow the answers may still be on their way, so this
    # checks drafts rather than every Slack write.
    await leakbot.settle()
    drafts = [m for m in messages(leakbot, channel) if "公表文の下書き" in text_of(m)]
    assert len(drafts) == 1 and await table_count(leakbot, "drafts") == 1


async def test_a_retried_slash_command_opens_one_modal_per_trigger(leakbot: Harness) -> None:
    payload = slash_command(
        "/leak-open",
        TITLE,
        user_id="U0ALICE",
        channel_id="C0GENERAL",
        trigger_id=leakbot.fake.new_trigger_id(),
        response_url=leakbot.fake.response_url(),
    )
    body = form_body(payload)
    await asyncio.gather(leakbot.post(body), leakbot.post(body))
    await leakbot.fake.wait_until(lambda: len(leakbot.fake.calls_to("views.open")) == 2, what="both attempts")
    # Slack itself refuses the second use of a trigger: one modal, and the person is not told an error
    assert [c.ok for c in leakbot.fake.calls_to("views.open")].count(True) == 1
    await nothing_follows(leakbot)
    assert leakbot.fake.responses == []
    assert await table_count(leakbot, "incidents") == 0


async def test_a_whole_story_has_each_effect_once(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "公表文の下書き" in text_of(m)], what="the draft"
    )
    await leakbot.fake.wait_for("files.completeUploadExternal", lambda c: c.ok)
    # the jobs table is the bot's inside: read it once nothing more is to come (an internal wait)
    await nothing_follows(leakbot)
    async with leakbot.bot.engine.connect() as connection:
        kinds = dict((await connection.exec_driver_sql("SELECT kind, count(*) FROM jobs GROUP BY kind")).all())
        failed = (
            await connection.exec_driver_sql("SELECT count(*) FROM jobs WHERE failed_at IS NOT NULL")
        ).scalar_one()
    assert failed == 0
    assert kinds["setup"] == 1 and kinds["draft"] == 1
    assert len(leakbot.fake.pins[channel]) == 1
    assert len([c for c in leakbot.fake.calls_to("conversations.create") if c.ok]) == 1
