"""Attacks on "members only" that the door's tests did not try: the bot's own refresh of a channel's
members (conversations.members, asked for when someone the records do not know acts) racing with Slack's
member_left_channel event. Slack answered the refresh with the channel as it was when asked; the removal
was applied while the answer was on its way; the refresh then wrote its older list over it and let the
removed person back in."""

from __future__ import annotations

from tests.conftest import Harness
from tests.story import ANSWERS, answer, answer_buttons, last_question, open_incident

ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
NOT_MEMBER = "メンバーだけ"


async def test_a_removal_told_while_a_refresh_is_answered_is_not_undone_by_it(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)  # Alice and Bob
    asked = len(h.fake.calls_to("conversations.members"))
    value = answer_buttons(last_question(h, channel))[0]["value"]

    # Carol, not in the channel, clicks: refused, and a refresh is asked for; Slack's answer is slow
    h.fake.late("conversations.members", 1.0)
    await h.click("leak_answer", value, user=CAROL, channel=channel)
    await h.fake.wait_for("conversations.members", lambda c: c.args.get("channel") == channel, count=asked + 1)
    # Slack has read the members (Bob still in); now Bob is removed and Slack tells the bot at once
    h.fake.channels[channel].members.discard(BOB)
    assert (await h.member("member_left_channel", BOB, channel)).status == 200

    # Alice answers: the follow-up runs after the refresh (an incident's jobs run in order)
    await answer(h, channel, ANSWERS[0][1])

    status = await h.reply("/leak-status", user=BOB, channel=channel)
    assert NOT_MEMBER in str(status.body.get("text")) and "blocks" not in status.body, status.body
    # and a refresh that starts after the removal agrees with it
    await h.click("leak_answer", value, user=CAROL, channel=channel)
    await h.fake.wait_for("conversations.members", lambda c: c.args.get("channel") == channel, count=asked + 2)
    await answer(h, channel, ANSWERS[1][1])
    status = await h.reply("/leak-status", user=BOB, channel=channel)
    assert NOT_MEMBER in str(status.body.get("text")), status.body
