"""Review and publication (issue 12): reviewers per document, a decision per version and reviewer,
approvals reset by a new version, and publishing a fully approved version, through real HTTP against
the fake Slack. Tests wait only on the fake Slack's recorded calls."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from tests.conftest import GENERAL, START, Harness
from tests.review_story import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    NothingStored,
    buttons,
    click_reply,
    decide,
    drafts_of,
    name_reviewers,
    ready,
    request_for,
    stored,
    submit_and_wait,
    with_button,
)
from tests.story import answer, messages, text_of


def pinned(h: Harness, channel: str) -> dict:
    return next(m for m in messages(h, channel) if m["ts"] == h.fake.pins[channel][0])


def value_of(message: dict, action_id: str) -> str:
    return buttons(message, action_id)[0]["value"]


async def test_naming_reviewers_is_kept_with_who_and_when_and_prefills_the_modal(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    leakbot.clock.advance(60)
    reply = await name_reviewers(leakbot, channel, {"public": [ALICE, BOB], "ppc": [CAROL]})
    assert reply.status == 200 and reply.body is None, reply
    history = await stored(leakbot, "reviewer_history")  # stored before the ack
    assert [(r.doc, r.user_ids, r.set_by, r.at) for r in history] == [
        ("public", (ALICE, BOB), ALICE, START + timedelta(seconds=60)),
        ("ppc", (CAROL,), ALICE, START + timedelta(seconds=60)),
    ]
    # the posted version of the public disclosure is put to its reviewers
    request = await request_for(leakbot, channel, 1)
    assert "<@U0ALICE> <@U0BOB>" in text_of(request) and buttons(request, "leak_request_changes")
    assert json.loads(value_of(request, "leak_approve"))["incident_id"] == 1
    await leakbot.fake.wait_until(
        lambda: "公表文：最新 第1版、承認 0/2" in text_of(pinned(leakbot, channel)),
        what="the checklist showing the review",
    )
    assert "承認待ち：<@U0ALICE> <@U0BOB>" in text_of(pinned(leakbot, channel))
    assert "個人情報保護委員会への報告：承認者 <@U0CAROL>、まだ版がありません" in text_of(pinned(leakbot, channel))
    # the checklist's button opens the same modal, prefilled
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    reply = await leakbot.click(
        "leak_reviewers", value_of(pinned(leakbot, channel), "leak_reviewers"), user=BOB, channel=channel
    )
    assert reply.status == 200
    view = await leakbot.opened_view(opened + 1)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["reviewers_public", "reviewers_notice", "reviewers_ppc", "reviewers_faq"]
    assert (
        inputs["reviewers_public"]["initial_users"] == [ALICE, BOB]
        and "initial_users" not in inputs["reviewers_notice"]
    )
    leakbot.clock.advance(60)
    reply = await leakbot.submit(view, {"reviewers_public": [BOB], "reviewers_ppc": [CAROL]}, user=BOB)
    assert reply.status == 200 and reply.body is None, reply
    history = await stored(leakbot, "reviewer_history")
    assert [(r.doc, r.user_ids, r.set_by) for r in history][-1] == ("public", (BOB,), BOB) and len(history) == 3
    await leakbot.fake.wait_until(
        lambda: any(
            "<@U0BOB> が公表文の承認者を <@U0BOB> にしました" in text_of(m) for m in messages(leakbot, channel)
        ),
        what="the change told",
    )
    # the same submission again (a Slack retry) changes nothing
    reply = await leakbot.submit(view, {"reviewers_public": [BOB], "reviewers_ppc": [CAROL]}, user=BOB)
    assert reply.status == 200 and len(await stored(leakbot, "reviewer_history")) == 3


async def test_reviewers_must_be_in_the_channel_and_the_command_belongs_in_one(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    view = await leakbot.modal("/leak-reviewers", channel=channel)
    async with NothingStored(leakbot):
        reply = await leakbot.submit(view, {"reviewers_notice": [DAVE]})
        assert reply.body["response_action"] == "errors"
        assert (
            "<@U0DAVE>" in reply.body["errors"]["reviewers_notice"]
            and "保存されていません" in reply.body["errors"]["reviewers_notice"]
        )
    async with NothingStored(leakbot):
        reply = await leakbot.submit(view, {"reviewers_public": [ALICE]}, user=DAVE)  # not the person it was opened for
        assert reply.body["response_action"] == "errors" and "受け付けませんでした" in json.dumps(
            reply.body, ensure_ascii=False
        )
    async with NothingStored(leakbot):
        reply = await leakbot.command("/leak-reviewers", channel=GENERAL)
        assert "インシデントチャンネル" in reply.text


async def test_each_reviewer_approves_once_and_then_publish_is_offered(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    value = value_of(await request_for(leakbot, channel, 1), "leak_approve")
    told = await decide(leakbot, "leak_approve", value, user=ALICE, channel=channel)
    assert "公表文 第1版への承認を記録しました" in told
    assert [(d.reviewer, d.approved) for d in await stored(leakbot, "decisions")] == [(ALICE, True)]
    await leakbot.fake.wait_until(
        lambda: any("<@U0ALICE> が公表文 第1版を承認しました（1/2）" in text_of(m) for m in messages(leakbot, channel)),
        what="the approval told",
    )
    assert not with_button(leakbot, channel, "leak_publish")
    told = await decide(leakbot, "leak_approve", value, user=BOB, channel=channel)
    assert "承認を記録しました" in told
    offer = await leakbot.fake.wait_until(
        lambda: with_button(leakbot, channel, "leak_publish"), what="the publish button"
    )
    assert "承認者全員" in text_of(offer[0]) and json.loads(value_of(offer[0], "leak_publish"))["draft_id"] == 1
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "公表文：最新 第1版、承認 2/2、承認済み" in status.text
    assert "<@U0ALICE>：公表文 第1版を承認" in status.text and "<@U0BOB>：公表文 第1版を承認" in status.text


async def test_request_changes_asks_for_a_comment_and_keeps_it(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    value = value_of(await request_for(leakbot, channel, 1), "leak_request_changes")
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    reply = await leakbot.click("leak_request_changes", value, user=BOB, channel=channel)
    assert reply.status == 200
    view = await leakbot.opened_view(opened + 1)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["comment"]
    async with NothingStored(leakbot):
        reply = await leakbot.submit(view, {"comment": "   "}, user=BOB)
        assert reply.body == {"response_action": "errors", "errors": {"comment": "修正してほしい点を書いてください。"}}
    async with NothingStored(leakbot):  # Alice may not send Bob's form
        reply = await leakbot.submit(view, {"comment": "代わりに"}, user=ALICE)
        assert reply.body["response_action"] == "errors"
    reply = await submit_and_wait(
        leakbot, view, {"comment": "窓口の受付時間を明記してください <b>"}, user=BOB, says="修正を依頼しました"
    )
    assert reply.status == 200 and reply.body is None, reply
    [decision] = await stored(leakbot, "decisions")
    assert (decision.reviewer, decision.approved, decision.comment) == (
        BOB,
        False,
        "窓口の受付時間を明記してください <b>",
    )
    said = await leakbot.fake.wait_until(
        lambda: next((m for m in messages(leakbot, channel) if "修正を依頼しました" in text_of(m)), None),
        what="the request told",
    )
    assert "窓口の受付時間を明記してください &lt;b&gt;" in text_of(said)
    # the same modal again (a retry) is accepted quietly and stored once
    reply = await leakbot.submit(view, {"comment": "窓口の受付時間を明記してください <b>"}, user=BOB)
    assert reply.status == 200 and reply.body is None and len(await stored(leakbot, "decisions")) == 1
    # Bob decided on this version: approving it now is refused, and so is a second request
    async with NothingStored(leakbot, told=1):
        told = await click_reply(leakbot, "leak_approve", value, user=BOB, channel=channel)
        assert "すでに記録されています" in told and "修正依頼" in told
    async with NothingStored(leakbot, told=1):
        told = await click_reply(leakbot, "leak_request_changes", value, user=BOB, channel=channel)
        assert "すでに記録されています" in told
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "修正依頼：<@U0BOB>" in status.text and "窓口の受付時間を明記してください" in status.text


async def test_a_click_by_anyone_but_a_reviewer_is_refused_and_changes_nothing(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE]})
    request = await request_for(leakbot, channel, 1)
    value = value_of(request, "leak_approve")
    async with NothingStored(leakbot, told=1):  # Carol is in the channel, but not a reviewer of the disclosure
        told = await click_reply(leakbot, "leak_approve", value, user=CAROL, channel=channel)
        assert "承認者ではないため" in told and "<@U0ALICE>" in told
    async with NothingStored(leakbot, told=1):
        told = await click_reply(leakbot, "leak_request_changes", value, user=CAROL, channel=channel)
        assert "承認者ではないため" in told
    async with NothingStored(leakbot, told=1):  # Dave is not even in the channel
        told = await click_reply(leakbot, "leak_approve", value, user=DAVE, channel=channel)
        assert "メンバーだけ" in told
    async with NothingStored(leakbot, told=1):  # a button naming this incident, clicked in another channel
        told = await click_reply(leakbot, "leak_approve", value, user=ALICE, channel=GENERAL)
        assert "このチャンネルのインシデントのものではない" in told
    async with NothingStored(leakbot, told=1):  # a forged value naming no version
        told = await click_reply(
            leakbot, "leak_approve", json.dumps({"incident_id": 1, "draft_id": 999}), user=ALICE, channel=channel
        )
        assert "版が見つかりません" in told
    async with NothingStored(leakbot, told=1):
        told = await click_reply(leakbot, "leak_approve", "not json", user=ALICE, channel=channel)
        assert "このチャンネルのインシデントのものではない" in told


async def test_a_double_click_is_counted_once(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    value = value_of(await request_for(leakbot, channel, 1), "leak_approve")
    before = len(leakbot.fake.responses)
    replies = await asyncio.gather(
        *(leakbot.click("leak_approve", value, user=ALICE, channel=channel) for _ in range(3))
    )
    assert all(r.status == 200 for r in replies)
    await leakbot.fake.wait_until(lambda: len(leakbot.fake.responses) >= before + 3, what="three replies")
    told = [json.dumps(body, ensure_ascii=False) for _url, body in leakbot.fake.responses[before:]]
    assert sum("承認を記録しました" in t for t in told) == 1 and sum("すでに記録されています" in t for t in told) == 2
    assert [(d.reviewer, d.approved) for d in await stored(leakbot, "decisions")] == [(ALICE, True)]
    await leakbot.fake.wait_until(
        lambda: any("承認しました（1/2）" in text_of(m) for m in messages(leakbot, channel)), what="the approval told"
    )
    await leakbot.settle()  # an internal wait, to show that nothing more is said: the approval is told once
    assert sum("を承認しました" in text_of(m) for m in messages(leakbot, channel)) == 1


async def test_a_new_version_resets_the_approvals_and_says_what_changed(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    v1 = value_of(await request_for(leakbot, channel, 1), "leak_approve")
    await decide(leakbot, "leak_approve", v1, user=ALICE, channel=channel)
    view = await leakbot.modal("/leak-answer", "services", channel=channel)
    await answer(leakbot, channel, {"services": "通信教育サービス「テストゼミ」のみ"}, view=view, expect_question=False)
    request = await request_for(leakbot, channel, 2)
    notes = text_of(request)
    assert "第1版への承認はこの版には引き継がれません" in notes and "第1版からの変更：対象サービス" in notes, notes
    assert len(drafts_of(leakbot, channel)) == 2
    async with NothingStored(leakbot, told=1):  # the first version's buttons are stale now
        told = await click_reply(leakbot, "leak_approve", v1, user=BOB, channel=channel)
        assert "第1版のボタンですが、すでに第2版があります" in told
    await leakbot.fake.wait_until(
        lambda: "公表文：最新 第2版、承認 0/2" in text_of(pinned(leakbot, channel)),
        what="the checklist after the new version",
    )
    told = await decide(leakbot, "leak_approve", value_of(request, "leak_approve"), user=ALICE, channel=channel)
    assert "第2版への承認を記録しました" in told


async def test_publish_is_refused_before_every_approval_and_recorded_after(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    value = value_of(await request_for(leakbot, channel, 1), "leak_approve")
    await decide(leakbot, "leak_approve", value, user=ALICE, channel=channel)
    async with NothingStored(leakbot, told=1):  # a forged Publish before Bob approved: no modal, nothing stored
        told = await click_reply(leakbot, "leak_publish", value, user=ALICE, channel=channel)
        assert "まだ承認者全員の承認を得ていない" in told and "承認待ち：<@U0BOB>" in told
    await decide(leakbot, "leak_approve", value, user=BOB, channel=channel)
    [offer] = await leakbot.fake.wait_until(
        lambda: with_button(leakbot, channel, "leak_publish"), what="the publish button"
    )
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    reply = await leakbot.click("leak_publish", value_of(offer, "leak_publish"), user=CAROL, channel=channel)
    assert reply.status == 200
    view = await leakbot.opened_view(opened + 1)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "published_at",
        "published_how",
        "published_url",
    ]
    when = START + timedelta(days=3)  # 2026-11-29 10:00 JST
    async with NothingStored(leakbot):
        reply = await leakbot.submit(
            view, {"published_at": when, "published_how": "web", "published_url": "javascript:alert(1)"}, user=CAROL
        )
        assert reply.body == {
            "response_action": "errors",
            "errors": {"published_url": "http:// または https:// で始まるURLを入力してください。"},
        }
    async with NothingStored(leakbot):
        reply = await leakbot.submit(view, {"published_at": None, "published_how": "web"}, user=CAROL)
        assert set(reply.body["errors"]) == {"published_at"}
    reply = await submit_and_wait(
        leakbot,
        view,
        {"published_at": when, "published_how": "web", "published_url": "https://example.com/news/2026-11-29"},
        user=CAROL,
        says="公表を記録しました",
    )
    assert reply.status == 200 and reply.body is None, reply
    [published] = await stored(leakbot, "publications")
    assert (published.published_at, published.how, published.url, published.by) == (
        when,
        "web",
        "https://example.com/news/2026-11-29",
        CAROL,
    )
    answers = await leakbot.stored.answers(1)
    assert (
        answers["publication"].value
        == "2026年11月29日（日）10:00 ウェブページで公表（公表文 第1版）https://example.com/news/2026-11-29"
    )
    assert answers["publication"].user_id == CAROL
    await leakbot.fake.wait_until(
        lambda: any("の公表を記録しました" in text_of(m) for m in messages(leakbot, channel)),
        what="the publication told",
    )
    # the PPC report states it without anyone retyping it
    posted = len(drafts_of(leakbot, channel, "個人情報保護委員会への報告の下書き"))
    reply = await leakbot.command("/leak-draft", "ppc", channel=channel)
    assert reply.status == 200
    await leakbot.fake.wait_until(
        lambda: len(drafts_of(leakbot, channel, "個人情報保護委員会への報告の下書き")) > posted, what="the PPC report"
    )
    assert "ウェブページで公表（公表文 第1版）" in text_of(
        drafts_of(leakbot, channel, "個人情報保護委員会への報告の下書き")[-1]
    )
    # the same modal sent again (a retry) is recorded once
    reply = await leakbot.submit(
        view,
        {"published_at": when, "published_how": "web", "published_url": "https://example.com/news/2026-11-29"},
        user=CAROL,
    )
    assert reply.status == 200 and len(await stored(leakbot, "publications")) == 1
    assert len(await leakbot.stored.history(1, "publication")) == 1


async def test_the_notice_sent_by_email_fills_notification(leakbot: Harness) -> None:
    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"notice": [BOB]})
    await leakbot.command("/leak-draft", "notice", channel=channel)
    value = value_of(await request_for(leakbot, channel, 1, heading="本人通知"), "leak_approve")
    await decide(leakbot, "leak_approve", value, user=BOB, channel=channel)
    [offer] = await leakbot.fake.wait_until(
        lambda: with_button(leakbot, channel, "leak_publish"), what="the publish button"
    )
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.click("leak_publish", value_of(offer, "leak_publish"), user=BOB, channel=channel)
    view = await leakbot.opened_view(opened + 1)
    reply = await leakbot.submit(view, {"published_at": START + timedelta(days=3), "published_how": "email"}, user=BOB)
    assert reply.status == 200 and reply.body is None, reply
    answers = await leakbot.stored.answers(1)
    assert answers["notification"].value == "2026年11月29日（日）10:00 電子メールで本人に通知（本人通知 第1版）"
    assert "publication" not in answers


async def test_the_export_holds_the_whole_trail(leakbot: Harness) -> None:
    import yaml

    from bot.offline import dump_yaml, export_incident, parse_answers

    channel = await ready(leakbot)
    await name_reviewers(leakbot, channel, {"public": [ALICE, BOB]})
    v1 = await request_for(leakbot, channel, 1)
    await decide(leakbot, "leak_approve", value_of(v1, "leak_approve"), user=ALICE, channel=channel)
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.click("leak_request_changes", value_of(v1, "leak_request_changes"), user=BOB, channel=channel)
    await submit_and_wait(
        leakbot,
        await leakbot.opened_view(opened + 1),
        {"comment": "件数の表記を確認"},
        user=BOB,
        says="修正を依頼しました",
    )
    view = await leakbot.modal("/leak-answer", "services", channel=channel)
    await answer(leakbot, channel, {"services": "通信教育サービス「テストゼミ」のみ"}, view=view, expect_question=False)
    v2 = await request_for(leakbot, channel, 2)
    for user in (ALICE, BOB):
        await decide(leakbot, "leak_approve", value_of(v2, "leak_approve"), user=user, channel=channel)
    [offer] = await leakbot.fake.wait_until(
        lambda: with_button(leakbot, channel, "leak_publish"), what="the publish button"
    )
    opened = len([c for c in leakbot.fake.calls_to("views.open") if c.ok])
    await leakbot.click("leak_publish", value_of(offer, "leak_publish"), user=ALICE, channel=channel)
    await leakbot.submit(
        await leakbot.opened_view(opened + 1),
        {"published_at": START + timedelta(days=3), "published_how": "press"},
        user=ALICE,
    )
    data = await export_incident(leakbot.bot.repo, "1")
    assert [(r["doc"], r["users"], r["by"]) for r in data["reviewers"]] == [("public", [ALICE, BOB], ALICE)]
    assert [(d["doc"], d["version"], d["reviewer"], d["decision"], d["comment"]) for d in data["decisions"]] == [
        ("public", 1, ALICE, "approved", None),
        ("public", 1, BOB, "changes_requested", "件数の表記を確認"),
        ("public", 2, ALICE, "approved", None),
        ("public", 2, BOB, "approved", None),
    ]
    [publication] = data["publications"]
    assert (publication["doc"], publication["version"], publication["how"], publication["by"]) == (
        "public",
        2,
        "press",
        ALICE,
    )
    assert publication["published_at"] == "2026-11-29T01:00:00+00:00"
    assert any(h["item"] == "publication" and h["user"] == ALICE for h in data["history"])
    # an export with its trail is still read back as answers
    assert parse_answers(yaml.safe_load(dump_yaml(data)), lang="ja")["publication"].startswith("2026年11月29日")
    status = await leakbot.reply("/leak-status", channel=channel)
    assert "件数の表記を確認" in status.text and "公表済み" in status.text and "記者会見" in status.text
