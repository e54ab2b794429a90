"""Owners of checklist items, nudges that name them, DMs, and the APPI legal clocks in Slack."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import START, Harness
from tests.story import SUMMARY, answer, answer_required, last_question, messages, open_incident, text_of
from tests.test_nudges import HOUR, nudges, sweep_at


def pickers(message: dict) -> list[tuple[str, dict]]:
    """(block_id, element) of every user picker in a message."""
    found = []
    for block in message.get("blocks") or []:
        elements = [block["accessory"]] if block.get("accessory") else block.get("elements", [])
        found += [(block.get("block_id"), e) for e in elements if e.get("type") == "users_select"]
    return found


async def pick_owner(h: Harness, channel: str, block_id: str, user: str | None, *, by: str = "U0ALICE") -> None:
    from tests.slack_payloads import interactive_body

    payload = {
        "type": "block_actions",
        "team": {"id": "T0LEAK"},
        "user": {"id": by, "team_id": "T0LEAK"},
        "channel": {"id": channel},
        "trigger_id": h.fake.new_trigger_id(),
        "response_url": h.fake.response_url(),
        "actions": [
            {
                "type": "users_select",
                "action_id": "leak_owner",
                "block_id": block_id,
                "selected_user": user,
                "action_ts": "1",
            }
        ],
    }
    posted = len(h.fake.calls_to("chat.postMessage"))
    reply = await h.post(interactive_body(payload))
    assert reply.status == 200
    await h.fake.wait_for("chat.postMessage", count=posted + 1)


async def open_backdated(h: Harness, days_before: float) -> str:
    """Opens an incident whose leak was discovered `days_before` days before the clock's now."""
    view = await h.modal("/leak-open", "発覚から時間の経った流出")
    discovered = int((START - timedelta(days=days_before)).timestamp())
    await h.submit(view, {"summary": SUMMARY, "discovered_at": discovered})
    channel = await h.fake.wait_until(
        lambda: next(
            (
                c.id
                for c in h.fake.channels.values()
                if c.name.startswith("leak-") and any(pickers(m) for m in h.fake.messages.get(c.id, []))
            ),
            None,
        ),
        what="the channel with its first question",
    )
    return channel


async def test_an_owner_picked_on_the_question_is_kept_shown_and_named_in_nudges(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    question = last_question(leakbot, channel)
    [(block_id, _element)] = pickers(question)
    leakbot.clock.advance(60)
    await pick_owner(leakbot, channel, block_id, "U0BOB")
    history = await leakbot.stored.owner_history(1)
    assert [(o.item_id, o.owner_id, o.set_by, o.at) for o in history] == [
        ("data_items", "U0BOB", "U0ALICE", START + timedelta(seconds=60))
    ]
    checklist = next(m for m in messages(leakbot, channel) if m["ts"] == leakbot.fake.pins[channel][0])
    assert "担当：<@U0BOB>" in text_of(checklist)
    assert await sweep_at(leakbot, HOUR) == 1
    nudge = text_of(nudges(leakbot, channel)[0])
    assert "`data_items` — <@U0BOB>" in nudge and "`max_count` — <@U0ALICE>" in nudge


async def test_an_item_whose_owner_was_cleared_is_the_openers_again_in_nudges(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    [(block_id, _element)] = pickers(last_question(leakbot, channel))
    await pick_owner(leakbot, channel, block_id, "U0BOB")
    await pick_owner(leakbot, channel, block_id, None)  # the picker cleared
    assert [o.owner_id for o in await leakbot.stored.owner_history(1)] == ["U0BOB", None]
    assert await sweep_at(leakbot, HOUR) == 1
    nudge = text_of(nudges(leakbot, channel)[0])
    assert "`data_items` — <@U0ALICE>" in nudge and "None" not in nudge


async def test_owners_can_be_set_from_leak_status_for_each_item(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    status = await leakbot.reply("/leak-status", channel=channel)
    by_item = {}
    for block in status.body["blocks"]:
        if block.get("accessory", {}).get("type") == "users_select":
            by_item[block["block_id"]] = block["accessory"]
    # every checklist item that applies: card_bank_detail only once card_bank says card data may be involved
    assert len(by_item) == 20 and not any("card_bank_detail" in b for b in by_item)
    contact = next(b for b in by_item if '"contact"' in b)
    await pick_owner(leakbot, channel, contact, "U0CAROL", by="U0BOB")
    owners = await leakbot.stored.owners(1)
    assert owners["contact"].owner_id == "U0CAROL" and owners["contact"].set_by == "U0BOB"
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "担当：<@U0CAROL>" in status.text
    # the next questions' pickers start with the owner already chosen
    for values in (
        {"data_items": ["name"]},
        {"max_count": "10", "confirmed_count": "5"},
        {"services": "s"},
        {"card_bank": "none"},
        {"customer_actions": "a"},
    ):
        await answer(leakbot, channel, values)
    [(_block, element)] = pickers(last_question(leakbot, channel))
    assert element["initial_user"] == "U0CAROL"


async def test_owners_of_items_open_longer_than_twice_the_interval_get_a_dm(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    [(block_id, _)] = pickers(last_question(leakbot, channel))
    await pick_owner(leakbot, channel, block_id, "U0BOB")
    assert await sweep_at(leakbot, HOUR) == 1
    assert not [c for c in leakbot.fake.calls_to("chat.postMessage") if c.args.get("channel", "").startswith("U")]
    assert await sweep_at(leakbot, 3 * HOUR) == 1  # open for 3h > 2h
    dms = [c for c in leakbot.fake.calls_to("chat.postMessage") if c.args.get("channel", "").startswith("U")]
    assert sorted(c.args["channel"] for c in dms) == ["U0ALICE", "U0BOB"]
    assert all(c.ok and f"<#{channel}>" in c.args["text"] for c in dms)


async def test_clocks_show_in_status_and_checklist_and_stop_when_filed(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)  # 20.7 million at most: more than 1,000 people
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "義務あり" in status.text and "1,000人超：該当" in status.text
    assert "速報の期限：2026年11月29日（日）23:59まで" in status.text
    assert "確報の期限：2026年12月26日（土）23:59まで" in status.text
    checklist = next(m for m in messages(leakbot, channel) if m["ts"] == leakbot.fake.pins[channel][0])
    assert "速報の期限" in text_of(checklist)
    view = await leakbot.modal("/leak-answer", "ppc_report", channel=channel, user="U0BOB")
    await answer(
        leakbot, channel, {"ppc_report": "preliminary"}, view=view, user="U0BOB", expect_question=False
    )  # the next question (cause) is where it was: not asked again
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "速報：提出済み" in status.text and "確報の期限" in status.text
    assert "<@U0BOB>" in status.text  # who recorded the filing, and when


async def test_near_a_deadline_nudges_come_hourly_and_name_it(leakbot: Harness) -> None:
    channel = await open_backdated(leakbot, days_before=3)  # the preliminary report is due in about 14 hours
    assert await sweep_at(leakbot, HOUR) == 1
    assert await sweep_at(leakbot, 2 * HOUR) == 1  # backoff alone would wait until 3h
    assert await sweep_at(leakbot, 3 * HOUR) == 1
    assert "速報の期限：2026年11月26日（木）23:59まで" in text_of(nudges(leakbot, channel)[-1])


async def test_the_deadline_window_opening_brings_a_nudge_forward(leakbot: Harness) -> None:
    await open_backdated(leakbot, days_before=1)  # preliminary due 2026-11-28 23:59 JST, window opens 37h59m59s in
    for hours in (1, 3, 7, 15, 23, 31):
        assert await sweep_at(leakbot, hours * HOUR) == 1, hours
    window = 37 * HOUR + 59 * 60 + 59
    assert await sweep_at(leakbot, window - 1) == 0
    assert await sweep_at(leakbot, window) == 1  # backoff alone would wait until 39h
    assert await sweep_at(leakbot, window + HOUR) == 1
