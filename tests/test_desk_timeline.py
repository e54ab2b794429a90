"""The timeline (経緯) of issue 11 through signed HTTP, on both databases: /leak-timeline, the message
shortcut `leak_add_to_timeline`, /leak-status, `leakbot export` and the documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.offline import export_incident
from tests.conftest import GENERAL, Harness
from tests.slack_payloads import form_body, interactive_body, message_shortcut, slash_command
from tests.story import Unchanged, answer_required, messages, open_incident, text_of


async def incident_id(h: Harness, channel: str) -> int:
    async with h.bot.repo.read() as tx:
        return (await tx.incident_by_channel(channel)).id


async def stored_timeline(h: Harness, channel: str) -> list:
    async with h.bot.repo.read() as tx:
        return await tx.timeline(await incident_id(h, channel))


async def add_message(h: Harness, channel: str, message: dict, *, user: str) -> dict:
    """Uses the shortcut on a message; returns what only that person is then told."""
    before = len(h.fake.responses)
    payload = message_shortcut(
        "leak_add_to_timeline",
        user_id=user,
        channel_id=channel,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    reply = await h.post(interactive_body(payload))
    assert reply.status == 200 and reply.body is None, reply
    await h.fake.wait_until(lambda: len(h.fake.responses) > before, what="the reply to the shortcut")
    return h.fake.responses[before][1]


async def test_leak_timeline_adds_dated_entries_once_and_lists_them(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    assert "経緯はまだありません" in (await h.reply("/leak-timeline", channel=channel)).text

    body = form_body(
        slash_command(
            "/leak-timeline",
            "10:30 委託先に連絡 <!channel>",
            user_id="U0BOB",
            channel_id=channel,
            trigger_id=h.fake.new_trigger_id(),
            response_url=h.fake.response_url(),
        )
    )
    first = await h.post(body)
    assert "経緯に追加しました" in first.text and "&lt;!channel&gt;" in first.text and "<!channel>" not in first.text
    await h.post(body)  # Slack delivers the same command again: one entry
    [entry] = await stored_timeline(h, channel)
    assert (entry.text, entry.author, entry.added_by, entry.at) == (
        "10:30 委託先に連絡 <!channel>",
        "U0BOB",
        "U0BOB",
        h.clock.now(),
    )

    listed = await h.reply("/leak-timeline", channel=channel)
    assert "経緯（1件）" in listed.text and "委託先に連絡" in listed.text and "<@U0BOB>" in listed.text

    status = await h.reply("/leak-status", channel=channel)
    assert "経緯（1件）" in status.text and "委託先に連絡" in status.text
    assert len(status.body["blocks"]) <= 50


async def test_leak_timeline_outside_an_incident_channel_or_by_a_non_member_changes_nothing(leakbot: Harness) -> None:
    h = leakbot
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-timeline", "何か", channel=GENERAL)
    assert "インシデントチャンネル" in reply.text

    channel = await open_incident(h, responders=["U0BOB"])
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-timeline", "部外者のメモ", user="U0CAROL", channel=channel)
    assert "メンバーだけ" in reply.text and await stored_timeline(h, channel) == []


async def test_the_message_shortcut_adds_author_time_text_and_link_once(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    message = h.fake.add_message(channel, "外部から <https://evil.example|通報> がありました <@U0DAVE>", user="U0BOB")

    told = await add_message(h, channel, message, user="U0ALICE")
    assert "経緯に追加しました" in told["text"] and "<@U0DAVE>" not in told["text"]
    [entry] = await stored_timeline(h, channel)
    assert entry.author == "U0BOB" and entry.added_by == "U0ALICE"
    assert entry.at == datetime.fromtimestamp(float(message["ts"]), UTC).replace(microsecond=entry.at.microsecond)
    assert entry.text == "外部から 通報 (https://evil.example) がありました @U0DAVE"
    assert entry.permalink == f"https://leak-test.slack.com/archives/{channel}/p{message['ts'].replace('.', '')}"

    again = await add_message(h, channel, message, user="U0BOB")
    assert "すでに経緯にあります" in again["text"] and len(await stored_timeline(h, channel)) == 1

    # Carol is not in the channel: nothing stored, and nothing of the message said back.
    told = await add_message(h, channel, h.fake.add_message(channel, "内部メモ 12,345件", user="U0BOB"), user="U0CAROL")
    assert "メンバーだけ" in told["text"] and "12,345" not in told["text"]
    assert len(await stored_timeline(h, channel)) == 1

    general = h.fake.channel_by_name("general")
    told = await add_message(h, general.id, h.fake.add_message(general.id, "雑談", user="U0BOB"), user="U0ALICE")
    assert "インシデントチャンネル" in told["text"]


async def test_the_timeline_is_exported_and_in_the_documents_on_leak_draft(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    await answer_required(h, channel)
    await h.fake.wait_until(
        lambda: any("公表文の下書き（第1版）" in text_of(m) for m in messages(h, channel)), what="the first draft"
    )
    reply = await h.command("/leak-timeline", "委託先から第一報を受領", channel=channel)
    assert "経緯に追加しました" in reply.text

    draft = await h.command("/leak-draft", channel=channel)
    assert draft.status == 200 and draft.body is None, draft
    await h.fake.wait_until(
        lambda: any("第2版" in text_of(m) and "委託先から第一報を受領" in text_of(m) for m in messages(h, channel)),
        what="version 2 with the timeline",
    )

    data = await export_incident(h.bot.repo, str(await incident_id(h, channel)))
    assert [(e["text"], e["author"]) for e in data["timeline"]] == [("委託先から第一報を受領", "U0ALICE")]
    assert json.dumps(data, ensure_ascii=False)  # plain data


async def test_a_timeline_entry_alone_makes_no_new_version_until_leak_draft(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, responders=["U0BOB"])
    await answer_required(h, channel)
    await h.fake.wait_until(
        lambda: any("公表文の下書き（第1版）" in text_of(m) for m in messages(h, channel)), what="the first draft"
    )
    await h.command("/leak-timeline", "委託先から第一報を受領", channel=channel)
    view = await h.modal("/leak-answer", "cause", channel=channel)
    async with h.bot.repo.read() as tx:
        before = len(await tx.drafts(await incident_id(h, channel)))
    reply = await h.submit(view, {"cause": "委託先の作業端末の設定不備（調査中）"})
    assert reply.status == 200 and reply.body is None, reply
    await h.settle()  # "no new version" can only be waited for inside: every job of the answer done
    async with h.bot.repo.read() as tx:
        assert len(await tx.drafts(await incident_id(h, channel))) == before
