"""Counts typed as 調査中 through Slack (issue 20, 2): the modal takes them, the first draft is posted and says so.

Signed HTTP into the real Bolt app, the fake Slack on 127.0.0.1; every incident here is invented.
"""

from __future__ import annotations

from bot.i18n import t
from tests.conftest import Harness
from tests.story import ANSWERS, answer, messages, open_incident, text_of
from tests.test_documents_in_slack import posted, posted_once, revise
from tests.test_validation import INCIDENT, checklist_line, item_modal, refused

UNKNOWN_COUNTS = {"max_count": "調査中", "confirmed_count": "不明"}


async def answer_with_unknown_counts(h: Harness, channel: str) -> None:
    """Answers every required question as story.ANSWERS does, but with both counts under investigation."""
    for step, values in ANSWERS:
        await answer(h, channel, UNKNOWN_COUNTS if step == "counts" else values)


async def test_counts_under_investigation_are_accepted_and_the_first_draft_says_so(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    await answer_with_unknown_counts(leakbot, channel)

    draft = await posted_once(leakbot, channel, "公表文の下書き（第1版）")
    text = text_of(draft)
    assert "対象となる件数については、現在調査中です。判明次第お知らせいたします。" in text
    assert "0件" not in text and "最大" not in text
    stored = {r.item_id: r.value for r in await leakbot.stored.history(INCIDENT)}
    assert stored["max_count"] == {"value": None, "approx": False, "text": "調査中", "unknown": True}
    assert stored["confirmed_count"] == {"value": None, "approx": False, "text": "不明", "unknown": True}
    assert "調査中" in checklist_line(leakbot, channel, "max_count")

    await leakbot.command("/leak-draft", "ppc", channel=channel)
    report = text_of(await posted_once(leakbot, channel, "個人情報保護委員会への報告の下書き（第1版）"))
    assert "本人の数\n調査中である。" in report.replace("\\n", "\n")  # the blocks are JSON in text_of
    assert "規則第7条第4号（本人の数が1,000人を超える個人データの漏えい等）：該当するおそれ" in report

    # a number once it is known is a new version, not a growing maximum held for a person (nothing was published)
    await revise(leakbot, channel, "max_count", {"max_count": "約2,070万件", "confirmed_count": "不明"})
    second = text_of(await posted_once(leakbot, channel, "公表文の下書き（第2版）"))
    assert "最大約2,070万件" in second and "このうち実際に漏えいしたものの数については、現在調査中です。" in second
    assert not any("上回っています" in text_of(m) for m in messages(leakbot, channel))


async def test_what_only_looks_unknown_is_refused_and_nothing_is_stored(leakbot: Harness) -> None:
    channel = await open_incident(leakbot)
    view = await item_modal(leakbot, channel, "max_count")
    errors = await refused(leakbot, leakbot.submit(view, {"max_count": "調査中かも", "confirmed_count": "調査中"}))
    assert errors == {"max_count": t("error.count.not_a_number", "ja")}
    assert posted(leakbot, channel, "公表文の下書き") == []


async def test_under_investigation_in_english(fake, database_url) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import start_harness, stop_harness

    h, runner = await start_harness(fake, database_url, leakbot_lang="en")
    try:
        channel = await open_incident(h)
        for step, values in ANSWERS:
            typed = {"max_count": "under investigation", "confirmed_count": "Unknown"}
            await answer(h, channel, typed if step == "counts" else values)
        text = text_of(await posted_once(h, channel, "Draft disclosure (version 1)"))
        assert "The number of records affected is under investigation; we will report it as soon as we know." in text
        assert "under investigation" in checklist_line(h, channel, "max_count")
    finally:
        await stop_harness(h, runner)
