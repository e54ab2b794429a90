"""Black-box: a real leakbot process (`python -m bot`) is given a card number typed with U+2212 (what a
Japanese IME gives for a minus) and a My Number written with ー on every surface an attacker can reach by
signed HTTP. Each is refused with its reason; afterwards neither the SQLite file, its write-ahead log
(-wal, -shm), the process's log nor anything the fake Slack received holds the digits, in any encoding."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.documents import docx_text
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import interactive_body, message_shortcut
from tests.story import text_of
from tests.test_read_your_writes import STEPS, USER, WAIT, Person, answers_for, drafts_in
from tests.test_screen import with_luhn, with_my_number_check

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="real processes with POSIX signals")

DIGITS = with_luhn("453914880343646")  # an invented card number: Luhn-valid, 16 digits
TYPED = "\u2212".join(DIGITS[i : i + 4] for i in range(0, 16, 4))
TITLE = "架空の漏えい事案（スクリーン）"
MY_DIGITS = with_my_number_check("87654321098")
MY_TYPED = "\u30fc".join(MY_DIGITS[i : i + 4] for i in range(0, 12, 4))


def encodings(digits: str, typed: str) -> list[bytes]:
    """The ways a number could sit in a file: plain, as typed (UTF-8, UTF-16), JSON-escaped, with ASCII hyphens."""
    escaped = json.dumps(typed)[1:-1]  # 4539\u22121488…
    forms = [digits, typed, escaped, typed.replace("\u2212", "-").replace("\u30fc", "-")]
    return [f.encode("utf-8") for f in forms] + [f.encode("utf-16-le") for f in (digits, typed)]


def leaks(data: bytes) -> list[bytes]:
    found = [form for digits, typed in ((DIGITS, TYPED), (MY_DIGITS, MY_TYPED)) for form in encodings(digits, typed)]
    return [form for form in found if form in data]


def database_files(folder: Path) -> dict[str, bytes]:
    """The SQLite file and its -wal and -shm, as they are on disk now."""
    return {path.name: path.read_bytes() for path in sorted(folder.glob("leakbot.db*"))}


def found(text: str, files: dict[str, bytes]) -> bool:
    """True when the text is in one of the files, as UTF-8 or as the JSON of a stored value."""
    data = b"".join(files.values())
    return text.encode() in data or json.dumps(text)[1:-1].encode() in data


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


def said(reply: dict | None) -> str:
    return json.dumps(reply or {}, ensure_ascii=False)


async def test_a_card_number_typed_with_a_minus_sign_is_nowhere_afterwards(
    fake: FakeSlack, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    bot = BotProcess(fake, tmp_path, LOG_LEVEL="DEBUG")
    await bot.start()
    try:
        alice = Person(fake, http)
        # /leak-open with the number as its title: refused, no modal
        outcome = await alice.command(bot, "/leak-open", f"カード {TYPED} の件")
        assert outcome.view is None and "カード番号を書かないで" in said(outcome.reply)
        # the new-incident modal: title and summary refused under their fields
        outcome = await alice.command(bot, "/leak-open")
        assert outcome.view is not None
        raw = await alice.submit(bot, outcome.view, {"title": f"番号 {TYPED}", "summary": f"個人番号 {MY_TYPED}"})
        assert set(json.loads(raw)["errors"]) == {"title", "summary"}, raw
        channel = await alice.open_incident(bot, TITLE, "テスト用に作った架空の事案。")
        # an answer
        outcome = await alice.command(bot, "/leak-next", channel=channel)
        assert outcome.view is not None
        raw = await alice.submit(bot, outcome.view, {"data_items": ["name"], "data_items_other": f"カード {TYPED}"})
        assert "カード番号を書かないで" in json.loads(raw)["errors"]["data_items_other"], raw
        # the timeline, by command and by message shortcut; a command echo
        outcome = await alice.command(bot, "/leak-timeline", f"{TYPED} が使われた", channel=channel)
        assert "カード番号を書かないで" in said(outcome.reply)
        outcome = await alice.command(bot, "/leak-answer", MY_TYPED, channel=channel)
        assert "マイナンバー" in said(outcome.reply)
        general = fake.channel_by_name("general")
        assert general is not None
        for callback, where in (("leak_add_to_timeline", channel), ("leak_open_from_message", general.id)):
            message = fake.add_message(where, f"決済ログに {TYPED} / {MY_TYPED}", user="U0BOB")
            before = (len(fake.responses), len(fake.calls_to("views.open")))
            payload = message_shortcut(
                callback,
                user_id=USER,
                channel_id=where,
                message=message,
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
            status, _ = await bot.post(interactive_body(payload), http=http)
            assert status == 200
            await fake.wait_until(
                lambda b=before: len(fake.responses) > b[0] or len(fake.calls_to("views.open")) > b[1],
                timeout=WAIT,
                what=f"the answer to {callback}",
            )
        told = said(fake.responses[-1][1]) + json.dumps(fake.calls_to("views.open")[-1].args, ensure_ascii=False)
        assert told.count("書かないで") == 2, told

        # while it runs: the database, its write-ahead log and shared memory, and the log
        files = database_files(tmp_path)
        assert {"leakbot.db", "leakbot.db-wal"} <= set(files), list(files)
        assert found(TITLE, files)  # what was accepted is there to be found
        assert {name: leaks(data) for name, data in files.items() if leaks(data)} == {}
    finally:
        await bot.stop()
    files = database_files(tmp_path)  # and after it stopped (the WAL checkpointed into the file)
    assert found(TITLE, files)
    assert {name: leaks(data) for name, data in files.items() if leaks(data)} == {}
    log = bot.log_path.read_bytes()
    assert log and leaks(log) == [] and DIGITS.encode() not in re.sub(rb"\D", b"", log)
    sent = json.dumps([c.args for c in fake.calls] + [r for _, r in fake.responses], ensure_ascii=False)
    assert not any(d in re.sub(r"\D", "", sent) for d in (DIGITS, MY_DIGITS))


async def test_nul_and_control_characters_get_a_field_error_not_a_500_on_either_database(
    fake: FakeSlack, tmp_path: Path, database_url: str, http: aiohttp.ClientSession
) -> None:
    """A NUL in an answer gave HTTP 500 on every try on PostgreSQL: now a modal error on both, and the same
    answer without it is taken."""
    bot = BotProcess(fake, tmp_path, database_url=database_url)
    await bot.start()
    try:
        alice = Person(fake, http)
        outcome = await alice.command(bot, "/leak-open")
        assert outcome.view is not None
        raw = await alice.submit(bot, outcome.view, {"title": "NUL\x00入り", "summary": "制御\x1b[2J文字"})
        assert set(json.loads(raw)["errors"]) == {"title", "summary"}, raw
        assert "制御文字" in json.loads(raw)["errors"]["title"]
        channel = await alice.open_incident(bot, TITLE, "テスト用に作った架空の事案。")
        outcome = await alice.command(bot, "/leak-next", channel=channel)
        assert outcome.view is not None
        for bad in ("会員番号\x00", "\x7f", "ベル\x07", "次\x85行"):
            raw = await alice.submit(bot, outcome.view, {"data_items": ["name"], "data_items_other": bad})
            assert "制御文字" in json.loads(raw)["errors"]["data_items_other"], (ascii(bad), raw)
        outcome = await alice.command(bot, "/leak-timeline", "NUL\x00の経緯", channel=channel)
        assert "制御文字" in said(outcome.reply)
        outcome = await alice.command(bot, "/leak-next", channel=channel)
        assert outcome.view is not None
        updates = len(fake.calls_to("chat.update"))
        raw = await alice.submit(bot, outcome.view, {"data_items": ["name"], "data_items_other": "会員番号\n\t学年"})
        assert raw.strip() == "", raw
        await fake.wait_for("chat.update", count=updates + 1, timeout=WAIT)  # the checklist shows the answer
    finally:
        await bot.stop()
    assert "Traceback" not in bot.log_path.read_text(errors="replace")


async def test_typed_links_and_mentions_reach_canvas_markdown_and_word_as_typed(
    fake: FakeSlack, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    phish, mention = "[公式窓口](https://evil.example/phish)", "<!channel>"
    typed = f"架空お客様窓口 {phish} {mention} 0120-000-000"
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    try:
        alice = Person(fake, http)
        channel = await alice.open_incident(bot, TITLE, "テスト用に作った架空の事案。")
        answers = answers_for(1) | {"contact": {"contact": typed}}
        for step in STEPS:
            outcome = await alice.command(bot, "/leak-next", channel=channel)
            assert outcome.view is not None, outcome.text
            assert (await alice.submit(bot, outcome.view, answers[step.name])).strip() == ""
        names = {"leak-1-public-v1.md", "leak-1-public-v1.docx"}
        files = await fake.wait_until(
            lambda: (
                shared
                if names <= set(shared := {f["name"]: f for f in fake.files.values() if channel in f["channels"]})
                else None
            ),
            timeout=WAIT,
            what="the .md and .docx of the first draft",
        )
        canvas = await fake.wait_until(lambda: fake.channel_canvas(channel), timeout=WAIT, what="the canvas")
    finally:
        await bot.stop()
    for markdown in (files["leak-1-public-v1.md"]["content"].decode(), canvas["markdown"]):
        assert phish not in markdown and mention not in markdown  # no live link, no raw mention
        assert typed in re.sub(r"\\(.)", r"\1", markdown)  # and read as Markdown, exactly what was typed
    assert any(typed in line for line in docx_text(files["leak-1-public-v1.docx"]["content"]))
    for message in drafts_in(fake, channel):
        assert mention not in text_of(message) and "&lt;!channel&gt;" in text_of(message)
