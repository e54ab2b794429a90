"""An optional question left empty never keeps the story from moving on (issue 18, item 9), through signed
HTTP into the bot and the fake Slack: the follow-up `card_bank_detail` submitted empty counts as asked, the
required questions come next, the draft is posted and says the fields are under investigation, and the
item is offered again among the optional ones. Every value here is invented."""

from __future__ import annotations

import pytest

from tests.conftest import Harness
from tests.story import (
    ANSWERS,
    answer,
    answer_buttons,
    last_question,
    messages,
    open_incident,
    open_step,
    text_of,
)

EMPTY_DETAIL = {"card_bank_detail": [], "card_bank_detail_other": ""}
DETAIL_QUESTION = "どのカード・口座情報の項目ですか"
ACTIONS_QUESTION = "お客様に何をしていただきたいですか"
CONTACT_QUESTION = "お客様はどこに問い合わせればよいですか"


def drafts(h: Harness, channel: str) -> list[dict]:
    return [m for m in messages(h, channel) if "公表文の下書き" in text_of(m)]


def values_of(step_id: str) -> dict:
    return next(values for step, values in ANSWERS if step == step_id)


async def up_to_the_follow_up(h: Harness, card_bank: str) -> str:
    """Opens an incident and answers up to card_bank; returns the channel, its question now the follow-up."""
    channel = await open_incident(h)
    for step in ("data_items", "counts", "services"):
        await answer(h, channel, values_of(step))
    await answer(h, channel, {"card_bank": card_bank})
    assert DETAIL_QUESTION in text_of(last_question(h, channel))
    return channel


async def left_empty_rows(h: Harness) -> list[tuple[str, str]]:
    async with h.bot.engine.connect() as connection:
        rows = await connection.exec_driver_sql("SELECT item_id, user_id FROM left_empty ORDER BY id")
        return [(item, user) for item, user in rows.all()]


@pytest.mark.parametrize("card_bank", ["yes", "possible", "investigating"])
async def test_the_card_fields_left_empty_go_on_to_customer_actions_contact_and_the_draft(
    leakbot: Harness, card_bank: str
) -> None:
    channel = await up_to_the_follow_up(leakbot, card_bank)
    await answer(leakbot, channel, EMPTY_DETAIL)  # waits for the next question
    assert ACTIONS_QUESTION in text_of(last_question(leakbot, channel))
    # /leak-next agrees: the required question, not the follow-up again
    view = await leakbot.modal("/leak-next", channel=channel)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["customer_actions"]
    await answer(leakbot, channel, values_of("customer_actions"), view=view)
    assert CONTACT_QUESTION in text_of(last_question(leakbot, channel))
    await answer(leakbot, channel, values_of("contact"))
    draft = await leakbot.fake.wait_until(
        lambda: next(iter(drafts(leakbot, channel)), None), what="the first draft in the channel"
    )
    body = text_of(draft)
    if card_bank == "investigating":
        assert "クレジットカード情報および金融機関の口座情報が含まれているかどうかについては、現在調査中です" in body
    else:
        assert "該当する項目については、現在調査中です" in body
    # the item stays open: no answer stored, who left it empty is kept
    assert await left_empty_rows(leakbot) == [("card_bank_detail", "U0ALICE")]
    async with leakbot.bot.engine.connect() as connection:
        detail = (
            await connection.exec_driver_sql("SELECT count(*) FROM revisions WHERE item_id = 'card_bank_detail'")
        ).scalar_one()
    assert detail == 0
    # offered again after the required ones: /leak-next lists it among the optional items still open
    reply = await leakbot.reply("/leak-next", channel=channel)
    listed = [b for b in reply.body["blocks"] if b.get("accessory", {}).get("action_id") == "leak_answer"]
    assert "カード・口座情報の項目" in reply.text and listed
    assert "カード・口座情報の項目" in text_of({"blocks": listed[:1]})  # first, in checklist order


async def test_after_the_draft_the_optional_questions_move_past_the_one_left_empty(leakbot: Harness) -> None:
    channel = await up_to_the_follow_up(leakbot, "yes")
    await answer(leakbot, channel, EMPTY_DETAIL)
    for step in ("customer_actions", "contact"):
        await answer(leakbot, channel, values_of(step))
    # the first optional question is one never left empty (the cause), not the follow-up again
    assert "原因について" in text_of(last_question(leakbot, channel))
    await answer(leakbot, channel, {"cause": ""})  # left empty too: on to the next optional question
    assert "故意によるものですか" in text_of(last_question(leakbot, channel))
    assert await left_empty_rows(leakbot) == [("card_bank_detail", "U0ALICE"), ("cause", "U0ALICE")]
    assert len(drafts(leakbot, channel)) == 1  # leaving optional items empty posts no new version


async def test_the_follow_up_answered_later_is_stored_and_named_in_a_new_draft(leakbot: Harness) -> None:
    channel = await up_to_the_follow_up(leakbot, "yes")
    await answer(leakbot, channel, EMPTY_DETAIL)
    for step in ("customer_actions", "contact"):
        await answer(leakbot, channel, values_of(step))
    await leakbot.fake.wait_until(lambda: drafts(leakbot, channel), what="the first draft")
    view = await leakbot.modal("/leak-answer", "card_bank_detail", channel=channel)
    await answer(leakbot, channel, {"card_bank_detail": ["card_number"]}, view=view, expect_question=False)
    reply = await leakbot.command("/leak-draft", channel=channel)
    assert reply.status == 200
    second = await leakbot.fake.wait_until(
        lambda: next((m for m in drafts(leakbot, channel) if "第2版" in text_of(m)), None), what="version 2"
    )
    assert "クレジットカード情報（カード番号）" in text_of(second)


async def test_an_empty_follow_up_retried_by_slack_is_recorded_once(leakbot: Harness) -> None:
    channel = await up_to_the_follow_up(leakbot, "possible")
    view = await open_step(leakbot, channel)
    first, again = await leakbot.submit(view, EMPTY_DETAIL), await leakbot.submit(view, EMPTY_DETAIL)
    assert (first.status, first.body, again.status, again.body) == (200, None, 200, None)
    await leakbot.fake.wait_until(
        lambda: ACTIONS_QUESTION in text_of(last_question(leakbot, channel)), what="the customer_actions question"
    )
    assert await left_empty_rows(leakbot) == [("card_bank_detail", "U0ALICE")]
    questions = [m for m in messages(leakbot, channel) if answer_buttons(m)]
    assert sum(ACTIONS_QUESTION in text_of(m) for m in questions) == 1
