"""Hostile or careless input: mentions and links typed into answers, answer text in logs, long drafts."""

from __future__ import annotations

import json
import logging

import pytest

from tests.conftest import Harness
from tests.story import ANSWERS, SUMMARY, answer, answer_required, messages, nothing_follows, open_incident, text_of

PINGS = ["<!channel>", "<!here>", "<@U0BOB>", "<https://evil.example|ここをクリック>", "<#C0GENERAL>"]
LOUD = " ".join(PINGS)


def draft_and_files(h: Harness, channel: str) -> list[dict]:
    """The first draft posted in the channel, once its files are shared there too (else nothing)."""
    drafts = [m for m in messages(h, channel) if "公表文の下書き" in text_of(m)]
    files = {f["name"] for f in h.fake.files.values() if channel in f["channels"]}
    return drafts if {"leak-1-public-v1.md", "leak-1-public-v1.docx"} <= files else []


def mrkdwn_texts(args: dict) -> list[str]:
    """Every string Slack would render as mrkdwn (where <!channel> pings); plain_text objects never do."""
    found = [str(args[k]) for k in ("text", "topic", "initial_comment") if args.get(k)]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for key in ("blocks", "view"):
        value = args.get(key)
        walk(json.loads(value) if isinstance(value, str) else value)
    return found


async def test_mentions_and_links_typed_anywhere_never_ping_or_link(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, title=f"緊急 {LOUD}")
    answers = [
        (
            step,
            {
                k: (f"{v} {LOUD}" if isinstance(v, str) and step not in ("counts", "card_bank") else v)
                for k, v in values.items()
            },
        )
        for step, values in ANSWERS
    ]
    for _step, values in answers:
        await answer(leakbot, channel, values)
    await answer(leakbot, channel, {"cause": LOUD})
    drafts = await leakbot.fake.wait_until(lambda: draft_and_files(leakbot, channel), what="the draft and its files")
    # every call is checked below, so every call the story makes must be in: nothing more may follow
    await nothing_follows(leakbot)
    sent = [
        c
        for c in leakbot.fake.calls
        if c.method
        in ("chat.postMessage", "chat.update", "conversations.setTopic", "views.update", "files.completeUploadExternal")
    ]
    for call in sent:
        rendered = "\n".join(mrkdwn_texts(call.args))
        for ping in PINGS:
            assert ping not in rendered, (call.method, ping)
    assert "&lt;!channel&gt;" in text_of(drafts[0])  # shown as typed, harmlessly


async def test_no_answer_text_reaches_the_log_at_info(leakbot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await leakbot.fake.wait_until(lambda: draft_and_files(leakbot, channel), what="the draft and its files")
    await nothing_follows(leakbot)  # the whole story's work is logged by now, none of it still to come
    logged = "\n".join(r.getMessage() for r in caplog.records)
    secrets = [SUMMARY, "保護者の氏名", "テストゼミ", "0120-000-000", "不審な電話", "2,070万"]
    assert not [s for s in secrets if s in logged]


async def test_every_draft_version_is_uploaded_whole_as_markdown(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    long_contact = ("お問い合わせ窓口 0120-000-000 " * 150)[:3000]
    for _step, values in ANSWERS[:-1]:
        await answer(leakbot, channel, values)
    await answer(leakbot, channel, {"contact": long_contact})
    await leakbot.fake.wait_until(lambda: draft_and_files(leakbot, channel), what="the draft and its files")
    files = {f["name"]: f for f in leakbot.fake.files.values() if channel in f["channels"]}
    assert set(files) == {"leak-1-public-v1.md", "leak-1-public-v1.docx"}
    uploaded = files["leak-1-public-v1.md"]
    text = uploaded["content"].decode()
    assert uploaded["name"] == "leak-1-public-v1.md"
    assert text.startswith("# 顧客DBの流出疑いに関するお詫びとお知らせ") and "## 3. 対象となる件数" in text
    assert long_contact in text  # the full answer, not a preview
    from bot.documents import docx_text

    assert long_contact in "".join(docx_text(files["leak-1-public-v1.docx"]["content"]))


async def test_a_signed_but_garbled_payload_is_a_clean_400(leakbot: Harness) -> None:
    reply = await leakbot.post(b"payload=%7Bnot-json")
    assert reply.status == 400
    assert await leakbot.stored.incident(1) is None
