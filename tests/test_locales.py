"""Each person in their language (issue 11): modals, ephemeral replies and the App Home follow the
person's Slack locale (users.info with include_locale), ja or en, else LEAKBOT_LANG; channel messages and
drafts keep the incident's language. Through signed HTTP against the fake Slack, on both databases."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.checklist import INCIDENT_STEP, STEP_BY_ID
from bot.i18n import t
from bot.metrics import metrics_of
from bot.slack.locales import Locales, lang_of_locale
from tests.conftest import FakeClock, Harness, start_harness, stop_harness
from tests.fake_slack import FakeSlack
from tests.story import answer, messages, open_incident, text_of

BOB, CAROL = "U0BOB", "U0CAROL"


def asked_about(h: Harness, user: str) -> int:
    """How many times the bot asked Slack for this person (users.info)."""
    return len([c for c in h.fake.calls_to("users.info") if c.args.get("user") == user])


async def modal_of(h: Harness, command: str, text: str = "", *, user: str, channel: str) -> dict[str, Any]:
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    reply = await h.command(command, text, user=user, channel=channel)
    assert reply.status == 200 and reply.body is None, reply
    return await h.opened_view(opened + 1)


@pytest.fixture
async def english_default(fake: FakeSlack, database_url: str) -> AsyncIterator[Harness]:
    """The bot with LEAKBOT_LANG=en."""
    harness, runner = await start_harness(fake, database_url, leakbot_lang="en")
    yield harness
    await stop_harness(harness, runner)


async def test_an_english_reader_gets_english_modals_and_replies_while_the_channel_stays_japanese(
    leakbot: Harness,
) -> None:
    h = leakbot
    h.fake.locales[BOB] = "en-US"
    channel = await open_incident(h, responders=[BOB])  # opened by Alice: no locale, LEAKBOT_LANG=ja

    view = await modal_of(h, "/leak-answer", "services", user=BOB, channel=channel)
    assert view["title"]["text"] == STEP_BY_ID["services"].title("en")[:24]
    assert view["submit"]["text"] == t("step.submit", "en")

    status = await h.reply("/leak-status", user=BOB, channel=channel)
    assert status.body["text"].startswith("Checklist: ") and "チェックリスト" not in status.body["text"]
    listed = await h.reply("/leak-timeline", user=BOB, channel=channel)
    assert listed.body["text"] == t("timeline.header", "en", n=0)
    unknown = await h.reply("/leak-draft", "press-release", user=BOB, channel=channel)
    assert unknown.body["text"].startswith("There is no document")

    # what Bob answers is shown to the channel in the incident's language, Japanese
    updates = len(h.fake.calls_to("chat.update"))
    await answer(h, channel, {"services": "テストゼミ"}, user=BOB, view=view, expect_question=False)
    pinned = h.fake.calls_to("chat.update")[updates]
    assert pinned.args["text"].startswith("チェックリスト：")
    assert all("Checklist" not in text_of(m) for m in messages(h, channel))

    # the same reply to Alice, who has no English locale, is Japanese
    alice = await h.reply("/leak-timeline", user="U0ALICE", channel=channel)
    assert alice.body["text"] == t("timeline.header", "ja", n=0)
    # one users.info for Bob across all of that: the cache
    assert asked_about(h, BOB) == 1


async def test_a_first_reply_follows_the_ack_in_the_persons_language_and_later_ones_come_in_the_ack(
    leakbot: Harness,
) -> None:
    # The ack makes no Slack call: for someone the bot has not seen, a reply that is not a read of the
    # database (here /leak-answer's usage) leaves the ack empty and follows through the response_url once
    # Slack has said their language; later replies come in the ack itself. (A read command answers in its
    # ack at once, in LEAKBOT_LANG the first time: tests/test_read_in_ack.py.)
    h = leakbot
    h.fake.locales[CAROL] = "en-GB"
    usage_en = t("cmd.answer_usage", "en", items="")[:20]
    before = len(h.fake.responses)
    first = await h.command("/leak-answer", "", user=CAROL)
    assert first.status == 200 and first.body is None
    await h.fake.wait_until(lambda: len(h.fake.responses) > before, what="the reply after the ack")
    assert h.fake.responses[before][1]["text"].startswith(usage_en)
    [call] = h.fake.calls_to("users.info")
    assert call.args["user"] == CAROL and call.args.get("include_locale") in (True, "true", "1", 1)

    second = await h.command("/leak-answer", "", user=CAROL)
    assert second.body["text"].startswith(usage_en)
    listed = await h.command("/leak-list", user=CAROL)
    assert listed.body["text"] == t("home.header", "en", n=0)
    assert asked_about(h, CAROL) == 1


async def test_a_japanese_reader_gets_japanese_and_any_other_locale_gets_leakbot_lang(english_default: Harness) -> None:
    h = english_default
    h.fake.locales[BOB] = "ja-JP"
    h.fake.locales[CAROL] = "fr-FR"
    japanese = await modal_of(h, "/leak-open", "件名", user=BOB, channel="C0GENERAL")
    assert japanese["title"]["text"] == INCIDENT_STEP.title("ja")[:24]
    assert japanese["submit"]["text"] == t("open.submit", "ja")
    french = await modal_of(h, "/leak-open", "title", user=CAROL, channel="C0GENERAL")
    assert french["title"]["text"] == INCIDENT_STEP.title("en")[:24]  # LEAKBOT_LANG
    assert french["submit"]["text"] == t("open.submit", "en")


async def test_validation_errors_are_in_the_language_of_the_modal(leakbot: Harness) -> None:
    h = leakbot
    h.fake.locales[BOB] = "en-US"
    channel = await open_incident(h, responders=[BOB])
    bob_view = await modal_of(h, "/leak-answer", "max_count", user=BOB, channel=channel)
    reply = await h.submit(bob_view, {"max_count": "many", "confirmed_count": "10"}, user=BOB)
    assert reply.body["response_action"] == "errors"
    assert reply.body["errors"]["max_count"] == t("error.count.not_a_number", "en")

    alice_view = await modal_of(h, "/leak-answer", "max_count", user="U0ALICE", channel=channel)
    reply = await h.submit(alice_view, {"max_count": "many", "confirmed_count": "10"}, user="U0ALICE")
    assert reply.body["errors"]["max_count"] == t("error.count.not_a_number", "ja")
    assert await h.stored.history(1, "max_count") == []


async def test_the_home_tab_is_in_the_viewers_language(leakbot: Harness) -> None:
    from tests.test_desk_home import home_text, open_home

    h = leakbot
    h.fake.locales[BOB] = "en-US"
    await open_incident(h, "社内システムの流出疑い", responders=[BOB])
    bob = await open_home(h, BOB)
    alice = await open_home(h, "U0ALICE")
    assert bob["blocks"][0]["text"]["text"] == t("home.header", "en", n=1)
    assert alice["blocks"][0]["text"]["text"] == t("home.header", "ja", n=1)
    assert "社内システムの流出疑い" in home_text(bob)  # the incident's own words are not translated
    await open_home(h, BOB)
    assert asked_about(h, BOB) == 1


async def test_without_users_read_everyone_gets_leakbot_lang_and_one_warning(
    leakbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = leakbot
    h.fake.bot_scopes.remove("users:read")
    h.fake.locales[BOB] = "en-US"
    h.fake.locales[CAROL] = "en-US"
    with caplog.at_level(logging.DEBUG, logger="bot.slack.locales"):
        channel = await open_incident(h, responders=[BOB, CAROL])
        for user in (BOB, CAROL):
            view = await modal_of(h, "/leak-answer", "services", user=user, channel=channel)
            assert view["title"]["text"] == STEP_BY_ID["services"].title("ja")[:24]  # not fatal: the modal opens
    asked = h.fake.calls_to("users.info")
    assert {c.response.get("error") for c in asked} == {"missing_scope"}
    assert sorted(c.args["user"] for c in asked) == sorted(["U0ALICE", BOB, CAROL])  # once each: remembered a while
    warnings = [r for r in caplog.records if r.name == "bot.slack.locales" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "users:read" in warnings[0].getMessage()
    exposition = (await metrics_of(h.bot).exposition()).decode()
    assert 'leakbot_slack_errors_total{error="missing_scope",method="users.info"} 3.0' in exposition


# --- the cache itself, against the fake Slack ----------------------------------------------------------


async def test_the_cache_is_bounded_in_size_and_age(fake: FakeSlack) -> None:
    clock = FakeClock()
    for n in range(4):
        fake.add_user(f"U0P{n}", f"person{n}", locale="en-US")
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
    locales = Locales(client, clock, "ja", size=2, kept=timedelta(hours=1))

    assert locales.known("U0P0") == "ja" and locales.cached("U0P0") is None  # nothing asked before the ack
    assert await locales.lang_of("U0P0") == "en"
    assert await locales.lang_of("U0P1") == "en"
    assert await locales.lang_of("U0P0") == "en"  # cached, and now the most recently used
    assert await locales.lang_of("U0P2") == "en"  # over the size: U0P1, used least recently, is dropped
    assert locales.cached("U0P1") is None and locales.cached("U0P0") == "en" and locales.known("U0P2") == "en"
    assert len(fake.calls_to("users.info")) == 3

    clock.advance(3600)  # too old: asked again
    assert locales.cached("U0P0") is None
    fake.locales["U0P0"] = "ja-JP"
    assert await locales.lang_of("U0P0") == "ja"
    assert len(fake.calls_to("users.info")) == 4


async def test_a_failed_lookup_is_retried_after_a_short_while(fake: FakeSlack) -> None:
    clock = FakeClock()
    fake.locales["U0BOB"] = "en-US"
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
    locales = Locales(client, clock, "ja", kept_after_failure=timedelta(minutes=5))
    assert await locales.lang_of("U0NOBODY") == "ja"  # user_not_found: the default
    fake.bot_scopes.remove("users:read")
    assert await locales.lang_of("U0BOB") == "ja"
    assert await locales.lang_of("U0BOB") == "ja"
    assert len(fake.calls_to("users.info")) == 2  # the failure is remembered for a while
    fake.bot_scopes.append("users:read")
    clock.advance(300)
    assert await locales.lang_of("U0BOB") == "en"


async def test_people_asked_for_at_once_cost_one_lookup(fake: FakeSlack) -> None:
    import asyncio

    fake.locales["U0BOB"] = "en-US"
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
    locales = Locales(client, FakeClock(), "ja")
    assert await asyncio.gather(*(locales.lang_of("U0BOB") for _ in range(5))) == ["en"] * 5
    assert len(fake.calls_to("users.info")) == 1


@pytest.mark.parametrize(
    "locale,expected",
    [
        ("ja-JP", "ja"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("en_US", "en"),
        ("EN-us", "en"),
        ("fr-FR", "ja"),
        ("es-LA", "ja"),
        ("", "ja"),
        (None, "ja"),
        (42, "ja"),
    ],
)
def test_locales_map_to_ja_or_en_else_the_default(locale: Any, expected: str) -> None:
    assert lang_of_locale(locale, "ja") == expected
    assert lang_of_locale(locale, "en") == (expected if locale and str(locale)[:2].lower() in ("ja", "en") else "en")


async def test_a_modal_keeps_its_language_when_the_person_is_no_longer_cached(leakbot: Harness) -> None:
    # As on another replica, or after the cache forgot them: the modal's own metadata says its language.
    h = leakbot
    h.fake.locales[BOB] = "en-US"
    channel = await open_incident(h, responders=[BOB])
    view = await modal_of(h, "/leak-answer", "max_count", user=BOB, channel=channel)
    h.clock.advance(7 * 3600)
    assert h.bot.adapter.locales.cached(BOB) is None
    reply = await h.submit(view, {"max_count": "many", "confirmed_count": "10"}, user=BOB)
    assert reply.body["errors"]["max_count"] == t("error.count.not_a_number", "en")
    assert asked_about(h, BOB) == 1  # and no Slack call was made for it
