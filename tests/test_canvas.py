"""The channel canvas shows the current public draft, the bookmarks point at the checklist, the latest draft
files and the PPC's report page; where a workspace has no canvases the drafts carry on in messages and files,
said once. Through signed HTTP into the bot, waiting on the fake Slack's calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.slack.canvas import canvas_markdown
from storage.records import Draft
from tests.conftest import Harness, start_harness, stop_harness
from tests.fake_slack import Call
from tests.story import ANSWERS, answer, answer_required, messages, nothing_follows, open_incident, open_step, text_of
from tests.test_drills import open_drill

PPC_PAGE = "https://www.ppc.go.jp/personalinfo/legal/leakAction/"
V1 = "公表文の下書き（第1版）"
V2 = "公表文の下書き（第2版）"
REFUSED = "team_tier_cannot_create_channel_canvases"


def ok(h: Harness, method: str) -> list[Call]:
    return [c for c in h.fake.calls_to(method) if c.ok]


def notices(h: Harness, channel: str) -> list[dict[str, Any]]:
    """The bot's messages saying the canvas could not be made."""
    return [
        m
        for m in messages(h, channel)
        if "下書きはこれまでどおりチャンネルへの投稿とファイルで共有します" in text_of(m)
    ]


def drafts_posted(h: Harness, channel: str, heading: str) -> list[dict[str, Any]]:
    return [m for m in messages(h, channel) if heading in (m.get("text") or "")]


async def canvas_showing(h: Harness, channel: str, heading: str) -> dict[str, Any]:
    """Waits until the channel's canvas shows the version headed `heading`; returns the canvas."""

    def shown() -> dict[str, Any] | None:
        canvas = h.fake.channel_canvas(channel)
        return canvas if canvas is not None and f"# {heading}" in canvas["markdown"] else None

    return await h.fake.wait_until(shown, what=f"the canvas showing {heading}")


async def revise(h: Harness, channel: str, item: str, values: dict[str, Any]) -> None:
    """/leak-answer <item> and submit (a change to a required answer makes a new version)."""
    view = await h.modal("/leak-answer", item, channel=channel)
    await answer(h, channel, values, view=view, expect_question=False)


def bookmark(h: Harness, channel: str, title_part: str) -> dict[str, Any] | None:
    found = [b for b in h.fake.bookmarks.get(channel, []) if title_part in b["title"]]
    assert len(found) <= 1, found  # never two of a kind
    return found[0] if found else None


async def bookmarked(h: Harness, channel: str, title_part: str) -> dict[str, Any]:
    return await h.fake.wait_until(lambda: bookmark(h, channel, title_part), what=f"the bookmark {title_part}")


def file_link(h: Harness, name: str) -> str:
    """The permalink Slack gives the uploaded file `name`."""
    (file_id,) = [i for i, f in h.fake.files.items() if f["name"] == name]
    return f"https://leak-test.slack.com/files/{h.fake.bot_user_id}/{file_id}/{name}"


async def recover(h: Harness) -> None:
    """Lets time pass beyond any backoff, as real time would (a test of internals: settles between jumps)."""
    for _ in range(3):
        h.clock.advance(31)
        await h.bot.sweeper.sweep()
        await h.settle()


# --- the canvas ------------------------------------------------------------------------------------


async def test_the_canvas_is_made_with_the_first_version_and_rewritten_with_each_next(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    await answer_required(h, channel)
    canvas = await canvas_showing(h, channel, V1)
    assert canvas["user"] == h.fake.bot_user_id
    (created,) = ok(h, "conversations.canvases.create")
    assert created.args["channel_id"] == channel and created.args["document_content"]["type"] == "markdown"
    text = canvas["markdown"]
    # which version, and when it was made (the test clock: 2026-11-26 10:00 JST), then the release itself
    assert "第1版（2026年11月26日（木）10:00作成）を表示しています" in text
    assert (
        "## 顧客DBの流出疑いに関するお詫びとお知らせ" in text
        and "最大約2,070万件（うち漏えいを確認したもの約760万件）" in text
    )
    assert "【訓練】" not in text
    # after what the last answer asked for (the checklist updated), never holding it up
    calls = h.fake.calls
    updated = [i for i, c in enumerate(calls) if c.method == "chat.update" and c.ok][len(ANSWERS) - 1]
    assert updated < calls.index(created)
    # the message and the files are posted as before: they are the record
    assert len(drafts_posted(h, channel, V1)) == 1
    await h.fake.wait_until(
        lambda: {"leak-1-public-v1.md", "leak-1-public-v1.docx"} <= {f["name"] for f in h.fake.files.values()},
        what="the files of version 1",
    )

    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    canvas = await canvas_showing(h, channel, V2)
    (edit,) = ok(h, "canvases.edit")
    assert edit.args["canvas_id"] == canvas["id"] and edit.args["changes"][0]["operation"] == "replace"
    assert "第2版（" in canvas["markdown"] and "「テストゼミ」のみ" in canvas["markdown"]
    assert V1 not in canvas["markdown"]  # replaced, not appended
    assert len(drafts_posted(h, channel, V2)) == 1
    await nothing_follows(h)
    assert len(ok(h, "conversations.canvases.create")) == 1 and len(h.fake.canvases) == 1
    assert notices(h, channel) == []


async def test_only_the_public_release_goes_into_the_canvas(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    await answer_required(h, channel)
    await canvas_showing(h, channel, V1)
    await h.command("/leak-draft", "ppc", channel=channel)
    await h.fake.wait_until(
        lambda: drafts_posted(h, channel, "個人情報保護委員会への報告の下書き（第1版）"), what="the PPC draft"
    )
    await nothing_follows(h)
    assert ok(h, "canvases.edit") == [] and V1 in h.fake.channel_canvas(channel)["markdown"]


async def test_a_drill_canvas_is_marked(leakbot: Harness) -> None:
    channel = await open_drill(leakbot)
    await answer_required(leakbot, channel)
    canvas = await canvas_showing(leakbot, channel, "【訓練】" + V1)
    assert canvas["markdown"].startswith("# 【訓練】公表文の下書き（第1版）\n")


async def test_a_deleted_canvas_is_made_again(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    await answer_required(h, channel)
    first = await canvas_showing(h, channel, V1)
    h.fake.delete_canvas(first["id"])  # someone deleted it in Slack
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    second = await canvas_showing(h, channel, V2)
    assert second["id"] != first["id"]
    assert [c.response["error"] for c in h.fake.calls_to("canvases.edit")] == ["canvas_not_found"]
    assert len(ok(h, "conversations.canvases.create")) == 2 and notices(h, channel) == []


async def test_a_canvas_someone_else_made_is_left_alone_and_that_is_said_once(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    theirs = h.fake.add_channel_canvas(channel, "# 連絡先メモ\n", user="U0BOB")
    await answer_required(h, channel)
    await h.fake.wait_until(lambda: notices(h, channel), what="the notice")
    assert "別の方が作ったキャンバス" in text_of(notices(h, channel)[0])
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    await h.fake.wait_for("conversations.canvases.create", count=2)
    await nothing_follows(h)
    assert len(notices(h, channel)) == 1
    assert theirs["markdown"] == "# 連絡先メモ\n" and theirs["edits"] == [] and ok(h, "canvases.edit") == []
    assert len(drafts_posted(h, channel, V2)) == 1


# --- a workspace without canvases ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (REFUSED, "このワークスペースのSlackプランではチャンネルキャンバスを作れない"),
        ("canvas_disabled_user_team", "キャンバスが無効になっている"),
        ("not_allowed_token_type", "ボットトークン（xoxb-）"),
        ("restricted_action", "ワークスペースの設定により"),
        ("canvas_creation_failed", "チャンネルキャンバスを作れませんでした"),
    ],
)
async def test_without_canvases_the_drafts_carry_on_and_the_channel_is_told_once(
    leakbot: Harness, error: str, words: str
) -> None:
    h = leakbot
    h.fake.canvas_refusal = error
    channel = await open_incident(h)
    await answer_required(h, channel)
    (notice,) = await h.fake.wait_until(lambda: notices(h, channel), what="the notice")
    assert words in text_of(notice) and error in text_of(notice)
    assert len(drafts_posted(h, channel, V1)) == 1
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    await h.fake.wait_until(lambda: drafts_posted(h, channel, V2), what="version 2 in the channel")
    await h.fake.wait_until(
        lambda: {"leak-1-public-v2.md", "leak-1-public-v2.docx"} <= {f["name"] for f in h.fake.files.values()},
        what="the files of version 2",
    )
    await h.fake.wait_for("conversations.canvases.create", count=2)  # tried again with version 2, refused again
    await nothing_follows(h)
    assert len(notices(h, channel)) == 1 and h.fake.canvases == {}
    async with h.bot.engine.connect() as connection:
        failed = (
            await connection.exec_driver_sql("SELECT count(*) FROM jobs WHERE failed_at IS NOT NULL")
        ).scalar_one()
    assert failed == 0  # a fallback, not a failure: nobody is told "could not …"


async def test_a_missing_scope_is_said_with_what_to_do_and_the_next_version_gets_the_canvas(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    h.fake.fail("conversations.canvases.create", "missing_scope")
    await answer_required(h, channel)
    (notice,) = await h.fake.wait_until(lambda: notices(h, channel), what="the notice")
    assert "canvases:write" in text_of(notice) and "manifest.yml" in text_of(notice)
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})  # the app was reinstalled
    await canvas_showing(h, channel, V2)
    await nothing_follows(h)
    assert len(notices(h, channel)) == 1


# --- retries -----------------------------------------------------------------------------------------

TIMEOUT = 0.3


async def all_but_the_last_answer(h: Harness, channel: str) -> None:
    for _step, values in ANSWERS[:-1]:
        await answer(h, channel, values)


async def the_last_answer(h: Harness, channel: str) -> None:
    """Submits the last required answer (version 1 follows) without waiting for what comes after it."""
    view = await open_step(h, channel)
    reply = await h.submit(view, ANSWERS[-1][1])
    assert reply.status == 200 and reply.body is None, reply


@pytest.fixture
async def slow_slack(fake, database_url) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    harness, runner = await start_harness(fake, database_url, slack_timeout=TIMEOUT)
    yield harness
    await stop_harness(harness, runner)


@pytest.mark.parametrize(
    "fault", [{"error": "ratelimited", "status": 429, "retry_after": 30}, {"error": "internal_error", "status": 500}]
)
async def test_a_transient_error_is_retried_and_makes_one_canvas(slow_slack: Harness, fault: dict[str, Any]) -> None:
    h = slow_slack
    channel = await open_incident(h)
    await all_but_the_last_answer(h, channel)
    h.fake.fail("conversations.canvases.create", **fault)
    await the_last_answer(h, channel)
    await h.fake.wait_for("conversations.canvases.create")  # the fault
    await h.settle()  # internal: the first attempt met its fault before the clock moves
    await recover(h)
    await canvas_showing(h, channel, V1)
    assert len(ok(h, "conversations.canvases.create")) == 1 and notices(h, channel) == []
    # the incident's later jobs waited for it, in order, and then ran: the checklist shows the last answer
    await h.fake.wait_for("chat.update", lambda c: c.ok, count=len(ANSWERS))


async def test_a_canvas_slack_made_but_answered_too_late_is_adopted_not_doubled(slow_slack: Harness) -> None:
    h = slow_slack
    channel = await open_incident(h)
    await all_but_the_last_answer(h, channel)
    h.fake.slow("conversations.canvases.create", TIMEOUT * 3)  # Slack makes it, the bot has stopped listening
    await the_last_answer(h, channel)
    await h.fake.wait_until(lambda: h.fake.channel_canvas(channel), what="the canvas Slack made")
    await h.settle()
    await recover(h)
    canvas = await canvas_showing(h, channel, V1)
    (adopted,) = ok(h, "canvases.edit")  # the second attempt found it (conversations.info, files.info) and wrote it
    assert adopted.args["canvas_id"] == canvas["id"]
    assert len(h.fake.canvases) == 1 and notices(h, channel) == []
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    await canvas_showing(h, channel, V2)
    assert len(h.fake.canvases) == 1


async def test_a_bookmark_slack_added_but_answered_too_late_is_not_added_again(slow_slack: Harness) -> None:
    h = slow_slack
    h.fake.slow("bookmarks.add", TIMEOUT * 3)  # the first bookmark: Slack adds it, the bot has stopped listening
    channel = await open_incident(h)
    await h.fake.wait_until(lambda: len(h.fake.bookmarks.get(channel, [])) >= 1, what="the bookmark Slack added")
    await h.settle()
    await recover(h)
    await bookmarked(h, channel, "チェックリスト")
    await bookmarked(h, channel, "個人情報保護委員会")
    assert len(h.fake.bookmarks[channel]) == 2


async def test_jobs_run_again_make_nothing_twice(leakbot: Harness) -> None:
    """A job that runs again (a runner that died after Slack did it, before the job was marked done) finds what
    it made and changes nothing. A test of internals: the same jobs are recorded again under new keys."""
    h = leakbot
    channel = await open_incident(h)
    await answer_required(h, channel)
    await canvas_showing(h, channel, V1)
    await bookmarked(h, channel, "（Markdown）")
    await h.settle()
    before = {
        m: len(h.fake.calls_to(m))
        for m in ("conversations.canvases.create", "canvases.edit", "bookmarks.add", "bookmarks.edit")
    }
    async with h.bot.repo.tx() as tx:
        incident = await tx.incident_by_channel(channel)
        (draft,) = await tx.drafts(incident.id)
        for kind, payload in (
            ("canvas", {"draft_id": draft.id}),
            ("bookmarks", {"draft_id": draft.id}),
            ("bookmarks", {}),
        ):
            await tx.enqueue(
                kind, payload, key=f"again:{kind}:{len(payload)}", at=h.clock.now(), incident_id=incident.id
            )
    await h.settle()
    after = {m: len(h.fake.calls_to(m)) for m in before}
    assert after == before
    assert len(h.fake.bookmarks[channel]) == 4 and len(h.fake.canvases) == 1


# --- the bookmarks ---------------------------------------------------------------------------------


async def test_bookmarks_point_at_the_checklist_the_ppc_page_and_the_latest_draft_files(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    checklist = await bookmarked(h, channel, "チェックリスト（ピン留め）")
    pinned = h.fake.pins[channel][0]
    assert checklist["link"] == f"https://leak-test.slack.com/archives/{channel}/p{pinned.replace('.', '')}"
    ppc = await bookmarked(h, channel, "個人情報保護委員会")
    assert ppc["link"] == PPC_PAGE and ppc["type"] == "link"

    await answer_required(h, channel)
    word = await bookmarked(h, channel, "公表文の下書き 第1版（Word）")
    markdown = await bookmarked(h, channel, "公表文の下書き 第1版（Markdown）")
    assert word["link"] == file_link(h, "leak-1-public-v1.docx")
    assert markdown["link"] == file_link(h, "leak-1-public-v1.md")
    # what the last answer asked for (the checklist updated, the next question) came first
    calls = h.fake.calls
    updated = [i for i, c in enumerate(calls) if c.method == "chat.update" and c.ok][len(ANSWERS) - 1]
    added = next(i for i, c in enumerate(calls) if c.method == "bookmarks.add" and "第1版" in c.args.get("title", ""))
    assert updated < added

    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    word = await bookmarked(h, channel, "公表文の下書き 第2版（Word）")
    markdown = await bookmarked(h, channel, "公表文の下書き 第2版（Markdown）")
    assert word["link"] == file_link(h, "leak-1-public-v2.docx")
    assert markdown["link"] == file_link(h, "leak-1-public-v2.md")
    await nothing_follows(h)
    # edited in place: still four bookmarks, and the draft's two were edited, not added again
    assert [b["title"] for b in h.fake.bookmarks[channel]] == [
        "チェックリスト（ピン留め）",
        "個人情報保護委員会：漏えい等の報告",
        "公表文の下書き 第2版（Word）",
        "公表文の下書き 第2版（Markdown）",
    ]
    assert len(ok(h, "bookmarks.add")) == 4 and len(ok(h, "bookmarks.edit")) == 2


async def test_a_removed_draft_bookmark_is_added_again(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h)
    await answer_required(h, channel)
    word = await bookmarked(h, channel, "第1版（Word）")
    h.fake.remove_bookmark(channel, word["id"])  # someone removed it in Slack
    await revise(h, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    await bookmarked(h, channel, "第2版（Word）")
    await bookmarked(h, channel, "第2版（Markdown）")
    await nothing_follows(h)
    assert len(h.fake.bookmarks[channel]) == 4


async def test_a_bookmark_slack_refuses_is_not_fatal(leakbot: Harness) -> None:
    h = leakbot
    h.fake.fail("bookmarks.add", "missing_scope", times=2)  # the checklist's and the PPC page's
    channel = await open_incident(h)
    await h.fake.wait_for("bookmarks.add", count=2)
    await answer_required(h, channel)
    await canvas_showing(h, channel, V1)
    await bookmarked(h, channel, "第1版（Markdown）")
    await nothing_follows(h)
    async with h.bot.engine.connect() as connection:
        failed = (
            await connection.exec_driver_sql("SELECT count(*) FROM jobs WHERE failed_at IS NOT NULL")
        ).scalar_one()
    assert failed == 0
    assert not [m for m in messages(h, channel) if "できませんでした" in text_of(m)]  # nobody is alarmed
    # the first version's bookmarks job added the two that were refused
    assert bookmark(h, channel, "チェックリスト") is not None and bookmark(h, channel, "個人情報保護委員会") is not None


# --- what the canvas says --------------------------------------------------------------------------


def test_the_canvas_text_shows_version_date_drill_mark_and_never_a_live_mention() -> None:
    body = "【重要】お詫びとお知らせ\n\n1. 概要\n![](@U0BOB) ![](#C0GENERAL) を確認してください。\n# 見出しではない行\n"
    at = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)  # 12:30 JST
    draft = Draft(1, 1, "public", 3, body, at, None, values={"exercise": True})
    text = canvas_markdown(draft, "ja")
    assert text.startswith("# 【訓練】公表文の下書き（第3版）\n")
    assert "第3版（2026年11月27日（金）12:30作成）を表示しています" in text
    assert "![](@U0BOB)" not in text and "![](#C0GENERAL)" not in text and "!\\[\\](@U0BOB)" in text
    assert "\n# 見出しではない行" not in text
    english = canvas_markdown(Draft(1, 1, "public", 2, body, at, None, values={}), "en")
    assert (
        english.startswith("# Draft disclosure (version 2)\n")
        and "This shows version 2 (made Fri 27 Nov 2026, 12:30 JST)" in english
    )
