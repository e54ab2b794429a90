"""LOG_LEVEL and LOG_FORMAT: one JSON object per line, and never a token, a secret or an answer in the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import QUIET_LOGGERS, redact, setup
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.slack_payloads import form_body, interactive_body, slash_command, view_submission

SECRETS = ["xoxb-1234-5678-abcdefSECRET", "xapp-1-A0-99-deadbeefSECRET", "xoxp-42-userSECRET", SIGNING_SECRET]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Logging set up into a string for the test, and the process's logging restored afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_redact_replaces_every_kind_of_token_and_the_secret() -> None:
    text = " | ".join(SECRETS) + " | Bearer xoxe.xoxb-1-rotated | ordinary words stay"
    cleaned = redact(text, [SIGNING_SECRET])
    assert not any(secret in cleaned for secret in SECRETS)
    assert "xoxb-1-rotated" not in cleaned and "ordinary words stay" in cleaned
    assert redact("s is a letter", ["s"]) == "s is a letter"  # too short to be a secret worth hiding words for


def test_json_lines_carry_time_level_logger_message_and_redacted_exceptions(log_stream: io.StringIO) -> None:
    setup("DEBUG", "json", secrets=[SIGNING_SECRET], stream=log_stream)
    log = logging.getLogger("bot.example")
    log.debug("debug shows with token %s", SECRETS[0])
    log.info("secret %s in an argument", SIGNING_SECRET)
    try:
        raise RuntimeError(f"the app token {SECRETS[1]} and a user token {SECRETS[2]} in an exception")
    except RuntimeError:
        log.exception("failed")
    entries = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert [e["level"] for e in entries] == ["DEBUG", "INFO", "ERROR"]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert entries[0]["logger"] == "bot.example" and entries[0]["time"].endswith("+00:00")
    assert "RuntimeError" in entries[2]["exc_info"] and "[redacted]" in entries[2]["exc_info"]
    assert not any(secret in log_stream.getvalue() for secret in SECRETS)


def test_text_format_is_one_line_per_record(log_stream: io.StringIO) -> None:
    setup("INFO", "text", stream=log_stream)
    logging.getLogger("bot.example").debug("hidden at INFO")
    logging.getLogger("bot.example").warning("shown %s", SECRETS[0])
    assert log_stream.getvalue().count("\n") == 1
    assert " WARNING bot.example: shown [redacted]" in log_stream.getvalue()


async def test_slack_sdk_bodies_stay_out_even_at_debug(log_stream: io.StringIO, fake: FakeSlack) -> None:
    setup("DEBUG", "json", stream=log_stream)
    channel = fake.add_channel("logs", members=[fake.bot_user_id])
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
    await client.chat_postMessage(channel=channel.id, text="回答本文：架空の顧客名簿")
    logging.getLogger("bot.example").debug("leakbot's own debug still shows")
    logged = log_stream.getvalue()
    assert "回答本文" not in logged and fake.bot_token not in logged
    assert "leakbot's own debug still shows" in logged
    # without the floor slack_sdk would log the body: the assertion above can fail
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG)
    await client.chat_postMessage(channel=channel.id, text="回答本文：架空の顧客名簿")
    assert "回答本文" in log_stream.getvalue()
    assert fake.bot_token not in log_stream.getvalue()  # and its token would still be redacted


async def test_a_real_process_logs_json_without_tokens_or_answers_at_debug(fake: FakeSlack, tmp_path: Path) -> None:
    title, summary = "ログ試験の件名ZQX", "ログに出てはならない概要ZQX"
    bot = BotProcess(fake, tmp_path, LOG_LEVEL="DEBUG", LOG_FORMAT="json")
    await bot.start()
    try:
        body = form_body(
            slash_command(
                "/leak-open",
                title,
                user_id="U0ALICE",
                channel_id="C0GENERAL",
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
        )
        assert (await bot.post(body))[0] == 200
        call = await fake.wait_for("views.open", lambda c: c.ok)
        body = interactive_body(
            view_submission(fake.views[call.response["view"]["id"]], {"summary": summary}, user_id="U0ALICE")
        )
        assert (await bot.post(body))[0] == 200
        # an unsigned request is refused (and must not log its body either)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                bot.events_url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            ) as response,
        ):
            assert response.status == 401
        await fake.wait_for("pins.add", lambda c: c.ok)
        # the set-up job's own line follows its last Slack call: wait for it in the log, as an operator would
        await fake.wait_until(lambda: '"kind": "setup"' in bot.log_path.read_text(), what="the set-up job's line")
    finally:
        await bot.stop()
    output = bot.log_path.read_text()
    lines = output.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["level"] == "DEBUG" for e in entries)  # DEBUG was on
    assert any("listening" in e["message"] for e in entries)
    # what each line is about, as top-level fields: the incident's lines, the set-up job's, none elsewhere
    assert any(e.get("incident") == 1 and e["message"].startswith("view_submission leak_open") for e in entries)
    assert any((e.get("incident"), e.get("kind")) == (1, "setup") and isinstance(e.get("job"), int) for e in entries)
    assert not [e for e in entries if "listening" in e["message"] and {"incident", "job", "kind", "ref"} & set(e)]
    for forbidden in (fake.bot_token, SIGNING_SECRET, title, summary):
        assert forbidden not in output
