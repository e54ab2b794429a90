"""Fire drills: a drill- channel, every message and document marked 訓練 / EXERCISE, clocks labelled as
practice, and a closing review of how long each answer took. Through signed HTTP, waiting on the fake Slack."""

from __future__ import annotations

import io

from docx import Document

from bot.documents import docx_text
from tests.conftest import Harness
from tests.story import ANSWERS, SUMMARY, answer, answer_buttons, messages, text_of


async def open_drill(h: Harness, title: str = "架空の訓練シナリオ") -> str:
    """/leak-open with "this is a drill" ticked; returns the drill channel once its first question is up."""
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await h.command("/leak-open", title)
    view = await h.opened_view(opened + 1)
    assert "exercise" in {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    reply = await h.submit(view, {"summary": SUMMARY, "responders": ["U0BOB"], "exercise": ["drill"]})
    assert reply.body["response_action"] == "update", reply
    created = await h.fake.wait_for(
        "conversations.create", lambda c: c.ok and c.response["channel"]["name"].startswith("drill-")
    )
    channel = created.response["channel"]["id"]
    await h.fake.wait_until(lambda: any(answer_buttons(m) for m in messages(h, channel)), what="the first question")
    return channel


async def test_a_drill_is_marked_everywhere_and_reviewed_at_the_close(leakbot: Harness) -> None:
    channel = await open_drill(leakbot)
    assert leakbot.fake.channels[channel].name.startswith("drill-2026")
    assert "【訓練】" in leakbot.fake.channels[channel].topic
    checklist = next(m for m in messages(leakbot, channel) if m["ts"] == leakbot.fake.pins[channel][0])
    assert "【訓練】" in text_of(checklist) and "実際の報告義務ではありません" in text_of(checklist)
    for n, (step, values) in enumerate(ANSWERS):
        leakbot.clock.advance(600)  # ten minutes per answer
        user = "U0BOB" if n % 2 else "U0ALICE"
        # each step opened by name (this test is about the marks and the review, not the order of questions)
        view = await leakbot.modal("/leak-answer", next(iter(values)), channel=channel, user=user)
        assert next(iter(values)) in {b["block_id"] for b in view["blocks"] if b["type"] == "input"}, step
        await answer(leakbot, channel, values, view=view, user=user, expect_question=False)
    draft = await leakbot.fake.wait_until(
        lambda: next((m for m in messages(leakbot, channel) if "公表文の下書き" in text_of(m)), None), what="the draft"
    )
    assert text_of(draft).count("【訓練】") >= 1 and "訓練" in text_of(draft)
    # the upload is complete once Slack is told so (files.completeUploadExternal names the file by its title)
    await leakbot.fake.wait_for(
        "files.completeUploadExternal", lambda c: c.ok and "leak-1-public-v1.docx" in str(c.args)
    )
    docx = next(f for f in leakbot.fake.files.values() if f["name"] == "leak-1-public-v1.docx")
    document = Document(io.BytesIO(docx["content"]))
    assert "訓練" in " ".join(p.text for p in document.sections[0].header.paragraphs)
    assert "訓練" in docx_text(docx["content"])[0]  # the title
    reply = await leakbot.command("/leak-close", channel=channel)
    confirm = next(e for b in reply.body["blocks"] if b["type"] == "actions" for e in b["elements"])
    await leakbot.click(confirm["action_id"], confirm["value"], channel=channel)
    review = await leakbot.fake.wait_until(
        lambda: next((m for m in messages(leakbot, channel) if "振り返り" in text_of(m)), None), what="the review"
    )
    text = text_of(review)
    assert "10分" in text and "1時間" in text  # the first answer after 10 minutes, the last after an hour
    assert "<@U0BOB>" in text and "<@U0ALICE>" in text and "最初の下書きまで：1時間" in text


async def test_a_real_incident_is_not_marked(leakbot: Harness) -> None:
    from tests.story import open_incident

    channel = await open_incident(leakbot)
    assert leakbot.fake.channels[channel].name.startswith("leak-")
    assert all("【訓練】" not in text_of(m) for m in messages(leakbot, channel))


async def test_a_drill_flag_that_is_not_ours_is_refused_and_nothing_is_stored(leakbot: Harness) -> None:
    from tests.story import Unchanged

    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.command("/leak-open", "架空")
    view = await leakbot.opened_view(opened + 1)
    block = next(b for b in view["blocks"] if b["block_id"] == "exercise")
    block["element"]["options"].append({"text": {"type": "plain_text", "text": "x"}, "value": "forged"})
    async with Unchanged(leakbot):
        reply = await leakbot.submit(view, {"summary": SUMMARY, "exercise": ["forged"]})
        assert reply.body["response_action"] == "errors" and "exercise" in reply.body["errors"]


SCENARIO = """\
title: 架空の訓練シナリオ（委託先からの持ち出し）
discovered_at: 2026-11-26 10:00
summary: 委託先の作業端末から会員データの一部が持ち出された疑い（訓練用の架空の事例）。
data_items: [氏名, 住所, 電話番号]
max_count: 約12万件
confirmed_count: 3,400件
services: 架空の通販サービス「テスト商店」
card_bank: none
customer_actions: 当社を名乗る不審な電話にご注意ください。
contact: 架空お客様窓口 0120-000-000（9:00〜18:00）
"""


async def test_leakbot_drill_replays_a_scenario_into_a_drill_channel(fake, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SIGNING_SECRET
    from tests.processes import clean_env, run_cli

    (tmp_path / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    env = clean_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}",
    )
    status, out, err = await run_cli(tmp_path, "drill", "scenario.yaml", "--user", "U0ALICE", env=env)
    assert status == 0, err
    [channel] = [c for c in fake.channels.values() if c.name.startswith("drill-")]
    assert f"#{channel.name}" in out and "U0ALICE" in channel.members
    posted = [text_of(m) for m in fake.messages.get(channel.id, [])]
    assert any("公表文の下書き" in m and "【訓練】" in m for m in posted)  # every required answer given: the draft
    assert any("3,400件" in m for m in posted)  # typed as 3,400: published so


async def test_leakbot_drill_refuses_a_scenario_it_cannot_open(fake, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SIGNING_SECRET
    from tests.processes import clean_env, run_cli

    (tmp_path / "scenario.yaml").write_text("data_items: [氏名]\n", encoding="utf-8")
    env = clean_env(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}",
    )
    for args, message in (
        (["scenario.yaml", "--user", "U0ALICE"], "needs title, discovered_at, summary"),
        (["scenario.yaml", "--user", "alice"], "--user must be a Slack user id"),
    ):
        status, _out, err = await run_cli(tmp_path, "drill", *args, env=env, timeout=60)
        assert status == 2 and message in err, err
    assert not fake.calls_to("conversations.create")  # nothing was opened
