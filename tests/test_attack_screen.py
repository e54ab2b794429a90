"""Attacks on the screen (bot.text.screen) with shapes the engineers' tests did not write: a card number whose
groups are joined by a symbol (an emoji, ★, €), by _ : | or (), or typed digit by digit. A title passes into
a channel's name, where each of those marks becomes a hyphen: "4111💳1111💳1111💳1111" would have made the
private channel `leak-…-4111-1111-1111-1111`. Each is refused where it is typed, and held nowhere."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.i18n import t
from bot.sensitive import find_secret
from bot.ui import posts
from tests.conftest import GENERAL, Harness
from tests.slack_payloads import message_shortcut
from tests.story import Unchanged, open_incident, open_step
from tests.test_screen_in_slack import held_nowhere, refusal

CARD_DIGITS = "4111111111111111"
TITLES = [
    "4111\U0001f4b31111\U0001f4b31111\U0001f4b31111",  # 💳 between the groups
    "\uff14\uff11\uff11\uff11\u2605\uff11\uff11\uff11\uff11\u2605\uff11\uff11\uff11\uff11\u2605\uff11\uff11\uff11\uff11",
    "4111\u20ac1111\u20ac1111\u20ac1111",  # €
]


@pytest.mark.parametrize("title", TITLES)
async def test_a_title_whose_symbols_a_channel_name_turns_into_hyphens_is_refused(
    sqlite_leakbot: Harness, title: str
) -> None:
    h = sqlite_leakbot
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-open", title, channel=GENERAL)
    assert "カード番号を書かないで" in reply.text
    assert h.fake.calls_to("views.open") == []
    view = await h.modal("/leak-open")
    async with Unchanged(h):
        submitted = await h.submit(view, {"title": f"件名 {title}", "summary": "架空の事案。"})
    assert submitted.body == {"response_action": "errors", "errors": {"title": refusal("error.secret.card")}}
    assert h.fake.calls_to("conversations.create") == []
    await held_nowhere(h, (CARD_DIGITS,))


@pytest.mark.parametrize(
    "typed",
    [
        "4111_1111_1111_1111",
        "4111:1111:1111:1111",
        "4111|1111|1111|1111",
        "(4111)1111-1111-1111",
        "*4111* 1111 1111 1111",  # Slack's bold around one group
        "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",  # digit by digit
    ],
)
async def test_a_card_number_joined_by_other_marks_is_refused_in_an_answer(sqlite_leakbot: Harness, typed: str) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)  # data items, with the free-text "other"
    async with Unchanged(h):
        reply = await h.submit(view, {"data_items": ["name"], "data_items_other": f"返金先 {typed} を確認"})
    assert reply.body == {"response_action": "errors", "errors": {"data_items_other": refusal("error.secret.card")}}
    await held_nowhere(h, (CARD_DIGITS,))


@pytest.mark.parametrize("text", ["受付 9:00〜18:00（土日祝を除く）｜03-1234-5678", "比率 1:2:3:4:5:6:7:8:9"])
async def test_times_and_ratios_joined_by_colons_still_pass(sqlite_leakbot: Harness, text: str) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    reply = await h.submit(view, {"data_items": ["name"], "data_items_other": text})
    assert reply.body is None or "errors" not in (reply.body or {}), reply.body


# --- bytes no database stores, in what Slack sends beside the typed text -----------------------------------


@pytest.mark.parametrize(
    ("where", "odd"),
    [
        ("ts", "1700000000.000100\u0000"),  # NUL: PostgreSQL cannot store it
        ("ts", "1700000000.0001\ud800"),  # a lone surrogate (JSON can carry one; neither database stores it)
        ("ts", "inf"),  # not a time Slack gives
        ("user", "U0BOB\u0000"),
    ],
)
async def test_a_message_shortcut_with_an_unstorable_id_or_time_is_a_400(
    leakbot: Harness, where: str, odd: str
) -> None:
    h = leakbot
    channel = await open_incident(h)
    message = {"type": "message", "ts": "1700000000.000100", "user": "U0BOB", "text": "架空のメッセージ"}
    message[where] = odd
    payload = message_shortcut(
        "leak_add_to_timeline",
        user_id="U0ALICE",
        channel_id=channel,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    async with Unchanged(h):
        reply = await h.post(urlencode({"payload": json.dumps(payload)}).encode())  # ensure_ascii: \ud800 travels
        assert reply.status == 400, reply


async def test_typed_text_with_a_nul_is_still_told_not_refused_whole(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    message = {"type": "message", "ts": "1700000000.000100", "user": "U0BOB", "text": "架空\u0000のメッセージ"}
    payload = message_shortcut(
        "leak_add_to_timeline",
        user_id="U0ALICE",
        channel_id=channel,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    told = len(h.fake.responses)
    reply = await h.post(urlencode({"payload": json.dumps(payload)}).encode())
    assert reply.status == 200
    await h.fake.wait_until(lambda: len(h.fake.responses) > told, what="the refusal")
    assert refusal("error.control") in h.fake.responses[told][1]["text"]


# --- a channel name adds digits of its own to the title's ----------------------------------------------------


async def test_a_channel_name_whose_suffix_completes_a_card_number_is_not_used(sqlite_leakbot: Harness) -> None:
    """The title passes the screen (its twelve digits are no My Number), but when its channel name is taken the
    bot adds "-2", and leak-…-1000-0000-0008-2 holds 1000 0000 0008 2, a Luhn-valid 13-digit card number
    written 4-4-4-1."""
    h = sqlite_leakbot
    title = "障害番号 1000 0000 0008"
    first = await open_incident(h, title)
    second = await open_incident(h, title)  # the same title again: its readable name is taken
    assert first != second
    names = [c.args.get("name", "") for c in h.fake.calls_to("conversations.create")]
    assert names and all("1000000000082" not in "".join(ch for ch in name if ch.isdigit()) for name in names), names
    assert "1000000000082" not in "".join(ch for ch in h.fake.channels[second].name if ch.isdigit())


# --- numbers written in kanji numerals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("四一一一 一一一一 一一一一 一一一一", "error.secret.card"),  # 4111 1111 1111 1111
        ("四一一一一一一一一一一一一一一一", "error.secret.card"),
        ("一二三四ー五六七八ー九〇一八", "error.secret.my_number"),  # 1234-5678-9018
    ],
)
async def test_a_number_in_kanji_numerals_is_refused(sqlite_leakbot: Harness, typed: str, key: str) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    async with Unchanged(h):
        reply = await h.submit(view, {"data_items": ["name"], "data_items_other": f"番号は{typed}です"})
    assert reply.body == {"response_action": "errors", "errors": {"data_items_other": refusal(key)}}


@pytest.mark.parametrize(
    "text",
    [
        "03一1234一5678",  # a phone number whose dashes an IME turned into 一 (a kanji one)
        "二〇二四年一二月四日、一〇時",
        "一一一一件のうち、一部",
    ],
)
async def test_kanji_numerals_in_ordinary_text_still_pass(sqlite_leakbot: Harness, text: str) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    reply = await h.submit(view, {"data_items": ["name"], "data_items_other": text})
    assert reply.body is None, reply.body


async def test_a_phone_number_with_kanji_dashes_beside_kanji_numerals_still_passes(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    # "2024" in kanji; the phone's 一 stay dashes (read as ones, 031000010009 would be a valid My Number)
    text = "二〇二四年の件、窓口 03一0000一0009"
    reply = await h.submit(view, {"data_items": ["name"], "data_items_other": text})
    assert reply.body is None, reply.body


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_incident_number_never_joins_the_titles_digits_into_a_card_number_in_the_topic(lang: str) -> None:
    title = "1111 1111 1111"  # passes the screen alone; after "#4111" it would read 4111 1111 1111 1111
    assert find_secret(title) is None and find_secret(t("open.topic", lang, id=4111, title=title)) is not None
    topic = posts.topic_text(4111, title, lang)
    assert find_secret(topic) is None and title in topic and "4111" in topic
    assert posts.topic_text(12, "会員データの流出", lang) == t("open.topic", lang, id=12, title="会員データの流出")
