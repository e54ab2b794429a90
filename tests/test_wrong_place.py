"""Commands, buttons and modals used where they do not apply: a clear private answer, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checklist import CHECKLIST_ITEMS
from bot.ui.metadata import StepRef
from tests.conftest import GENERAL, Harness
from tests.slack_payloads import form_body, slash_command
from tests.story import (
    SUMMARY,
    Unchanged,
    answer_buttons,
    last_question,
    messages,
    open_incident,
    open_step,
    table_counts,
)

INCIDENT_COMMANDS = [
    ("/leak-next", ""),
    ("/leak-status", ""),
    ("/leak-answer", "cause"),
    ("/leak-draft", ""),
    ("/leak-close", ""),
]
# Slack calls that would show something to someone or change the workspace.
ANSWERABLE_IDS = [item.id for item in CHECKLIST_ITEMS]


def assert_private(reply: Any) -> str:
    """The reply is an ephemeral message for the user who typed the command; returns its text."""
    assert reply.status == 200, reply
    assert isinstance(reply.body, dict) and reply.body["response_type"] == "ephemeral", reply
    return reply.text


@pytest.mark.parametrize("command, text", INCIDENT_COMMANDS)
async def test_an_incident_command_outside_an_incident_channel_answers_privately(
    leakbot: Harness, command: str, text: str
) -> None:
    async with Unchanged(leakbot, told=True):
        reply = await leakbot.reply(command, text, channel=GENERAL)
    shown = assert_private(reply)
    assert f"`{command}`" in shown and "インシデントチャンネル" in shown and "/leak-open" in shown
    assert leakbot.fake.calls_to("views.open") == [] and leakbot.fake.calls_to("chat.postMessage") == []
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}


@pytest.mark.parametrize("command, text", INCIDENT_COMMANDS)
async def test_an_incident_command_outside_leaves_an_open_incident_alone(
    leakbot: Harness, command: str, text: str
) -> None:
    channel = await open_incident(leakbot)  # Slack shows the channel ready and its first question: the set-up is done
    async with Unchanged(leakbot, told=True):
        reply = await leakbot.reply(command, text, channel=GENERAL, user="U0BOB")
    assert f"`{command}`" in assert_private(reply)
    incident = await leakbot.stored.incident(1)
    assert incident.status == "open" and incident.channel_id == channel
    assert GENERAL not in leakbot.fake.pins and messages(leakbot, GENERAL) == []


@pytest.mark.parametrize("channel_kind", ["general", "incident"])
async def test_leak_answer_without_an_item_shows_usage_with_the_item_ids(leakbot: Harness, channel_kind: str) -> None:
    channel = GENERAL if channel_kind == "general" else await open_incident(leakbot)
    async with Unchanged(leakbot, told=True):
        reply = await leakbot.reply("/leak-answer", "   ", channel=channel)
    shown = assert_private(reply)
    assert "/leak-answer <item-id>" in shown
    for item_id in ANSWERABLE_IDS:
        assert f"`{item_id}`" in shown, item_id


async def test_leak_answer_with_an_unknown_item_lists_the_valid_ids_and_opens_nothing(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    views_before = len(leakbot.fake.calls_to("views.open"))
    async with Unchanged(leakbot, told=True):
        reply = await leakbot.reply("/leak-answer", "nosuch", channel=channel)
    shown = assert_private(reply)
    assert "nosuch" in shown and "ありません" in shown
    for item_id in ANSWERABLE_IDS:
        assert f"`{item_id}`" in shown, item_id
    assert len(leakbot.fake.calls_to("views.open")) == views_before


async def test_leak_answer_with_a_step_name_instead_of_an_item_id_is_unknown(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    async with Unchanged(leakbot, told=True):
        reply = await leakbot.reply("/leak-answer", "counts", channel=channel)
    assert "「counts」という項目はありません" in assert_private(reply)


async def test_an_answer_button_for_an_incident_that_does_not_exist_is_refused(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    question = last_question(leakbot, channel)
    forged = StepRef(incident_id=999, step_id="data_items").dump()
    views_before = len(leakbot.fake.calls_to("views.open"))
    async with Unchanged(leakbot) as before:
        reply = await leakbot.click("leak_answer", forged, channel=channel, message_ts=question["ts"])
        assert reply.status == 200
        await leakbot.fake.wait_until(
            lambda: len(leakbot.fake.responses) > before.calls["response_url"], what="the private answer"
        )
        before.calls["response_url"] += 1  # the one private answer is all that may happen
    assert len(leakbot.fake.calls_to("views.open")) == views_before
    said = leakbot.fake.responses[-1][1]
    assert said["response_type"] == "ephemeral" and said.get("replace_original") is False
    assert "/leak-answer" in said["text"]
    assert await leakbot.stored.incident(999) is None


async def submit_with_metadata(h: Harness, metadata: str) -> tuple[dict[str, Any], Any]:
    """Opens the first question's modal of a real incident, then submits it with other private_metadata."""
    channel = await open_incident(h)
    view = await open_step(h, channel)
    history = await h.stored.history(1)
    async with Unchanged(h):
        reply = await h.submit(view | {"private_metadata": metadata}, {"data_items": ["name", "phone"]})
    assert reply.status == 200 and reply.body["response_action"] == "errors", reply
    assert await h.stored.history(1) == history
    assert await h.stored.history(999) == []
    return view, reply.body["errors"]


def input_block_ids(view: dict[str, Any]) -> set[str]:
    return {b["block_id"] for b in view["blocks"] if b["type"] == "input"}


async def test_a_step_modal_naming_an_incident_that_does_not_exist_is_refused(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await open_step(leakbot, channel)
    forged = view | {"private_metadata": StepRef(incident_id=999, step_id="data_items").dump()}
    async with Unchanged(leakbot):  # nothing posted, nothing stored
        reply = await leakbot.submit(forged, {"data_items": ["name", "phone"]})
    # refused in the modal itself, before the ack: the person sees why at once
    assert reply.status == 200 and reply.body["response_action"] == "errors", reply
    assert "保存されていません" in reply.body["errors"]["data_items"]
    assert await leakbot.stored.history(999) == [] and "data_items" not in await leakbot.stored.answers(1)


# Slack shows `response_action: errors` only when every key is the block_id of an input block of the
# submitted view; otherwise the user gets Slack's generic "trouble connecting" error and no explanation.
@pytest.mark.parametrize("metadata", [StepRef(incident_id=1, step_id="nosuch").dump(), "not json at all", ""])
async def test_a_step_modal_with_unknown_or_garbled_metadata_is_refused_under_one_of_its_inputs(
    leakbot: Harness, metadata: str
) -> None:
    view, errors = await submit_with_metadata(leakbot, metadata)
    assert len(errors) == 1 and set(errors) <= input_block_ids(view), errors


async def test_leak_open_with_an_expired_trigger_says_the_form_could_not_be_opened(leakbot: Harness) -> None:
    """Slack's trigger_id lives 3 seconds; this one arrives 5 seconds old, so views.open is refused."""
    payload = slash_command(
        "/leak-open",
        "遅れた起票",
        user_id="U0ALICE",
        channel_id=GENERAL,
        trigger_id=leakbot.fake.new_trigger_id(age=5),
        response_url=leakbot.fake.response_url(),
    )
    async with Unchanged(leakbot) as before:
        reply = await leakbot.post(form_body(payload))
        assert reply.status == 200 and not reply.body  # the command itself was acknowledged at once
        await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the private answer")
        before.calls["response_url"] += 1  # the private answer and the refused views.open are all that happen
        before.calls["views.open"] += 1
    (call,) = leakbot.fake.calls_to("views.open")
    assert not call.ok and call.response["error"] == "expired_trigger_id"
    ((_rid, said),) = leakbot.fake.responses
    assert said["response_type"] == "ephemeral"
    assert "入力画面を開けませんでした" in said["text"] and "expired_trigger_id" in said["text"]
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}
    assert leakbot.fake.calls_to("chat.postMessage") == [] and leakbot.fake.calls_to("conversations.create") == []


# exchanged_trigger_id is left out: it means this request is a retry whose modal is open already.
@pytest.mark.parametrize("error", ["expired_trigger_id", "invalid_trigger_id", "internal_error"])
async def test_leak_open_tells_the_user_whenever_slack_refuses_the_form(leakbot: Harness, error: str) -> None:
    leakbot.fake.fail("views.open", error)
    reply = await leakbot.command("/leak-open", "件名")
    assert reply.status == 200 and not reply.body
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the private answer")
    ((_rid, said),) = leakbot.fake.responses
    assert (
        said["response_type"] == "ephemeral" and "入力画面を開けませんでした" in said["text"] and error in said["text"]
    )
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}


async def test_an_answer_button_with_an_expired_trigger_says_the_form_could_not_be_opened(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    question = last_question(leakbot, channel)
    leakbot.fake.fail("views.open", "expired_trigger_id")
    async with Unchanged(leakbot) as before:
        await leakbot.click(
            "leak_answer", answer_buttons(question)[0]["value"], channel=channel, message_ts=question["ts"]
        )
        await leakbot.fake.wait_until(
            lambda: len(leakbot.fake.responses) > before.calls["response_url"], what="the private answer"
        )
        before.calls["response_url"] += 1
        before.calls["views.open"] += 1  # the refused attempt
    assert "入力画面を開けませんでした" in leakbot.fake.responses[-1][1]["text"]


async def test_commands_in_the_incident_channel_still_work(leakbot: Harness) -> None:
    """The same commands in the incident's own channel do apply (the counterpart of the tests above)."""
    channel = await open_incident(leakbot)
    reply = await leakbot.reply("/leak-status", channel=channel)
    shown = assert_private(reply)
    assert "インシデントチャンネル" not in shown and "`data_items`" in shown
    assert (await leakbot.stored.answers(1))["summary"].value == SUMMARY
