"""The three documents in Slack: /leak-draft public|notice|ppc, versions that say what changed,
files for PR and legal, and the Benesse rule: a growing maximum count waits for a person."""

from __future__ import annotations

import json

import pytest

from bot.documents import docx_text, plain_text
from tests.conftest import Harness
from tests.story import Unchanged, answer, answer_required, messages, open_incident, text_of


def posted(h: Harness, channel: str, heading: str) -> list[dict]:
    return [m for m in messages(h, channel) if heading in (m.get("text") or "")]


async def posted_once(h: Harness, channel: str, heading: str) -> dict:
    """Waits until Slack has a message headed `heading` in the channel; returns it (it must be the only one)."""
    found = await h.fake.wait_until(lambda: posted(h, channel, heading), what=f"{heading} in the channel")
    assert len(found) == 1, found
    return found[0]


async def files_in(h: Harness, channel: str, *names: str) -> dict[str, dict]:
    """Waits until Slack has the named files shared in the channel; returns every file there by name."""

    def shared() -> dict[str, dict]:
        return {f["name"]: f for f in h.fake.files.values() if channel in f["channels"]}

    return await h.fake.wait_until(lambda: set(names) <= set(shared()) and shared(), what=f"the files {names}")


def warnings(h: Harness, channel: str) -> list[dict]:
    """The bot's warnings that a version's maximum count grew (the Benesse rule)."""
    return [m for m in messages(h, channel) if "上回っています" in text_of(m)]


async def revise(h: Harness, channel: str, item: str, values: dict, user: str = "U0ALICE") -> None:
    """/leak-answer <item> and submit: returns once Slack shows the answer on the pinned checklist (a revision
    that leaves the next question where it was does not ask it again)."""
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await h.command("/leak-answer", item, channel=channel, user=user)
    view = await h.opened_view(opened + 1)
    await answer(h, channel, values, view=view, user=user, expect_question=False)


@pytest.mark.parametrize(
    ("doc", "heading", "facts"),
    [
        (
            "notice",
            "本人通知の下書き（第1版）",
            ["お客様各位", "1. お客様へのお願い", "2. お問い合わせ窓口", "3. 概要", "5. 原因", "調査中", "漏えい専用"],
        ),
        (
            "ppc",
            "個人情報保護委員会への報告の下書き（第1版）",
            [
                "漏えい等報告（速報・案）",
                "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
                "最大約2,070万件",
                "本人の数は調査中",
                "7. 公表の実施状況",
                "公表文案を作成済み（第1版）",
                "9. その他参考となる事項",
                "規則第7条第4号（本人の数が1,000人を超える個人データの漏えい等）：該当",
            ],
        ),
        (
            "faq",
            "想定問答の下書き（第1版）",
            [
                "想定問答（お問い合わせ窓口用）",
                "1. 私の個人情報は含まれていますか。",
                "クレジットカードや銀行口座",
                "補償はありますか",
                "漏えい専用お客様窓口",
            ],
        ),
    ],
)
async def test_leak_draft_posts_each_document_with_files(
    leakbot: Harness, doc: str, heading: str, facts: list[str]
) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    reply = await leakbot.command("/leak-draft", doc, channel=channel)
    assert reply.body is None
    message = await posted_once(leakbot, channel, heading)
    for fact in facts:
        assert fact in text_of(message), fact
    files = await files_in(leakbot, channel, f"leak-1-{doc}-v1.md", f"leak-1-{doc}-v1.docx")
    lines = docx_text(files[f"leak-1-{doc}-v1.docx"]["content"])
    assert lines[0].startswith(("漏えい等報告", "【重要】顧客DBの流出疑い", "顧客DBの流出疑いに関する想定問答"))
    assert any(line.startswith("1. ") for line in lines)


async def test_an_unknown_document_is_explained(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    reply = await leakbot.command("/leak-draft", "press-release", channel=channel)
    assert reply.body["response_type"] == "ephemeral" and "public" in reply.text and "ppc" in reply.text


async def test_a_new_version_says_what_changed(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await revise(leakbot, channel, "services", {"services": "通信教育サービス「テストゼミ」のみ"})
    second = await posted_once(leakbot, channel, "公表文の下書き（第2版）")
    assert "第1版からの変更：対象サービス" in text_of(second)


async def test_a_higher_maximum_waits_for_a_person_to_confirm(leakbot: Harness) -> None:
    channel = await open_incident(leakbot, responders=["U0BOB"])
    await answer_required(leakbot, channel)
    await revise(leakbot, channel, "max_count", {"max_count": "約3,500万件"}, user="U0BOB")
    (warning,) = await leakbot.fake.wait_until(lambda: warnings(leakbot, channel), what="the warning")
    assert posted(leakbot, channel, "公表文の下書き（第2版）") == []  # held: the warning came instead
    assert "約3,500万" in text_of(warning) and "約2,070万" in text_of(warning) and "ベネッセ" in text_of(warning)
    button = next(e for b in warning["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["confirm"]  # Slack asks again before the click counts
    # /leak-draft does not slip the held version out either: it shows the warning again
    await leakbot.command("/leak-draft", channel=channel)
    await leakbot.fake.wait_until(lambda: len(warnings(leakbot, channel)) == 2, what="the warning again")
    assert posted(leakbot, channel, "公表文の下書き（第2版）") == []
    responses = len(leakbot.fake.responses)
    await leakbot.click(button["action_id"], button["value"], channel=channel, user="U0BOB", message_ts=warning["ts"])
    second = await posted_once(leakbot, channel, "公表文の下書き（第2版）")
    assert "最大約3,500万件" in text_of(second)
    await leakbot.fake.wait_until(
        lambda: any("確認し、第2版を投稿しました" in text_of(m) for m in messages(leakbot, channel)),
        what="who confirmed it, in the channel",
    )
    await leakbot.fake.wait_until(lambda: len(leakbot.fake.responses) > responses, what="the warning replaced")
    assert "最大件数の増加を確認しました" in leakbot.fake.responses[-1][1]["text"]
    await files_in(leakbot, channel, "leak-1-public-v2.md", "leak-1-public-v2.docx")
    # a second click changes nothing
    async with Unchanged(leakbot):
        await leakbot.click(button["action_id"], button["value"], channel=channel, user="U0BOB")
    assert len(posted(leakbot, channel, "公表文の下書き（第2版）")) == 1


async def test_a_lower_maximum_needs_no_confirmation(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await revise(leakbot, channel, "max_count", {"max_count": "約2,000万件"})
    second = await posted_once(leakbot, channel, "公表文の下書き（第2版）")
    assert "最大約2,000万件" in text_of(second) and warnings(leakbot, channel) == []


async def test_a_forged_confirmation_for_another_incident_is_refused(leakbot: Harness) -> None:
    mine = await open_incident(leakbot)
    other = await open_incident(leakbot, "別の流出疑い", user="U0CAROL", responders=["U0DAVE"])
    await answer_required(leakbot, other, user="U0CAROL")
    await revise(leakbot, other, "max_count", {"max_count": "約9,000万件"}, user="U0CAROL")
    await leakbot.fake.wait_until(lambda: warnings(leakbot, other), what="the warning in the other channel")
    held = json.dumps({"incident_id": 2, "draft_id": 2})
    told = len(leakbot.fake.responses)
    async with Unchanged(leakbot, told=True):  # nothing posted anywhere; only the clicker is told why
        await leakbot.click("leak_confirm_draft", held, channel=mine)
        [(_, said)] = await leakbot.fake.wait_until(lambda: leakbot.fake.responses[told:], what="the refusal")
    assert "このチャンネルのインシデントのものではない" in said["text"]
    assert posted(leakbot, other, "公表文の下書き（第2版）") == []


async def test_english_documents(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import start_harness, stop_harness

    h, runner = await start_harness(fake, database_url, leakbot_lang="en")
    try:
        channel = await open_incident(h)
        await answer_required(h, channel)
        await h.command("/leak-draft", "ppc", channel=channel)
        report = await posted_once(h, channel, "Draft report to the PPC (version 1)")
        text = text_of(report)
        assert "3. Number of people" in text and "the number of people is under investigation" in text
        assert "Under investigation." in text  # the cause was not answered
    finally:
        await stop_harness(h, runner)


async def test_export_then_draft_gives_the_document_the_bot_posted(
    leakbot: Harness, database_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from tests.processes import clean_env, run_cli

    channel = await open_incident(leakbot)
    await answer_required(leakbot, channel)
    await posted_once(leakbot, channel, "公表文の下書き（第1版）")
    async with leakbot.bot.engine.connect() as connection:
        posted = (
            await connection.exec_driver_sql("SELECT body FROM drafts WHERE doc = 'public' AND version = 1")
        ).scalar_one()
    env = clean_env(DATABASE_URL=database_url)
    exported = tmp_path / "incident.yaml"

    async def leakbot_cli(*args: str) -> str:
        status, out, err = await run_cli(tmp_path, *args, env=env)
        assert status == 0, err
        return out

    await leakbot_cli("export", "1", "-o", str(exported))
    # the version was made at the injected clock's time, 2026-11-26 10:00 JST: its date line says so
    assert await leakbot_cli(
        "draft", str(exported), "--doc", "public", "--lang", "ja", "--date", "2026-11-26"
    ) == plain_text(posted)
