"""The screen (bot.text.screen) on every surface where people type, through signed HTTP and the fake Slack:
a card number written with U+2212 (what a Japanese IME gives for a minus) or a My Number is refused with
the reason, under the field (modals) or privately (commands, shortcuts), and nothing of it is stored
(any table, job payloads included) or sent to Slack. NUL and lone surrogates are refused the same way on
SQLite and PostgreSQL. Typed links and mentions reach the canvas, the .md and the .docx as typed."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from hypothesis import given, settings
from sqlalchemy import select

from bot.documents import docx_text
from bot.i18n import t
from bot.ui.ids import TIMELINE_AT_BLOCK, TIMELINE_TEXT_BLOCK
from storage.models import Base
from tests.conftest import GENERAL, START, Harness
from tests.review_story import ALICE, BOB, CAROL, buttons, decide, name_reviewers, ready, request_for
from tests.slack_payloads import interactive_body, message_shortcut, view_submission
from tests.story import ANSWERS, SUMMARY, Unchanged, answer, messages, open_incident, open_step
from tests.test_desk_timeline_modal import entry_modal
from tests.test_screen import cards_as_typed, my_numbers_as_typed

CARD = "4111\u22121111\u22121111\u22121111"  # a test card number, as a Japanese IME types its minus
CARD_DIGITS = "4111111111111111"
MY_NUMBER = "1234\u30fc5678\u30fc9018"  # an invented My Number with a valid check digit, written with ー
MY_NUMBER_DIGITS = "123456789018"
SECRET_DIGITS = (CARD_DIGITS, MY_NUMBER_DIGITS)


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


async def everything_stored(h: Harness) -> str:
    """Every row of every table (job payloads, views, revisions, the timeline, review …) as text."""
    rows = []
    async with h.bot.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows.append(repr((await connection.execute(select(table))).all()))
    return "\n".join(rows)


async def held_nowhere(h: Harness, secrets: tuple[str, ...] = SECRET_DIGITS) -> None:
    """No secret digits in the database (whatever separators), nor in anything the bot sent to Slack."""
    stored = digits_of(await everything_stored(h))
    sent = digits_of(json.dumps([c.args for c in h.fake.calls] + [r for _, r in h.fake.responses], ensure_ascii=False))
    for digits in secrets:
        assert digits not in stored and digits not in sent


def refusal(key: str) -> str:
    return t(key, "ja")


# --- answers and the new-incident modal ----------------------------------------------------------------


async def test_an_answer_with_a_card_number_is_refused_under_its_field(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)  # data items, with the free-text "other"
    async with Unchanged(h):
        reply = await h.submit(view, {"data_items": ["name"], "data_items_other": f"カード番号 {CARD}"})
    assert reply.body == {"response_action": "errors", "errors": {"data_items_other": refusal("error.secret.card")}}
    await answer(h, channel, ANSWERS[0][1], view=view)
    view = await open_step(h, channel)  # the counts: a My Number is a twelve-digit "count"
    async with Unchanged(h):
        reply = await h.submit(view, {"max_count": MY_NUMBER, "confirmed_count": "1"})
    assert reply.body["errors"] == {"max_count": refusal("error.secret.my_number")}
    await answer(h, channel, ANSWERS[1][1], view=view)
    view = await open_step(h, channel)
    async with Unchanged(h):
        reply = await h.submit(view, {"services": f"返金先のカード\n{CARD}\nを確認"})
    assert reply.body["errors"] == {"services": refusal("error.secret.card")}
    await held_nowhere(h)


def generated(strategy: Any, count: int) -> list[tuple[str, str]]:
    """`count` examples of a hypothesis strategy (the property tests' numbers), drawn as hypothesis draws them."""
    found: list[tuple[str, str]] = []

    @settings(max_examples=count, database=None, deadline=None)
    @given(strategy)
    def draw(example: tuple[str, str]) -> None:
        found.append(example)

    draw()
    return found


async def test_generated_numbers_typed_into_an_answer_are_each_refused_and_stored_nowhere(
    sqlite_leakbot: Harness,
) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    numbers = generated(cards_as_typed(), 40) + generated(my_numbers_as_typed(), 20)
    async with Unchanged(h):
        for _digits, typed in numbers:
            reply = await h.submit(view, {"data_items": ["name"], "data_items_other": f"漏えい項目 {typed} ほか"})
            assert reply.body["response_action"] == "errors", ascii(typed)
            assert "書かないでください" in reply.body["errors"]["data_items_other"]
    await held_nowhere(h, tuple(digits for digits, _ in numbers if len(set(digits)) > 1))


async def test_the_new_incident_modal_refuses_secrets_in_title_and_summary(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    view = await h.modal("/leak-open")
    async with Unchanged(h):
        reply = await h.submit(view, {"title": f"カード {CARD} 流出", "summary": f"個人番号 {MY_NUMBER} を含む"})
    assert reply.body == {
        "response_action": "errors",
        "errors": {"title": refusal("error.secret.card"), "summary": refusal("error.secret.my_number")},
    }
    assert await h.stored.incident(1) is None
    await held_nowhere(h)


async def test_leak_open_with_a_card_number_as_title_opens_nothing_and_says_why(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-open", f"顧客 {CARD} の件")
    assert "「件名」" in reply.text and "カード番号を書かないで" in reply.text
    assert h.fake.calls_to("views.open") == []  # the title is not sent back to Slack in a modal
    await held_nowhere(h)


async def test_leak_answer_and_leak_draft_do_not_say_a_card_number_back(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    for command in ("/leak-answer", "/leak-draft"):
        async with Unchanged(h, told=True):
            reply = await h.reply(command, CARD, channel=channel)
        assert command in reply.text and "カード番号を書かないで" in reply.text, reply.text
    await held_nowhere(h)


# --- messages brought in by the shortcuts --------------------------------------------------------------


async def test_the_message_shortcut_does_not_prefill_a_card_number(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    general = h.fake.channel_by_name("general")
    assert general is not None
    message = h.fake.add_message(general.id, f"お客様から電話。カード {CARD} が使われたとのこと", user="U0BOB")
    payload = message_shortcut(
        "leak_open_from_message",
        user_id=ALICE,
        channel_id=general.id,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    reply = await h.post(interactive_body(payload))
    assert reply.status == 200 and reply.body is None
    opened = await h.fake.wait_for("views.open")
    shown = json.dumps(opened.args["view"], ensure_ascii=False)
    assert "取り込めません" in shown and "カード番号を書かないで" in shown
    assert not [b for b in opened.args["view"]["blocks"] if b.get("type") == "input"]  # a notice, not the form
    await held_nowhere(h)


async def test_the_timeline_shortcut_refuses_a_message_with_a_card_number(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h, responders=[BOB])
    message = h.fake.add_message(channel, f"決済ログに {CARD} が残っていた", user=BOB)
    payload = message_shortcut(
        "leak_add_to_timeline",
        user_id=ALICE,
        channel_id=channel,
        message=message,
        trigger_id=h.fake.new_trigger_id(),
        response_url=h.fake.response_url(),
    )
    async with Unchanged(h, told=True):
        reply = await h.post(interactive_body(payload))
        assert reply.status == 200
        await h.fake.wait_until(lambda: h.fake.responses, what="the reply to the shortcut")
    assert "カード番号を書かないで" in json.dumps(h.fake.responses[-1][1], ensure_ascii=False)
    async with h.bot.repo.read() as tx:
        assert await tx.timeline(1) == []
    await held_nowhere(h)


# --- the timeline ---------------------------------------------------------------------------------------


async def test_the_timeline_command_and_modal_refuse_a_card_number(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h, responders=[BOB])
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-timeline", f"10:05 顧客から {CARD} の不正利用の連絡", channel=channel)
    assert "カード番号を書かないで" in reply.text
    view = await entry_modal(h, channel)
    async with Unchanged(h):
        reply = await h.submit(view, {TIMELINE_AT_BLOCK: h.clock.now(), TIMELINE_TEXT_BLOCK: f"番号 {MY_NUMBER}"})
    assert reply.body == {
        "response_action": "errors",
        "errors": {TIMELINE_TEXT_BLOCK: refusal("error.secret.my_number")},
    }
    async with h.bot.repo.read() as tx:
        assert await tx.timeline(1) == []
    await held_nowhere(h)


# --- review comments and publication URLs --------------------------------------------------------------


def value_of(message: dict[str, Any], action_id: str) -> str:
    return str(buttons(message, action_id)[0]["value"])


async def test_review_comments_and_publication_urls_are_screened(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await ready(h)
    await name_reviewers(h, channel, {"public": [ALICE, BOB]})
    request = await request_for(h, channel, 1)
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await h.click("leak_request_changes", value_of(request, "leak_request_changes"), user=BOB, channel=channel)
    view = await h.opened_view(opened + 1)
    async with Unchanged(h):
        reply = await h.submit(view, {"comment": f"返金は {CARD} へ、と書いてください"}, user=BOB)
    assert reply.body == {"response_action": "errors", "errors": {"comment": refusal("error.secret.card")}}
    async with h.bot.repo.read() as tx:
        assert await tx.decisions(1) == []

    for reviewer in (ALICE, BOB):  # refused, Bob can still decide
        await decide(h, "leak_approve", value_of(request, "leak_approve"), user=reviewer, channel=channel)
    offer = await h.fake.wait_until(
        lambda: next((m for m in messages(h, channel) if buttons(m, "leak_publish")), None), what="the publish button"
    )
    opened = len([c for c in h.fake.calls_to("views.open") if c.ok])
    await h.click("leak_publish", value_of(offer, "leak_publish"), user=CAROL, channel=channel)
    view = await h.opened_view(opened + 1)
    when = START + timedelta(days=1)
    async with Unchanged(h):
        reply = await h.submit(
            view,
            {
                "published_at": when,
                "published_how": "web",
                "published_url": "https://example.com/p/4111-1111-1111-1111",
            },
            user=CAROL,
        )
    assert reply.body == {"response_action": "errors", "errors": {"published_url": refusal("error.secret.card")}}
    async with h.bot.repo.read() as tx:
        assert await tx.publications(1) == []
    await held_nowhere(h)


# --- bytes a database cannot store: the same refusal on SQLite and PostgreSQL ---------------------------


async def test_nul_and_control_characters_are_refused_on_both_databases(leakbot: Harness) -> None:
    h = leakbot
    view = await h.modal("/leak-open")
    async with Unchanged(h):
        reply = await h.submit(view, {"title": "流出\x00疑い", "summary": SUMMARY})
    assert reply.status == 200 and reply.body == {
        "response_action": "errors",
        "errors": {"title": refusal("error.control")},
    }
    channel = await open_incident(h, responders=[BOB])
    step = await open_step(h, channel)
    for bad in ("保護者\x00の氏名", "ベル\x07", "エスケープ\x1b[31m", "\x7f"):
        async with Unchanged(h):
            reply = await h.submit(step, {"data_items": ["name"], "data_items_other": bad})
        assert reply.status == 200 and reply.body["errors"] == {"data_items_other": refusal("error.control")}, bad
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-timeline", "NUL\x00入り", channel=channel)
    assert "制御文字" in reply.text
    # line breaks and tabs are text, and stored alike on both databases
    await answer(h, channel, {"data_items": ["name"], "data_items_other": "保護者の氏名\n\t学校名\r\n学年"}, view=step)
    assert (await h.stored.answers(1))["data_items"].value["other"] == "保護者の氏名\n\t学校名\r\n学年"


async def test_a_lone_surrogate_is_refused_on_both_databases(leakbot: Harness) -> None:
    h = leakbot
    view = await h.modal("/leak-open")
    payload = view_submission(
        view, {"title": "サロゲート", "summary": "\ud800 単独"}, user_id=ALICE, trigger_id=h.fake.new_trigger_id()
    )
    body = urlencode({"payload": json.dumps(payload)}).encode()  # JSON escapes it as \ud800, as a client may
    async with Unchanged(h):
        reply = await h.post(body)
    assert reply.status == 200 and reply.body == {
        "response_action": "errors",
        "errors": {"summary": refusal("error.control")},
    }


# --- text is shown, never followed -----------------------------------------------------------------------

PHISH = "[公式窓口](https://evil.example/phish)"
MENTION = "<!channel>"


async def test_typed_links_and_mentions_reach_canvas_markdown_and_word_as_typed(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    typed = f"ご不明点は {PHISH} まで {MENTION} <@U0DAVE> **至急**"
    for step, values in ANSWERS:
        await answer(h, channel, {"contact": typed} if step == "contact" else values)
    files = await h.fake.wait_until(
        lambda: (
            found
            if {"leak-1-public-v1.md", "leak-1-public-v1.docx"}
            <= set(found := {f["name"]: f for f in h.fake.files.values() if channel in f["channels"]})
            else None
        ),
        what="the .md and .docx files",
    )
    canvas = await h.fake.wait_until(lambda: h.fake.channel_canvas(channel), what="the canvas")
    for markdown in (files["leak-1-public-v1.md"]["content"].decode(), canvas["markdown"]):
        assert PHISH not in markdown and "](https://evil.example" not in markdown.replace("\\]", "")
        assert MENTION not in markdown and "<@U0DAVE>" not in markdown and "**至急**" not in markdown
        # every escaped character shows as typed once the backslashes are read
        assert typed in re.sub(r"\\(.)", r"\1", markdown)
    assert any(typed in line for line in docx_text(files["leak-1-public-v1.docx"]["content"]))
    posted = [
        c for c in h.fake.calls_to("chat.postMessage") if "evil.example" in json.dumps(c.args, ensure_ascii=False)
    ]
    assert posted  # the draft message: mrkdwn-escaped, so no mention and no link
    for call in posted:
        said = json.dumps(call.args, ensure_ascii=False)
        assert MENTION not in said and "&lt;!channel&gt;" in said and "<@U0DAVE>" not in said


async def test_a_my_number_as_title_is_refused_without_being_said_back(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    async with Unchanged(h, told=True):
        reply = await h.reply("/leak-open", f"番号 {MY_NUMBER}", channel=GENERAL)
    assert (
        "マイナンバー" in reply.text and MY_NUMBER not in reply.text and MY_NUMBER_DIGITS not in digits_of(reply.text)
    )
