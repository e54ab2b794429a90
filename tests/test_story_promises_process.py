"""Issue 18, items 9 and 10, against real leakbot processes (`python -m bot`): one on SQLite, or two replicas
on one PostgreSQL database with requests alternating between them. Signed HTTP only; the only things
looked at are what the fake Slack received and what the bot answered.

- An optional question left empty never keeps the story from moving on: card_bank "yes", the card/bank
  fields submitted empty, and the next question, /leak-next on the other replica and the draft all move on.
- No silent overwrite: two people open the same step; the later submission of an older form is refused
  with a modal error naming who changed it, when, and the answer now; a fresh form goes through; of two
  submitted at the same moment exactly one is accepted.

Every value here is invented."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.answers import format_datetime
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.story import answer_buttons, text_of
from tests.test_read_your_writes import WAIT, Person, drafts_in, http, input_ids, replicas

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="real processes with POSIX signals")
__all__ = ["http", "replicas"]  # fixtures used here

ANSWERS = {
    "data_items": {"data_items": ["name", "email"], "data_items_other": "架空の会員番号"},
    "counts": {"max_count": "約1.2万件", "confirmed_count": "3,400"},
    "services": {"services": "架空の通販サイト「テスト商店」"},
    "card_bank": {"card_bank": "yes"},
    "card_bank_detail": {"card_bank_detail": [], "card_bank_detail_other": ""},  # left empty
    "customer_actions": {"customer_actions": "カードの利用明細に身に覚えのない請求がないかご確認ください。"},
    "contact": {"contact": "架空お客様窓口 0120-000-123（受付 9:00〜18:00）"},
}
# The question the bot posts for each step, as a person reads it (tests/story.py's wording).
QUESTIONS = {
    "data_items": "個人情報の項目",
    "counts": "件数を教えてください",
    "services": "どのサービスのお客様が対象ですか",
    "card_bank": "クレジットカード情報や銀行口座情報は含まれていますか",
    "card_bank_detail": "どのカード・口座情報の項目ですか",
    "customer_actions": "お客様に何をしていただきたいですか",
    "contact": "お客様はどこに問い合わせればよいですか",
}
INPUTS = {
    "data_items": ["data_items", "data_items_other"],
    "counts": ["max_count", "confirmed_count", "count_unit"],
    "services": ["services"],
    "card_bank": ["card_bank"],
    "card_bank_detail": ["card_bank_detail", "card_bank_detail_other"],
    "customer_actions": ["customer_actions"],
    "contact": ["contact"],
}


def questions(fake: FakeSlack, channel: str) -> list[dict]:
    return [m for m in fake.messages.get(channel, []) if answer_buttons(m)]


async def open_with(person: Person, bot: BotProcess, responders: list[str]) -> str:
    """/leak-open with responders; returns the channel once the first question is there."""
    opened = await person.command(bot, "/leak-open", "架空の漏えい事案")
    assert opened.view is not None, opened.text
    raw = await person.submit(
        bot, opened.view, {"summary": "テスト用の架空の事案。実在の人物とは関係ない。", "responders": responders}
    )
    assert json.loads(raw).get("response_action") == "update", raw
    fake = person.fake
    done = await fake.wait_for(
        "views.update",
        lambda c: c.args.get("view_id") == opened.view["id"] and "<#C" in json.dumps(c.args.get("view")),
        timeout=WAIT,
    )
    channel = json.dumps(done.args["view"], ensure_ascii=False).split("<#")[1].split(">")[0].split("|")[0]
    await fake.wait_until(
        lambda: {person.user, *responders} <= fake.channels[channel].members and questions(fake, channel),
        timeout=WAIT,
        what="the channel with its members and the first question",
    )
    return channel


async def next_question(fake: FakeSlack, channel: str, seen: int, bot: BotProcess) -> dict:
    """Waits for the question after the `seen` ones already posted."""
    try:
        return (await fake.wait_until(lambda: questions(fake, channel)[seen:], timeout=WAIT, what="the next question"))[
            0
        ]
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- log:\n{bot.log_tail()}") from None


async def test_the_card_fields_left_empty_do_not_stop_the_story_before_the_draft(
    replicas: list[BotProcess], fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    alice = Person(fake, http, "U0ALICE")
    channel = await open_with(alice, replicas[0], [])
    asked = []
    for n, step in enumerate(ANSWERS):
        bot = replicas[n % len(replicas)]
        question = await next_question(fake, channel, n, bot)
        assert QUESTIONS[step] in text_of(question), f"question {n + 1}: expected {step}, got {text_of(question)[:300]}"
        outcome = await alice.click_answer(bot, channel, question)
        assert outcome.view is not None, outcome.text
        asked.append(input_ids(outcome.view))
        raw = await alice.submit(bot, outcome.view, ANSWERS[step])
        assert raw.strip() == "", f"{step}: {raw[:500]}"
        if step == "card_bank_detail":  # the other replica's /leak-next, the moment the 200 is in
            other = replicas[(n + 1) % len(replicas)]
            after = await alice.command(other, "/leak-next", channel=channel)
            assert after.view is not None, f"/leak-next after the empty follow-up opened nothing: {after.text}"
            assert input_ids(after.view) == ["customer_actions"], input_ids(after.view)
    assert asked == list(INPUTS.values())
    draft = await fake.wait_until(lambda: drafts_in(fake, channel), timeout=WAIT, what="the draft")
    assert len(draft) == 1
    body = text_of(draft[0])
    assert "該当する項目については、現在調査中です" in body, body[:2000]
    assert "0120-000-123" in body and "身に覚えのない請求" in body
    # the fields are offered again now, among the optional items still open
    done = await alice.command(replicas[-1], "/leak-next", channel=channel)
    assert done.view is None and "必須項目はすべて回答済み" in done.text
    assert "カード・口座情報の項目" in done.text


def minutes_around(before: datetime, after: datetime) -> set[str]:
    """How the bot may have written a time taken between `before` and `after` (a minute may turn)."""
    return {format_datetime(before, "ja"), format_datetime(after, "ja")}


async def test_an_older_form_is_refused_across_replicas_and_a_fresh_one_goes_through(
    replicas: list[BotProcess], fake: FakeSlack, http: aiohttp.ClientSession
) -> None:
    alice, bob = Person(fake, http, "U0ALICE"), Person(fake, http, "U0BOB")
    first, last = replicas[0], replicas[-1]
    channel = await open_with(alice, first, ["U0BOB"])
    theirs = "架空の通販サイト「テスト商店」会員"
    mine = "架空の通販サイト「テスト商店」および「テスト書店」会員"

    alices = (await alice.command(first, "/leak-answer", "services", channel=channel)).view
    bobs = (await bob.command(last, "/leak-answer", "services", channel=channel)).view
    assert alices is not None and bobs is not None
    before = datetime.now(UTC)
    assert (await alice.submit(first, alices, {"services": theirs})).strip() == ""
    after = datetime.now(UTC)
    raw = await bob.submit(last, bobs, {"services": mine})
    reply: dict[str, Any] = json.loads(raw)
    assert reply.get("response_action") == "errors", raw
    error = reply["errors"]["services"]
    assert "U0ALICE" in error and theirs in error and mine not in error, error
    assert any(when in error for when in minutes_around(before, after)), error

    # what is stored is Alice's: a fresh form shows it, on either replica
    fresh = (await bob.command(first, "/leak-answer", "services", channel=channel)).view
    assert fresh is not None
    shown = next(b for b in fresh["blocks"] if b.get("block_id") == "services")["element"]["initial_value"]
    assert shown == theirs
    assert (await bob.submit(last, fresh, {"services": mine})).strip() == ""
    check = (await alice.command(last, "/leak-answer", "services", channel=channel)).view
    assert check is not None
    assert next(b for b in check["blocks"] if b.get("block_id") == "services")["element"]["initial_value"] == mine

    # both at the same moment, one to each replica: exactly one is accepted
    a_form = (await alice.command(first, "/leak-answer", "services", channel=channel)).view
    b_form = (await bob.command(last, "/leak-answer", "services", channel=channel)).view
    assert a_form is not None and b_form is not None
    raced = await asyncio.gather(
        alice.submit(first, a_form, {"services": theirs + "（更新A）"}),
        bob.submit(last, b_form, {"services": mine + "（更新B）"}),
    )
    accepted = [n for n, raw in enumerate(raced) if raw.strip() == ""]
    assert len(accepted) == 1, raced
    refused = json.loads(raced[1 - accepted[0]])
    winner = (theirs + "（更新A）", mine + "（更新B）")[accepted[0]]
    assert winner in refused["errors"]["services"], refused
    final = (await bob.command(first, "/leak-answer", "services", channel=channel)).view
    assert final is not None
    assert next(b for b in final["blocks"] if b.get("block_id") == "services")["element"]["initial_value"] == winner
