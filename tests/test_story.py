"""The whole incident story through signed HTTP requests, from /leak-open to the draft and /leak-close."""

from __future__ import annotations

import json

from tests.conftest import GENERAL, Harness
from tests.story import (
    ANSWERS,
    SUMMARY,
    TITLE,
    Unchanged,
    answer,
    answer_buttons,
    answer_required,
    messages,
    open_incident,
    open_step,
    text_of,
)


def drafts(h: Harness, channel: str) -> list[dict]:
    """The draft messages in the channel, oldest first."""
    return [m for m in messages(h, channel) if "公表文の下書き" in text_of(m)]


async def test_leak_open_opens_the_modal_with_title_and_now(leakbot: Harness) -> None:
    reply = await leakbot.command("/leak-open", TITLE)
    assert reply.status == 200
    view = await leakbot.opened_view(1)
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["title", "discovered_at", "summary", "responders", "exercise"]
    assert blocks["title"]["element"]["initial_value"] == TITLE
    assert blocks["discovered_at"]["element"]["initial_date_time"] == int(leakbot.clock.now().timestamp())
    assert "initial_value" not in blocks["summary"]["element"]  # no placeholder pretending to be an answer
    call = leakbot.fake.calls_to("views.open")[0]
    assert call.ok and call.at - leakbot.fake.calls_to("auth.test")[0].at < 3


async def test_submitting_the_new_incident_sets_up_a_private_channel(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, responders=["U0BOB", "U0CAROL"])
    fake = leakbot.fake
    created = fake.channels[channel]
    assert created.is_private
    assert created.name == "leak-20261126-顧客dbの流出疑い"
    assert {"U0ALICE", "U0BOB", "U0CAROL"} <= created.members
    assert TITLE in created.topic
    pinned = fake.pins[channel]
    assert len(pinned) == 1
    checklist = next(m for m in messages(leakbot, channel) if m["ts"] == pinned[0])
    for item_id in (
        "title",
        "summary",
        "data_items",
        "max_count",
        "confirmed_count",
        "card_bank",
        "contact",
        "ppc_report",
    ):
        assert f"`{item_id}`" in text_of(checklist)
    assert "必須 3/10" in text_of(checklist)
    question = messages(leakbot, channel)[-1]
    assert answer_buttons(question) and "個人情報の項目" in text_of(question)
    async with leakbot.bot.engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT item_id, user_id FROM revisions ORDER BY id")).all()
    assert [r[0] for r in rows] == ["title", "discovered_at", "summary", "responders"]
    assert {r[1] for r in rows} == {"U0ALICE"}


async def test_questions_come_one_at_a_time_in_order_and_the_draft_is_posted_once(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    asked = []
    for _step, values in ANSWERS:
        view = await open_step(leakbot, channel)
        asked.append([b["block_id"] for b in view["blocks"] if b["type"] == "input"])
        await answer(leakbot, channel, values, view=view)
    assert asked == [
        ["data_items", "data_items_other"],
        ["max_count", "confirmed_count", "count_unit"],
        ["services"],
        ["card_bank"],
        ["customer_actions"],
        ["contact"],
    ]
    posted = drafts(leakbot, channel)
    assert len(posted) == 1
    body = text_of(posted[0])
    assert "第1版" in body
    for fact in (
        "氏名",
        "住所",
        "電話番号",
        "生年月日",
        "性別",
        "保護者の氏名",
        "テストゼミ",
        "テストキッズ",
        "クレジットカード番号および有効期限、金融機関の口座情報は含まれておりません",
        "0120-000-000",
        "不審な電話",
    ):
        assert fact in body, fact
    assert "最大約2,070万件" in body
    assert body.index("約2,070万") < body.index("約760万")
    assert (
        body.index(TITLE)
        < body.index("個人情報の項目")
        < body.index("最大約")
        < body.index("テストゼミ")
        < body.index("クレジットカード番号および")
        < body.index("不審な電話")
        < body.index("0120-000-000")
    )
    # the next question is the first optional one, after the draft
    assert "原因" in text_of(messages(leakbot, channel)[-1])
    # an optional answer does not post a new version by itself
    await answer(leakbot, channel, {"cause": "委託先の作業端末の設定不備（調査中）"})
    assert len(drafts(leakbot, channel)) == 1


async def test_checklist_is_updated_in_place_with_who_and_when(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer(leakbot, channel, ANSWERS[0][1], user="U0BOB")
    fake = leakbot.fake
    pinned = fake.pins[channel][0]
    update = fake.calls_to("chat.update")[-1]
    assert update.args["ts"] == pinned
    checklist = next(m for m in messages(leakbot, channel) if m["ts"] == pinned)
    text = text_of(checklist)
    assert "<@U0BOB>" in text and "2026年11月26日（木）10:00" in text and "必須 4/10" in text


async def test_revision_through_leak_answer_keeps_history_and_posts_a_new_version(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, responders=["U0BOB", "U0CAROL"])
    await answer_required(leakbot, channel)
    assert len(drafts(leakbot, channel)) == 1
    leakbot.clock.advance(600)
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    reply = await leakbot.command("/leak-answer", "max_count", channel=channel, user="U0CAROL")
    assert reply.status == 200 and reply.body is None
    view = await leakbot.opened_view(opened + 1)
    element = {b["block_id"]: b for b in view["blocks"]}["max_count"]["element"]
    assert element["initial_value"] == "約2,070万件"
    await answer(leakbot, channel, {"confirmed_count": "約800万件"}, view=view, user="U0CAROL", expect_question=False)
    await leakbot.fake.wait_until(lambda: len(drafts(leakbot, channel)) == 2, what="version 2")
    second = text_of(drafts(leakbot, channel)[1])
    assert "第2版" in second and "約800万件" in second and "第1版からの変更：確認済み件数" in second
    history = await leakbot.stored.history(1, "confirmed_count")
    assert [(r.value["text"], r.user_id) for r in history] == [("約760万件", "U0ALICE"), ("約800万件", "U0CAROL")]
    assert history[1].at > history[0].at
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "<@U0CAROL>" in status.text and "2回回答" in status.text


async def test_leak_draft_reposts_and_versions_only_on_change(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    posts = len(leakbot.fake.calls_to("chat.postMessage"))
    assert (await leakbot.command("/leak-draft", channel=channel)).body is None
    await leakbot.fake.wait_for("chat.postMessage", count=posts + 1)
    assert "第1版" in text_of(drafts(leakbot, channel)[-1]) and "変更はありません" in text_of(
        drafts(leakbot, channel)[-1]
    )
    await answer(leakbot, channel, {"cause": "設定不備"})
    await leakbot.command("/leak-draft", channel=channel)
    await leakbot.fake.wait_until(lambda: "第2版" in text_of(drafts(leakbot, channel)[-1]), what="version 2")
    assert "原因：設定不備" in text_of(drafts(leakbot, channel)[-1])


async def test_leak_draft_lists_missing_items(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer(leakbot, channel, ANSWERS[0][1])
    reply = await leakbot.reply("/leak-draft", channel=channel)
    assert reply.body["response_type"] == "ephemeral"
    for item_id in ("max_count", "confirmed_count", "services", "card_bank", "customer_actions", "contact"):
        assert f"`{item_id}`" in reply.text
    assert "`data_items`" not in reply.text
    assert drafts(leakbot, channel) == []


async def test_leak_next_opens_the_next_required_item_then_lists_optional_ones(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    reply = await leakbot.command("/leak-next", channel=channel)
    assert reply.body is None
    view = await leakbot.opened_view(2)
    assert next(b["block_id"] for b in view["blocks"] if b["type"] == "input") == "data_items"
    await answer_required(leakbot, channel)
    async with Unchanged(leakbot):  # no modal once the required items are in: the answer comes in the ack
        reply = await leakbot.command("/leak-next", channel=channel)
    assert reply.body["response_type"] == "ephemeral"
    assert "/leak-draft" in reply.text
    buttons = [b["accessory"] for b in reply.body["blocks"] if b.get("accessory")]
    assert [json.loads(b["value"])["step_id"] for b in buttons] == [
        "cause",
        "malicious",
        "secondary_damage",
        "measures",
        "occurred_at",
        "notification",
        "publication",
        "authorities",
        "ppc_report",
    ]


async def test_leak_close_asks_then_closes_and_posts_the_record(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    reply = await leakbot.command("/leak-close", channel=channel)
    assert reply.body["response_type"] == "ephemeral"
    assert (await leakbot.stored.incident(1)).status == "open"
    confirm = next(e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert confirm["confirm"]  # Slack asks "really?" before sending the click
    before = len(drafts(leakbot, channel))
    await leakbot.click(confirm["action_id"], confirm["value"], channel=channel, user="U0BOB")
    await leakbot.fake.wait_until(lambda: len(drafts(leakbot, channel)) == before + 1, what="the final draft")
    incident = await leakbot.stored.incident(1)
    assert incident.status == "closed" and incident.closed_by == "U0BOB"
    texts = [text_of(m) for m in messages(leakbot, channel)]
    assert any("最終チェックリスト" in t for t in texts)
    assert leakbot.fake.channels[channel].id == channel  # the channel stays for the record
    assert any("クローズ" in body.get("text", "") for _id, body in leakbot.fake.responses)
    # after closing, answers are refused and nothing is opened
    reply = await leakbot.command("/leak-answer", "cause", channel=channel)
    assert "クローズ済み" in reply.text
    reply = await leakbot.command("/leak-close", channel=channel)
    assert "すでにクローズ" in reply.text


async def test_cancelling_close_keeps_the_incident_open(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    reply = await leakbot.command("/leak-close", channel=channel)
    cancel = [e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"]][1]
    await leakbot.click(cancel["action_id"], cancel["value"], channel=channel)
    await leakbot.fake.wait_until(lambda: leakbot.fake.responses, what="the reply")
    assert (await leakbot.stored.incident(1)).status == "open"


async def test_summary_is_stored_from_the_modal(leakbot: Harness) -> None:
    await open_incident(leakbot)
    answers = await leakbot.stored.answers(1)
    assert answers["summary"].value == SUMMARY and answers["title"].value == TITLE
    assert GENERAL not in leakbot.fake.pins


async def test_no_request_waits_for_a_slack_call_before_its_ack(leakbot: Harness) -> None:
    """auth.test is asked once at start; requests are acknowledged without calling Slack first."""
    assert len(leakbot.fake.calls_to("auth.test")) == 1
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await leakbot.reply("/leak-status", channel=channel)
    assert len(leakbot.fake.calls_to("auth.test")) == 1
