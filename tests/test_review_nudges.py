"""Reviewer nudges (issue 12): a version waiting for a reviewer reminds that reviewer by DM, with the item
nudges' interval, backoff and snooze, hourly for the PPC report's reviewers near a legal deadline, and
never twice. Through real HTTP against the fake Slack, with the injected clock; the sweep is driven by
hand (as in test_nudges.py) and what reviewers see is read from the fake Slack's DMs."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot import legal
from tests.conftest import START, Harness, start_harness, stop_harness
from tests.review_story import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    buttons,
    click_reply,
    decide,
    name_reviewers,
    ready,
    request_for,
    submit_and_wait,
    told_then_refreshed,
)
from tests.story import SUMMARY, answer, answer_buttons, answer_required, messages, text_of
from tests.test_nudges import HOUR, sweep_at

WAITING = "待っています"  # what a reviewer's reminder says


def reminders(h: Harness, user: str) -> list[dict[str, Any]]:
    """The reminders the bot sent a reviewer by DM, oldest first."""
    dm = h.fake.dms.get(user)
    return [m for m in messages(h, dm.id) if WAITING in text_of(m)] if dm else []


def dm_of(h: Harness, user: str) -> str:
    return h.fake.dms[user].id


def value_of(message: dict[str, Any], action_id: str) -> str:
    return buttons(message, action_id)[0]["value"]


async def reviewed(h: Harness, reviewers: dict[str, list[str]]) -> str:
    """An incident whose public disclosure (version 1) is put to these reviewers at START."""
    channel = await ready(h)
    await name_reviewers(h, channel, reviewers)
    await request_for(h, channel, 1)
    return channel


async def test_only_reviewers_still_waited_for_are_reminded_after_the_interval(leakbot: Harness) -> None:
    channel = await reviewed(leakbot, {"public": [ALICE, BOB]})
    request = await request_for(leakbot, channel, 1)
    await decide(leakbot, "leak_approve", value_of(request, "leak_approve"), user=ALICE, channel=channel)
    assert await sweep_at(leakbot, HOUR - 1) == 0
    assert reminders(leakbot, BOB) == []
    assert await sweep_at(leakbot, HOUR) == 1
    [reminder] = reminders(leakbot, BOB)
    assert reminders(leakbot, ALICE) == []  # she approved
    text = text_of(reminder)
    assert f"<#{channel}> の公表文 第1版が、あなたの承認を1時間待っています" in reminder["text"], reminder["text"]
    actions = [e["action_id"] for b in reminder["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [
        "leak_approve",
        "leak_request_changes",
        "leak_review_snooze_1800",
        "leak_review_snooze_3600",
        "leak_review_snooze_14400",
    ]
    assert value_of(reminder, "leak_approve") == value_of(request, "leak_approve")  # the very version's buttons
    assert "【訓練】" not in text and "期限" not in text  # not a drill; the public release has no legal clock


async def test_reminders_back_off_like_item_nudges(leakbot: Harness) -> None:
    await reviewed(leakbot, {"public": [BOB]})
    expected = [1, 3, 7, 15, 23]  # hours after the start: +1, +2, +4, +8, +8
    for hours in expected:
        assert await sweep_at(leakbot, hours * HOUR - 1) == 0, hours
        assert await sweep_at(leakbot, hours * HOUR) == 1, hours
    assert len(reminders(leakbot, BOB)) == len(expected)


async def test_a_snooze_from_the_reminder_holds_that_reviewers_clock(leakbot: Harness) -> None:
    await reviewed(leakbot, {"public": [ALICE, BOB]})
    assert await sweep_at(leakbot, HOUR) == 2
    reminder = reminders(leakbot, BOB)[0]
    told = await click_reply(
        leakbot,
        "leak_review_snooze_14400",
        value_of(reminder, "leak_review_snooze_14400"),
        user=BOB,
        channel=dm_of(leakbot, BOB),
    )
    assert "公表文 第1版のリマインドを 2026年11月26日（木）15:00 まで止めました" in told, told  # 1h + 4h, in JST
    assert await sweep_at(leakbot, 3 * HOUR) == 1  # Alice's clock goes on (2x)
    assert await sweep_at(leakbot, 5 * HOUR - 1) == 0
    assert await sweep_at(leakbot, 5 * HOUR) == 1  # Bob's, when his snooze ends
    assert len(reminders(leakbot, BOB)) == 2 and len(reminders(leakbot, ALICE)) == 2


async def test_a_bad_or_foreign_snooze_changes_nothing(leakbot: Harness) -> None:
    await reviewed(leakbot, {"public": [BOB]})
    assert await sweep_at(leakbot, HOUR) == 1
    value = json.loads(value_of(reminders(leakbot, BOB)[0], "leak_review_snooze_1800"))
    forged = json.dumps(value | {"seconds": 99_999})
    told = await click_reply(leakbot, "leak_review_snooze_1800", forged, user=BOB, channel=dm_of(leakbot, BOB))
    assert "読み取れませんでした" in told, told
    told = await click_reply(leakbot, "leak_review_snooze_1800", "not json", user=BOB, channel=dm_of(leakbot, BOB))
    assert "読み取れませんでした" in told, told
    told = await click_reply(
        leakbot, "leak_review_snooze_1800", json.dumps(value), user=CAROL, channel=dm_of(leakbot, BOB)
    )
    assert "公表文の承認者ではないため" in told, told  # Carol is no reviewer: she cannot hold Bob's reminders
    told = await click_reply(
        leakbot, "leak_review_snooze_1800", json.dumps(value), user=DAVE, channel=dm_of(leakbot, BOB)
    )
    assert "このインシデントのチャンネルのメンバーだけが" in told, told  # Dave is not even in the channel
    assert await sweep_at(leakbot, 3 * HOUR) == 1  # the clock is as it was: 1h, then 2x
    assert len(reminders(leakbot, BOB)) == 2


async def test_a_new_version_restarts_the_clock_for_that_version(leakbot: Harness) -> None:
    channel = await reviewed(leakbot, {"public": [BOB]})
    assert await sweep_at(leakbot, HOUR) == 1  # version 1: next due at 3h
    await sweep_at(leakbot, 1.5 * HOUR)
    view = await leakbot.modal("/leak-answer", "services", channel=channel)
    await answer(leakbot, channel, {"services": "通信教育サービス「テストゼミ」のみ"}, view=view, expect_question=False)
    await request_for(leakbot, channel, 2)
    assert await sweep_at(leakbot, 2.5 * HOUR - 1) == 0
    assert await sweep_at(leakbot, 2.5 * HOUR) == 1  # one interval after version 2, not version 1's backoff
    assert "公表文 第2版が" in reminders(leakbot, BOB)[-1]["text"]
    assert await sweep_at(leakbot, 3 * HOUR) == 0  # version 1's clock stopped
    assert await sweep_at(leakbot, 4.5 * HOUR) == 1  # version 2's backoff: 2x
    assert [("第1版" in m["text"], "第2版" in m["text"]) for m in reminders(leakbot, BOB)] == [
        (True, False),
        (False, True),
        (False, True),
    ]


async def test_a_decision_from_the_reminder_stops_it(leakbot: Harness) -> None:
    channel = await reviewed(leakbot, {"public": [ALICE, BOB]})
    assert await sweep_at(leakbot, HOUR) == 2
    reminder = reminders(leakbot, BOB)[0]
    since = len(leakbot.fake.calls)
    told = await click_reply(
        leakbot, "leak_approve", value_of(reminder, "leak_approve"), user=BOB, channel=dm_of(leakbot, BOB)
    )
    assert "公表文 第1版への承認を記録しました" in told, told
    await told_then_refreshed(leakbot, "承認しました（1/2）", since=since)  # the channel is told, as for a click there
    again = await click_reply(
        leakbot, "leak_approve", value_of(reminder, "leak_approve"), user=BOB, channel=dm_of(leakbot, BOB)
    )
    assert "すでに記録されています" in again, again
    # a reminder's button clicked by someone else in a DM is refused as in the channel
    told = await click_reply(
        leakbot, "leak_approve", value_of(reminder, "leak_approve"), user=CAROL, channel=dm_of(leakbot, BOB)
    )
    assert "公表文の承認者ではないため" in told, told
    for hours in (3, 7, 15):
        assert await sweep_at(leakbot, hours * HOUR) == 1, hours  # Alice only
    assert len(reminders(leakbot, BOB)) == 1 and len(reminders(leakbot, ALICE)) == 4
    assert sum("承認しました" in text_of(m) for m in messages(leakbot, channel)) == 1
    # Alice asks for changes from her reminder: the comment modal opens there, and her reminders stop too
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    reply = await leakbot.click(
        "leak_request_changes",
        value_of(reminders(leakbot, ALICE)[-1], "leak_request_changes"),
        user=ALICE,
        channel=dm_of(leakbot, ALICE),
    )
    assert reply.status == 200
    view = await leakbot.opened_view(opened + 1)
    reply = await submit_and_wait(
        leakbot, view, {"comment": "窓口の受付時間を明記してください"}, user=ALICE, says="修正を依頼しました"
    )
    assert reply.status == 200 and reply.body is None, reply
    assert await sweep_at(leakbot, 23 * HOUR) == 0
    assert len(reminders(leakbot, ALICE)) == 4


async def test_ppc_reviewers_are_reminded_hourly_within_24_hours_of_the_deadline(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [BOB], "ppc": [CAROL]})
    reply = await leakbot.command("/leak-draft", "ppc", channel=channel)
    assert reply.status == 200
    await request_for(leakbot, channel, 1, heading="個人情報保護委員会への報告")
    async with leakbot.bot.repo.read() as tx:
        values = {item: a.value for item, a in (await tx.answers(1)).items()}
    deadline = min(d.due for d in legal.assess(values).open_deadlines())  # the preliminary report's
    window = (deadline - timedelta(hours=24) - START).total_seconds()
    assert window > 8 * HOUR  # far enough for the backoff to show first
    assert await sweep_at(leakbot, HOUR) == 2  # Bob and Carol
    assert await sweep_at(leakbot, 3 * HOUR) == 2  # both at 2x
    assert await sweep_at(leakbot, window + 1800) == 2  # both overdue; from now on Carol hourly, Bob at 8x
    for n in (1, 2, 3, 4):
        assert await sweep_at(leakbot, window + 1800 + n * HOUR - 1) == 0, n
        assert await sweep_at(leakbot, window + 1800 + n * HOUR) == 1, n  # Carol alone
    assert (len(reminders(leakbot, BOB)), len(reminders(leakbot, CAROL))) == (3, 7)
    last = reminders(leakbot, CAROL)[-1]
    assert "個人情報保護委員会への報告 第1版が" in last["text"] and "速報の期限" in text_of(last), text_of(last)
    assert "期限" not in text_of(reminders(leakbot, BOB)[-1])


async def test_changed_reviewers_change_who_is_reminded(leakbot: Harness) -> None:
    channel = await reviewed(leakbot, {"public": [BOB]})
    assert await sweep_at(leakbot, HOUR) == 1
    await sweep_at(leakbot, 2 * HOUR)
    await name_reviewers(leakbot, channel, {"public": [CAROL]})  # Bob out, Carol in at 2h
    assert await sweep_at(leakbot, 3 * HOUR - 1) == 0  # Bob's next would have been now
    assert await sweep_at(leakbot, 3 * HOUR) == 1  # Carol's first: one interval after she was named
    assert len(reminders(leakbot, BOB)) == 1 and len(reminders(leakbot, CAROL)) == 1
    told = await click_reply(
        leakbot,
        "leak_review_snooze_1800",
        value_of(reminders(leakbot, BOB)[0], "leak_review_snooze_1800"),
        user=BOB,
        channel=dm_of(leakbot, BOB),
    )
    assert "公表文の承認者ではないため" in told, told  # his old reminder's snooze is refused, nothing held


async def test_no_reminder_after_the_close(leakbot: Harness) -> None:
    channel = await reviewed(leakbot, {"public": [BOB]})
    assert await sweep_at(leakbot, HOUR) == 1
    reply = await leakbot.command("/leak-close", channel=channel)
    confirm = next(e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    await leakbot.click(confirm["action_id"], confirm["value"], channel=channel)
    await leakbot.fake.wait_until(
        lambda: [m for m in messages(leakbot, channel) if "最終チェックリスト" in text_of(m)], what="the close"
    )
    for hours in (3, 7, 48):
        assert await sweep_at(leakbot, hours * HOUR) == 0
    assert len(reminders(leakbot, BOB)) == 1
    async with leakbot.bot.engine.connect() as connection:  # stopped, not only filtered out by the sweep
        running = (
            await connection.exec_driver_sql("SELECT count(*) FROM review_nudges WHERE due_at IS NOT NULL")
        ).scalar_one()
    assert running == 0


async def test_a_drills_reminder_says_it_is_a_drill(leakbot: Harness) -> None:
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.command("/leak-open", "架空の訓練シナリオ")
    view = await leakbot.opened_view(opened + 1)
    reply = await leakbot.submit(view, {"summary": SUMMARY, "responders": [BOB], "exercise": ["drill"]})
    assert reply.body["response_action"] == "update", reply
    created = await leakbot.fake.wait_for("conversations.create", lambda c: c.ok)
    channel = created.response["channel"]["id"]
    await leakbot.fake.wait_until(
        lambda: any(answer_buttons(m) for m in messages(leakbot, channel)), what="the question"
    )
    await answer_required(leakbot, channel)
    await name_reviewers(leakbot, channel, {"public": [BOB]})
    await request_for(leakbot, channel, 1)
    assert await sweep_at(leakbot, HOUR) == 1  # drills are nudged like real incidents, and say so
    assert reminders(leakbot, BOB)[0]["text"].startswith("【訓練】")


async def test_racing_sweeps_and_a_restart_send_each_reminder_once(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    first, runner = await start_harness(fake, database_url)
    try:
        await reviewed(first, {"public": [BOB]})
        first.clock.advance(HOUR)
        sent = await asyncio.gather(first.bot.sweeper.sweep(), first.bot.sweeper.sweep(), first.bot.sweeper.sweep())
        assert sum(sent) == 1
        await first.fake.wait_until(lambda: len(reminders(first, BOB)) == 1, what="the reminder")
    finally:
        await stop_harness(first, runner)
    second, runner = await start_harness(fake, database_url)  # a restart on the same database
    try:
        second.clock.advance(HOUR)  # the restarted clock is back at the start: nothing is due twice
        assert await second.bot.sweeper.sweep() == 0
        second.clock.advance(2 * HOUR)  # the next one (2x), stored before the restart, is not lost
        assert await second.bot.sweeper.sweep() == 1
        await second.fake.wait_until(lambda: len(reminders(second, BOB)) == 2, what="the second reminder")
        await second.settle()  # internal: "no third reminder" can only be waited for inside the bot
        assert len(reminders(second, BOB)) == 2
    finally:
        await stop_harness(second, runner)
