"""Only requests signed by Slack are obeyed; /healthz tells whether the database answers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import build, serve_http
from bot.config import ConfigError
from tests.conftest import GENERAL, Harness, settings_for
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, interactive_body, sign, slash_command, view_submission
from tests.story import SUMMARY, TITLE, Unchanged

FIVE_MINUTES = 5 * 60


async def table_counts(h: Harness) -> dict[str, int]:
    """How many rows each table holds."""
    async with h.bot.engine.connect() as connection:
        return {
            table: (await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("incidents", "revisions", "drafts")
        }


def open_command(h: Harness) -> bytes:
    """The body of `/leak-open` as Slack sends it; obeyed, it opens a modal."""
    return form_body(
        slash_command(
            "/leak-open",
            TITLE,
            user_id="U0ALICE",
            channel_id=GENERAL,
            trigger_id=h.fake.new_trigger_id(),
            response_url=h.fake.response_url(),
        )
    )


async def new_incident_submission(h: Harness) -> bytes:
    """The body of a filled-in new-incident modal; obeyed, it stores an incident and creates a channel."""
    reply = await h.command("/leak-open", TITLE)
    assert reply.status == 200
    view = await h.opened_view(1)
    payload = view_submission(view, {"summary": SUMMARY}, user_id="U0ALICE", trigger_id=h.fake.new_trigger_id())
    return interactive_body(payload)


def forged_headers(kind: str, secret: str, body: bytes) -> dict[str, str]:
    """Headers of a request that Slack did not send (or sent too long ago)."""
    now = int(time.time())
    if kind == "bad signature":
        return {"X-Slack-Signature": "v0=" + "0" * 64, "X-Slack-Request-Timestamp": str(now)}
    if kind == "another secret":
        return sign("not-the-signing-secret", body)
    if kind == "stale timestamp":
        return sign(secret, body, timestamp=now - FIVE_MINUTES - 60)
    if kind == "future timestamp":
        return sign(secret, body, timestamp=now + FIVE_MINUTES + 60)
    if kind == "signature of another body":
        return sign(secret, body + b"&text=x")
    if kind == "no signature":
        return {"X-Slack-Request-Timestamp": str(now)}
    if kind == "no timestamp":
        return {"X-Slack-Signature": sign(secret, body)["X-Slack-Signature"]}
    if kind == "no headers":
        return {}
    raise ValueError(kind)


FORGERIES = [
    "bad signature",
    "another secret",
    "stale timestamp",
    "future timestamp",
    "signature of another body",
    "no signature",
    "no timestamp",
    "no headers",
]


@pytest.mark.parametrize("kind", FORGERIES)
async def test_an_unsigned_or_badly_signed_command_gets_401_and_opens_nothing(leakbot: Harness, kind: str) -> None:
    body = open_command(leakbot)
    async with Unchanged(leakbot):  # nothing opened, posted or stored, not even after the 401
        reply = await leakbot.post(body, signed=False, headers=forged_headers(kind, leakbot.secret, body))
        assert reply.status == 401, reply
    assert leakbot.fake.calls_to("views.open") == []
    assert leakbot.fake.responses == [] and leakbot.fake.calls_to("chat.postMessage") == []
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}


@pytest.mark.parametrize("kind", FORGERIES)
async def test_a_badly_signed_modal_submission_gets_401_and_stores_nothing(leakbot: Harness, kind: str) -> None:
    body = await new_incident_submission(leakbot)
    async with Unchanged(leakbot):  # nothing stored, created or updated, not even after the 401
        reply = await leakbot.post(body, signed=False, headers=forged_headers(kind, leakbot.secret, body))
        assert reply.status == 401, reply
    assert await table_counts(leakbot) == {"incidents": 0, "revisions": 0, "drafts": 0}
    assert leakbot.fake.calls_to("conversations.create") == [] and leakbot.fake.calls_to("views.update") == []
    assert len(leakbot.fake.calls_to("views.open")) == 1  # only the genuine /leak-open that made the modal
    # the same body, signed by Slack, is obeyed: the refusal was about the signature only
    reply = await leakbot.post(body)
    assert reply.status == 200 and reply.body["response_action"] == "update"
    await leakbot.fake.wait_for("views.update", lambda c: "<#C" in str(c.args.get("view")))  # "channel created"
    assert (await table_counts(leakbot))["incidents"] == 1


async def test_a_signed_command_is_obeyed(leakbot: Harness) -> None:
    reply = await leakbot.post(open_command(leakbot))
    assert reply.status == 200
    call = await leakbot.fake.wait_for("views.open")
    assert call.ok


async def test_a_timestamp_just_inside_five_minutes_is_accepted(leakbot: Harness) -> None:
    body = open_command(leakbot)
    reply = await leakbot.post(body, signed=False, headers=sign(leakbot.secret, body, timestamp=int(time.time()) - 240))
    assert reply.status == 200
    assert (await leakbot.fake.wait_for("views.open")).ok


async def test_a_replayed_signature_with_a_changed_body_is_refused(leakbot: Harness) -> None:
    """Someone who saw one signed request cannot reuse its headers for another body."""
    seen = open_command(leakbot)
    headers = sign(leakbot.secret, seen)
    other = form_body(
        slash_command(
            "/leak-open",
            "偽の起票",
            user_id="U0DAVE",
            channel_id=GENERAL,
            trigger_id=leakbot.fake.new_trigger_id(),
            response_url=leakbot.fake.response_url(),
        )
    )
    async with Unchanged(leakbot):
        reply = await leakbot.post(other, signed=False, headers=headers)
        assert reply.status == 401
    assert leakbot.fake.calls_to("views.open") == []


def garbled_timestamp(h: Harness, body: bytes) -> dict[str, str]:
    """Headers whose timestamp is not a number at all (not something Slack sends)."""
    return {"X-Slack-Signature": sign(h.secret, body)["X-Slack-Signature"], "X-Slack-Request-Timestamp": "abc"}


async def test_a_non_numeric_timestamp_gets_401(leakbot: Harness) -> None:
    body = open_command(leakbot)
    reply = await leakbot.post(body, signed=False, headers=garbled_timestamp(leakbot, body))
    assert reply.status == 401, reply


async def test_an_unverified_request_makes_the_bot_send_nothing_anywhere(leakbot: Harness) -> None:
    body = open_command(leakbot)  # its response_url could point anywhere; here it is the fake's
    async with Unchanged(leakbot):
        await leakbot.post(body, signed=False, headers=garbled_timestamp(leakbot, body))
    assert leakbot.fake.responses == []
    assert leakbot.fake.calls_to("views.open") == []


async def test_an_unsigned_request_with_a_malformed_payload_gets_401(leakbot: Harness) -> None:
    reply = await leakbot.post(b"payload=%7Bnot-json", signed=False)
    assert reply.status == 401, reply


# --------------------------------------------------------------------------------- /healthz


async def health(h: Harness) -> tuple[int, Any]:
    async with h.http.get(h.url + "/healthz") as response:
        return response.status, await response.json(content_type=None)


def break_sqlite(database_url: str) -> None:
    """Puts a directory where the SQLite file was: the database can no longer be opened at all."""
    path = Path(database_url.split(":///", 1)[1])
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    path.mkdir()


async def test_healthz_answers_200_while_the_database_answers(leakbot: Harness) -> None:
    status, body = await health(leakbot)
    assert status == 200 and body["ok"] is True


async def test_healthz_answers_503_once_the_database_is_gone(sqlite_leakbot: Harness, sqlite_url: str) -> None:
    leakbot, database_url = sqlite_leakbot, sqlite_url
    assert (await health(leakbot))[0] == 200
    await leakbot.bot.engine.dispose()  # drop the open connections, as a restart of the database would
    break_sqlite(database_url)
    status, body = await health(leakbot)
    assert status == 503 and body["ok"] is False
    # and it does not get better by itself while the database stays unreachable
    assert (await health(leakbot))[0] == 503
    await leakbot.bot.engine.dispose()


async def test_healthz_recovers_when_the_database_is_back(sqlite_leakbot: Harness, sqlite_url: str) -> None:
    leakbot, database_url = sqlite_leakbot, sqlite_url
    await leakbot.bot.engine.dispose()
    break_sqlite(database_url)
    assert (await health(leakbot))[0] == 503
    await asyncio.to_thread(Path(database_url.split(":///", 1)[1]).rmdir)
    assert (await health(leakbot))[0] == 200
    await leakbot.bot.engine.dispose()


@pytest.fixture
async def unreachable(fake: FakeSlack, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot served over HTTP with a DATABASE_URL naming a directory, which SQLite cannot open."""
    (tmp_path / "db-is-a-directory").mkdir()
    settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'db-is-a-directory'}")
    bot = build(settings)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        await bot.start()  # creating the tables fails: the database does not answer (one line, no traceback)
    runner = await serve_http(bot, host="127.0.0.1", port=0)
    http = aiohttp.ClientSession()
    try:
        yield Harness(fake, bot, None, f"http://127.0.0.1:{runner.addresses[0][1]}", http)  # type: ignore[arg-type]
    finally:
        await http.close()
        await runner.cleanup()
        await bot.stop()
        await bot.engine.dispose()


async def test_healthz_answers_503_when_the_database_cannot_be_opened(unreachable: Harness) -> None:
    status, body = await health(unreachable)
    assert status == 503 and body["ok"] is False


async def test_signatures_are_still_checked_when_the_database_cannot_be_opened(unreachable: Harness) -> None:
    body = open_command(unreachable)
    assert (await unreachable.post(body, signed=False)).status == 401
    assert (await unreachable.post(body)).status == 200  # answered; the signature was checked without storage
    # /leak-open records the form it opens (only a form the bot opened for that person opens an incident),
    # so without a database the person is told it failed, and no form opens
    [(_, told)] = await unreachable.fake.wait_until(lambda: unreachable.fake.responses, what="the failure told")
    assert told["response_type"] == "ephemeral" and not unreachable.fake.calls_to("views.open")
