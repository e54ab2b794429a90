"""Only members of an incident's channel act on it; forged references to another incident are refused."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.ui.metadata import OwnerRef, StepRef
from tests.conftest import Harness
from tests.slack_payloads import interactive_body
from tests.story import ANSWERS, Unchanged, answer_buttons, last_question, open_incident, open_step


async def test_a_member_who_left_cannot_answer_and_is_told_in_the_modal(
    leakbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    channel = await open_incident(leakbot)  # Alice and Bob
    view = await open_step(leakbot, channel, user="U0BOB")
    leakbot.fake.channels[channel].members.discard("U0BOB")  # Bob leaves; Slack tells the bot
    assert (await leakbot.member("member_left_channel", "U0BOB", channel)).status == 200
    async with Unchanged(leakbot):
        reply = await leakbot.submit(view, ANSWERS[0][1], user="U0BOB")
        assert reply.body["response_action"] == "errors"  # refused before the ack, in the modal itself
        [message] = reply.body["errors"].values()
        assert "メンバーだけ" in message and "保存されていません" in message
    assert "data_items" not in await leakbot.stored.answers(1)
    assert any("U0BOB" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_someone_who_joins_can_answer_at_once(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.fake.channels[channel].members.add("U0DAVE")
    assert (await leakbot.member("member_joined_channel", "U0DAVE", channel)).status == 200
    view = await open_step(leakbot, channel, user="U0DAVE")
    reply = await leakbot.submit(view, ANSWERS[0][1], user="U0DAVE")
    assert reply.status == 200 and reply.body is None
    assert (await leakbot.stored.answers(1))["data_items"].user_id == "U0DAVE"  # stored before the ack


async def test_membership_the_bot_missed_is_checked_again_with_slack(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    leakbot.fake.channels[channel].members.add("U0DAVE")  # added while the bot was not told (no event)
    question = last_question(leakbot, channel)
    value = answer_buttons(question)[0]["value"]
    async with Unchanged(leakbot, told=True):
        await leakbot.click("leak_answer", value, user="U0DAVE", channel=channel)
        [(_, refusal)] = await leakbot.fake.wait_until(lambda: leakbot.fake.responses[-1:], what="the refusal")
    assert "少し待って" in refusal["text"] and not leakbot.fake.calls_to("views.open")[1:]  # nobody let in on a guess
    await leakbot.fake.wait_for("conversations.members", lambda c: c.ok and c.args.get("channel") == channel)
    # Dave does what he was told ("wait a little and try again"): each reply he gets is the only thing he
    # waits on. Slack shows nothing once the bot has recorded what conversations.members said, so the
    # pause between tries stands for the person, and the loop has a deadline.
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    for _ in range(50):
        told = len(leakbot.fake.responses)
        await leakbot.click("leak_answer", value, user="U0DAVE", channel=channel)
        done = await leakbot.fake.wait_until(
            lambda told=told: len(leakbot.fake.responses) > told or len(leakbot.fake.calls_to("views.open")) > opened,
            what="a refusal or the modal",
        )
        if len(leakbot.fake.calls_to("views.open")) > opened:
            break
        assert done and "少し待って" in leakbot.fake.responses[-1][1]["text"]  # refused only while unrecorded
        await asyncio.sleep(0.05)
    view = await leakbot.opened_view(opened + 1)
    reply = await leakbot.submit(view, ANSWERS[0][1], user="U0DAVE")
    assert reply.body is None, reply
    assert (await leakbot.stored.answers(1))["data_items"].user_id == "U0DAVE"


async def test_a_form_opened_for_someone_else_is_refused(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel, user="U0ALICE")
    async with Unchanged(leakbot):
        reply = await leakbot.submit(view, ANSWERS[0][1], user="U0BOB")  # Bob is a member, but it is Alice's form
        assert reply.body["response_action"] == "errors"
        assert "保存されていません" in json.dumps(reply.body, ensure_ascii=False)


async def test_a_view_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)  # Alice's incident 1
    await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])  # incident 2, without Alice
    view = await open_step(leakbot, mine)
    forged = dict(view, private_metadata=StepRef(incident_id=2, step_id="data_items").dump())
    async with Unchanged(leakbot):
        reply = await leakbot.submit(forged, ANSWERS[0][1], user="U0ALICE")
        assert reply.body["response_action"] == "errors"
    assert "data_items" not in await leakbot.stored.answers(2)


async def test_a_button_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)
    other = await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])
    value = answer_buttons(last_question(leakbot, other))[0]["value"]
    opened = len(leakbot.fake.calls_to("views.open"))
    await leakbot.click("leak_answer", value, channel=mine)
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the refusal")
    assert "このチャンネルのインシデントのものではない" in leakbot.fake.responses[-1][1]["text"]
    assert len(leakbot.fake.calls_to("views.open")) == opened


async def test_an_owner_picker_naming_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)
    await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])
    payload = {
        "type": "block_actions",
        "team": {"id": "T0LEAK"},
        "user": {"id": "U0ALICE", "team_id": "T0LEAK"},
        "channel": {"id": mine},
        "trigger_id": leakbot.fake.new_trigger_id(),
        "response_url": leakbot.fake.response_url(),
        "actions": [
            {
                "type": "users_select",
                "action_id": "leak_owner",
                "selected_user": "U0ALICE",
                "block_id": OwnerRef(incident_id=2, item_ids=["contact"]).dump(),
                "action_ts": "1",
            }
        ],
    }
    await leakbot.post(interactive_body(payload))
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the refusal")
    assert await leakbot.stored.owner_history(2) == []
