"""Review and publication against a real leakbot process (`python -m bot`), black-box: signed HTTP in,
only what the fake Slack received looked at. A reviewer is named, approves, and the publication is
recorded through the Publish modal."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.review_story import buttons
from tests.slack_payloads import block_actions, interactive_body
from tests.story import text_of
from tests.test_read_your_writes import STEPS, USER, WAIT, Outcome, Person, answers_for, drafts_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="real processes with POSIX signals")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def click(person: Person, bot: BotProcess, action_id: str, message: dict, channel: str) -> Outcome:
    """Clicks a button of a message the bot posted; returns the modal it opened or the reply only the clicker sees."""
    trigger, response_url = person.fake.new_trigger_id(), person.fake.response_url()
    payload = block_actions(
        action_id=action_id,
        value=buttons(message, action_id)[0]["value"],
        user_id=person.user,
        channel_id=channel,
        trigger_id=trigger,
        response_url=response_url,
        message=message,
    )
    status, raw = await bot.post(interactive_body(payload), http=person.http)
    assert status == 200, f"{action_id}: HTTP {status} {raw[:300]}"
    return await person._outcome(trigger, response_url, raw, action_id, bot)


def posted_with(fake: FakeSlack, channel: str, action_id: str) -> list[dict]:
    return [m for m in fake.messages.get(channel, []) if buttons(m, action_id)]


async def test_a_named_reviewer_approves_and_the_publication_is_recorded(
    fake: FakeSlack, tmp_path: Path, database_url: str, http: aiohttp.ClientSession
) -> None:
    bot = BotProcess(fake, tmp_path, database_url=database_url)
    await bot.start()
    try:
        alice = Person(fake, http)
        channel = await alice.open_incident(
            bot, "架空の漏えい事案（レビュー）", "テスト用に作った架空の事案。実在の企業とは関係ない。"
        )
        answers = answers_for(1)
        outcome = await alice.command(bot, "/leak-next", channel=channel)
        for step in STEPS:
            assert outcome.view is not None, outcome.text
            assert (await alice.submit(bot, outcome.view, answers[step.name])).strip() == ""
            outcome = await alice.command(bot, "/leak-next", channel=channel)
        await fake.wait_until(lambda: drafts_in(fake, channel), timeout=WAIT, what="the first draft")

        opened = await alice.command(bot, "/leak-reviewers", channel=channel)
        assert opened.view is not None, opened.text
        assert [b["block_id"] for b in opened.view["blocks"] if b["type"] == "input"] == [
            "reviewers_public",
            "reviewers_notice",
            "reviewers_ppc",
            "reviewers_faq",
        ]
        assert (await alice.submit(bot, opened.view, {"reviewers_public": [USER]})).strip() == ""
        [request] = await fake.wait_until(
            lambda: posted_with(fake, channel, "leak_approve"),
            timeout=WAIT,
            what="the Approve / Request changes buttons",
        )
        assert "公表文 第1版の確認" in text_of(request) and buttons(request, "leak_request_changes")

        approved = await click(alice, bot, "leak_approve", request, channel)
        assert "承認を記録しました" in approved.text, approved.text
        again = await click(alice, bot, "leak_approve", request, channel)  # a double click
        assert "すでに記録されています" in again.text, again.text

        [offer] = await fake.wait_until(
            lambda: posted_with(fake, channel, "leak_publish"), timeout=WAIT, what="the Publish button"
        )
        publish = await click(alice, bot, "leak_publish", offer, channel)
        assert publish.view is not None, publish.text
        assert [b["block_id"] for b in publish.view["blocks"] if b["type"] == "input"] == [
            "published_at",
            "published_how",
            "published_url",
        ]
        bad = await alice.submit(
            bot,
            publish.view,
            {
                "published_at": datetime(2026, 11, 29, 1, 0, tzinfo=UTC),
                "published_how": "web",
                "published_url": "not a url",
            },
        )
        assert json.loads(bad)["errors"].keys() == {"published_url"}
        raw = await alice.submit(
            bot,
            publish.view,
            {
                "published_at": datetime(2026, 11, 29, 1, 0, tzinfo=UTC),
                "published_how": "web",
                "published_url": "https://example.com/n",
            },
        )
        assert raw.strip() == "", raw
        status = await alice.command(bot, "/leak-status", channel=channel)  # right after the 200
        assert "公表済み" in status.text and "ウェブページ" in status.text, status.text
        assert "2026年11月29日（日）10:00 ウェブページで公表（公表文 第1版）https://example.com/n" in status.text
        await fake.wait_until(
            lambda: any("公表を記録しました" in text_of(m) for m in fake.messages.get(channel, [])),
            timeout=WAIT,
            what="the publication told in the channel",
        )
        assert sum("を承認しました" in text_of(m) for m in fake.messages.get(channel, [])) == 1
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- log of the process:\n{bot.log_tail()}") from None
    finally:
        await bot.stop()
