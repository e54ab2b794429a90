"""Attacks on the story promises (issue 18, items 9 and 10) that their own tests do not try, through signed
HTTP into the bot and the fake Slack: a retry of an accepted form after someone else changed another item
of the same step, a form opened before a /leak-answer changed one of its counts, and every optional
question left empty in turn. Every value here is invented."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness
from tests.story import ANSWERS, answer, answer_required, last_question, open_incident, open_step, text_of

COUNTS = {"max_count": "約2,070万件", "confirmed_count": "約760万件"}


def values_of(step_id: str) -> dict:
    return next(values for step, values in ANSWERS if step == step_id)


def initial(view: dict[str, Any], block_id: str) -> Any:
    """What a modal shows in an input when it opens (the prefill Slack displays)."""
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


async def at_counts_answered(h: Harness) -> str:
    channel = await open_incident(h, responders=["U0BOB"])
    await answer(h, channel, values_of("data_items"))
    await answer(h, channel, COUNTS)
    return channel


async def test_a_retry_of_an_accepted_form_does_not_undo_a_later_change_to_another_of_its_items(
    leakbot: Harness,
) -> None:
    channel = await at_counts_answered(leakbot)
    alices = await leakbot.modal("/leak-answer", "max_count", channel=channel, user="U0ALICE")
    # Alice raises the maximum; the confirmed count she leaves as it was
    assert (await leakbot.submit(alices, {**COUNTS, "max_count": "約3,000万件"}, user="U0ALICE")).body is None
    # then Bob, from a fresh form, corrects the confirmed count
    bobs = await leakbot.modal("/leak-answer", "confirmed_count", channel=channel, user="U0BOB")
    assert initial(bobs, "max_count") == "約3,000万件"
    assert (
        await leakbot.submit(bobs, {"max_count": "約3,000万件", "confirmed_count": "約900万件"}, user="U0BOB")
    ).body is None
    # Slack repeats Alice's submission (a retry, a double click): it was stored once, and changes nothing now
    again = await leakbot.submit(alices, {**COUNTS, "max_count": "約3,000万件"}, user="U0ALICE")
    assert again.status == 200
    fresh = await leakbot.modal("/leak-answer", "confirmed_count", channel=channel, user="U0BOB")
    assert (initial(fresh, "max_count"), initial(fresh, "confirmed_count")) == ("約3,000万件", "約900万件")


async def test_a_counts_form_opened_before_a_leak_answer_on_one_count_is_refused(leakbot: Harness) -> None:
    channel = await at_counts_answered(leakbot)
    older = await leakbot.modal("/leak-answer", "confirmed_count", channel=channel, user="U0ALICE")
    newer = await leakbot.modal("/leak-answer", "max_count", channel=channel, user="U0BOB")
    assert (await leakbot.submit(newer, {**COUNTS, "max_count": "約3,000万件"}, user="U0BOB")).body is None
    # Alice only meant to change the confirmed count, but her form still holds the old maximum
    refused = await leakbot.submit(older, {**COUNTS, "confirmed_count": "約800万件"}, user="U0ALICE")
    assert refused.body is not None and "U0BOB" in refused.body["errors"]["max_count"]
    fresh = await leakbot.modal("/leak-answer", "max_count", channel=channel, user="U0ALICE")
    assert (initial(fresh, "max_count"), initial(fresh, "confirmed_count")) == ("約3,000万件", "約760万件")


async def test_every_optional_question_left_empty_in_turn_moves_on_and_comes_round_again(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    asked: list[str] = []
    for _ in range(12):  # more than there are optional steps: each one left empty, then round again
        question = last_question(leakbot, channel)
        asked.append(text_of(question)[:60])
        view = await open_step(leakbot, channel)  # through the question's own "Answer" button
        await answer(leakbot, channel, emptied(view), view=view)
    assert len(set(asked)) >= 8, asked  # every optional question was asked, none stuck
    reply = await leakbot.reply("/leak-next", channel=channel)
    assert reply.status == 200 and "leak_answer" in str(reply.body)  # the optional items offered, none lost


def emptied(view: dict[str, Any]) -> dict[str, Any]:
    """The inputs of a modal as a person leaves them who answers nothing: text cleared, nothing picked."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            kind = block["element"]["type"]
            many = kind in ("checkboxes", "multi_static_select", "multi_users_select")
            values[block["block_id"]] = [] if many else ("" if kind == "plain_text_input" else None)
    return values


async def test_the_home_tab_button_moves_past_a_follow_up_left_empty(leakbot: Harness) -> None:
    from tests.test_desk_home import buttons, click_in_home, open_home

    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    for step in ("data_items", "counts", "services"):
        await answer(h, channel, values_of(step))
    await answer(h, channel, {"card_bank": "possible"})
    await answer(h, channel, {"card_bank_detail": [], "card_bank_detail_other": ""})  # left empty
    home = await open_home(h, "U0BOB")
    [button] = buttons(home, "leak_home_answer")
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await click_in_home(h, home, button, user="U0BOB")
    view = await h.opened_view(opened + 1)
    # the Home tab asks what /leak-next asks: the required question, not the follow-up left empty
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["customer_actions"]
