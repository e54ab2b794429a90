"""Read commands answer in their ack (issue 21, item 1): /leak-status, /leak-list and the /leak-timeline list
reply in the ack's body, in the person's language as the database keeps it, with no Slack call before the
ack; the language is asked of Slack after the ack, for the next request. Through signed HTTP against the
fake Slack, on both databases."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import text

from bot.i18n import t
from tests.conftest import Harness
from tests.story import open_incident

BOB, CAROL, DAVE = "U0BOB", "U0CAROL", "U0DAVE"
HELD = 2.0  # seconds the fake Slack holds users.info before answering: an ack that waited for it would show


def asked_about(h: Harness, user: str) -> int:
    """How many times the bot asked Slack for this person (users.info)."""
    return len([c for c in h.fake.calls_to("users.info") if c.args.get("user") == user])


async def stored_lang(h: Harness, user: str) -> str | None:
    async with h.bot.repo.read() as tx:
        known = await tx.language(user)
    return known.lang if known else None


def checklist_text(reply: Any) -> str:
    return str(reply.body["text"]) if isinstance(reply.body, dict) else ""


async def test_the_status_ack_carries_the_checklist_in_the_persons_language_with_no_slack_call(
    leakbot: Harness,
) -> None:
    h = leakbot
    h.fake.locales[BOB] = "en-US"
    channel = await open_incident(h, responders=[BOB])
    await h.settle()  # Bob's App Home was published (a job): his language was asked then, and stored
    assert asked_about(h, BOB) == 1 and await stored_lang(h, BOB) == "en"
    h.clock.advance(7 * 3600)  # this replica's memory of Bob is gone (as on another replica, or after a restart)
    assert h.bot.adapter.locales.cached(BOB) is None
    responses, arrived = len(h.fake.responses), len(h.fake.arrivals)

    status = await h.command("/leak-status", user=BOB, channel=channel)
    assert h.fake.arrivals[arrived:] == []  # no Slack call at all before the ack came back
    assert status.status == 200 and status.body["response_type"] == "ephemeral"
    assert checklist_text(status).startswith("Checklist: ") and "チェックリスト" not in status.text
    assert any(b.get("type") == "section" for b in status.body["blocks"])  # the checklist itself, in the ack

    await h.settle()
    assert asked_about(h, BOB) == 1  # the stored language is fresh: Slack was not asked after the ack either
    assert len(h.fake.responses) == responses  # the reply was the ack's body: nothing went by response_url


async def test_the_first_reply_is_in_leakbot_lang_and_the_second_in_the_persons_language(leakbot: Harness) -> None:
    h = leakbot
    h.fake.locales[CAROL] = "en-GB"
    h.fake.slow("users.info", HELD)
    first = await h.command("/leak-list", user=CAROL)
    assert first.body["text"] == t("home.header", "ja", n=0)  # LEAKBOT_LANG: Carol's language is not known yet
    assert h.fake.calls_to("users.info") == []  # no Slack call answered before the ack: it was held

    await h.settle(timeout=HELD + 5)  # the look-up after the ack: internal, so an internal wait
    [call] = h.fake.calls_to("users.info")
    assert call.args["user"] == CAROL and call.args.get("include_locale") in (True, "true", "1", 1)
    assert await stored_lang(h, CAROL) == "en"

    second = await h.command("/leak-list", user=CAROL)
    assert second.body["text"] == t("home.header", "en", n=0)
    usage = await h.command("/leak-answer", "", user=CAROL)  # other replies in the ack use it too
    assert usage.body["text"].startswith(t("cmd.answer_usage", "en", items="")[:20])
    await h.settle()
    assert asked_about(h, CAROL) == 1


async def test_the_stored_language_is_asked_again_after_a_day_and_the_ack_does_not_wait_for_it(
    leakbot: Harness,
) -> None:
    h = leakbot
    h.fake.locales[BOB] = "en-US"
    channel = await open_incident(h, responders=[BOB])
    await h.settle()
    asked = asked_about(h, BOB)

    h.clock.advance(7 * 3600)
    listed = await h.command("/leak-timeline", user=BOB, channel=channel)
    assert listed.body["text"] == t("timeline.header", "en", n=0)
    await h.settle()
    assert asked_about(h, BOB) == asked  # the database had it, fresh: Slack was not asked

    h.clock.advance(18 * 3600)  # a day since Slack said it
    h.fake.locales[BOB] = "ja-JP"  # Bob changed his Slack language meanwhile
    stale = await h.command("/leak-list", user=BOB)
    assert stale.body["text"] == t("home.header", "en", n=1)  # the ack does not wait: what is stored
    await h.settle()
    assert asked_about(h, BOB) == asked + 1 and await stored_lang(h, BOB) == "ja"
    fresh = await h.command("/leak-list", user=BOB)
    assert fresh.body["text"] == t("home.header", "ja", n=1)


async def test_without_users_read_the_ack_stays_in_leakbot_lang_and_slack_is_not_asked_each_time(
    leakbot: Harness,
) -> None:
    h = leakbot
    h.fake.bot_scopes.remove("users:read")
    h.fake.locales[CAROL] = "en-US"
    for _ in range(3):
        reply = await h.command("/leak-list", user=CAROL)
        assert reply.body["text"] == t("home.header", "ja", n=0)
        await h.settle()
    assert asked_about(h, CAROL) == 1  # the failure is remembered a while: not one users.info per request
    assert await stored_lang(h, CAROL) is None  # a failure stores nothing


async def test_a_non_member_is_refused_in_the_ack_as_before_and_nothing_is_shown_or_stored(leakbot: Harness) -> None:
    h = leakbot
    channel = await open_incident(h, "架空の流出事案・非公開", responders=[BOB])
    for command in ("/leak-status", "/leak-timeline"):
        reply = await h.command(command, user=DAVE, channel=channel)
        assert reply.status == 200 and reply.body["response_type"] == "ephemeral"
        assert reply.body["text"].startswith(t("access.not_member", "ja"))
        assert "架空の流出事案" not in reply.text and "blocks" not in reply.body
    await h.settle()
    assert asked_about(h, DAVE) == 0 and await stored_lang(h, DAVE) is None


async def test_a_database_error_in_the_ack_is_said_with_a_reference_and_nothing_is_lost(
    leakbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = leakbot
    channel = await open_incident(h, responders=[BOB])
    before = await h.stored.answers(1)
    async with h.bot.engine.begin() as connection:  # a real failure of the database under the running bot
        await connection.execute(text("ALTER TABLE timeline RENAME TO timeline_away"))
    try:
        with caplog.at_level(logging.ERROR, logger="handlers.reads"):
            reply = await h.command("/leak-status", channel=channel)
    finally:
        async with h.bot.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE timeline_away RENAME TO timeline"))
    assert reply.status == 200 and reply.body["response_type"] == "ephemeral"
    ref = re.search(r"参照番号 ([0-9a-f]{8})", reply.body["text"])
    assert ref is not None and reply.body["text"].startswith("「/leak-status」を今は読み出せませんでした")
    [logged] = [r for r in caplog.records if r.name == "handlers.reads"]  # its ref: tests/test_log_fields.py
    assert logged.exc_info is not None and "the read of /leak-status failed" in logged.getMessage()
    assert "blocks" not in reply.body

    again = await h.command("/leak-status", channel=channel)  # nothing was lost: asked again, it answers
    assert checklist_text(again).startswith("チェックリスト")
    assert await h.stored.answers(1) == before


async def test_a_slow_database_gets_a_clear_ack_not_silence(leakbot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = leakbot
    if h.bot.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs its statements on the event loop (storage/sqlite_sessions.py): nothing to outwait")
    channel = await open_incident(h, responders=[BOB])
    async with h.bot.engine.connect() as holder:  # another client holds the timeline: the read waits for it
        transaction = await holder.begin()
        await holder.execute(text("LOCK TABLE timeline IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level(logging.ERROR, logger="handlers.reads"):
            reply = await h.command("/leak-status", channel=channel)
        await transaction.rollback()
    assert reply.body["text"].startswith("「/leak-status」を今は読み出せませんでした")
    assert any("took over" in r.getMessage() for r in caplog.records if r.name == "handlers.reads")
    again = await h.command("/leak-status", channel=channel)
    assert checklist_text(again).startswith("チェックリスト")


async def test_replies_after_the_ack_share_one_connection_to_slack(leakbot: Harness) -> None:
    # A reply that must come after the ack (here /leak-answer's usage, for people the bot has not seen)
    # goes through the response_url over one HTTP session kept for the process, not a new one each time.
    h = leakbot
    for n, user in enumerate(("U0CAROL", "U0DAVE", "U0BOB")):
        reply = await h.reply("/leak-answer", "", user=user)
        assert reply.body["text"].startswith(t("cmd.answer_usage", "ja", items="")[:20])
        assert len(h.fake.responses) == n + 1
    assert len(set(h.fake.response_peers)) == 1, h.fake.response_peers  # the same connection, kept alive
