"""Start-up says what is wrong in one line: a refused or blank token, a database that cannot be opened, a
Slack that does not answer yet (then the bot keeps running and /healthz says why), and no warning of
Bolt's on every start. In-process where the answer needs no process; a real one for exit statuses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import Leakbot, _serve, build, serve_http
from bot.cli import main
from bot.config import PLACEHOLDERS, ConfigError
from tests.conftest import SIGNING_SECRET, settings_for
from tests.fake_slack import FakeSlack
from tests.processes import CONFIG_VARS, BotProcess, free_port

REFUSALS = ["invalid_auth", "token_revoked", "account_inactive", "not_authed"]


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """An operator's shell in an empty folder: no leakbot variable set, no .env; the logging that
    `main` sets up is put back afterwards."""
    for variable in CONFIG_VARS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield monkeypatch
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------------- blank token bodies


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("SLACK_BOT_TOKEN", "xoxb-", "has nothing after xoxb-"),
        ("SLACK_BOT_TOKEN", "xoxb-   ", "has nothing after xoxb-"),
        ("SLACK_BOT_TOKEN", "xoxb-12 34", "holds a blank"),
        ("SLACK_APP_TOKEN", "xapp-", "has nothing after xapp-"),
        ("SLACK_APP_TOKEN", "xapp-  ", "has nothing after xapp-"),
        # .env.example copied and not filled in
        ("SLACK_BOT_TOKEN", "xoxb-your-bot-token", "is still the placeholder of .env.example"),
        ("SLACK_APP_TOKEN", "xapp-your-app-token", "is still the placeholder of .env.example"),
        ("SLACK_SIGNING_SECRET", "your-signing-secret", "is still the placeholder of .env.example"),
        ("SLACK_BOT_TOKEN", "xoxb-...", "is still the placeholder of .env.example"),
    ],
)
@pytest.mark.parametrize("command", [[], ["check"]], ids=["start", "check"])
def test_a_token_without_a_body_is_refused_in_one_line(
    operator: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variable: str,
    value: str,
    problem: str,
    command: list[str],
) -> None:
    operator.setenv("SLACK_BOT_TOKEN", "xoxb-1-fictional")
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    operator.setenv(variable, value)
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = one_line(err)
    assert line.startswith(f"leakbot: {variable} {problem}"), line
    assert "set it to" in line  # and what to do
    assert list(tmp_path.iterdir()) == []  # nothing started: no database made


def test_every_placeholder_of_env_example_is_refused() -> None:
    """The placeholders the refusal knows are the ones .env.example ships (commented or not)."""
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text(encoding="utf-8")
    shipped = {
        line.lstrip("# ").split("=", 1)[1]
        for line in example.splitlines()
        if line.lstrip("# ").startswith(("SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN=", "SLACK_SIGNING_SECRET="))
    }
    assert shipped
    assert shipped <= PLACEHOLDERS


def test_a_blank_bot_token_is_not_set(operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    operator.setenv("SLACK_BOT_TOKEN", "   ")
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    assert main([]) == 2
    assert one_line(capsys.readouterr().err).startswith("leakbot: SLACK_BOT_TOKEN is not set: set it to")


# ------------------------------------------------------------------------ a refused bot token at start


@pytest.mark.parametrize("code", REFUSALS)
async def test_a_refused_bot_token_stops_the_start_naming_it(fake: FakeSlack, tmp_path: Path, code: str) -> None:
    fake.fail("auth.test", code)
    bot = build(settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}"))
    try:
        with pytest.raises(ConfigError) as raised:
            await bot.start()
    finally:
        await bot.stop()
    assert str(raised.value).startswith(f"SLACK_BOT_TOKEN was refused by Slack ({code}): set it to the bot token")
    assert not bot.worker.running
    assert [c.method for c in fake.calls] == ["auth.test"]  # nothing else was asked of Slack


async def test_a_refused_bot_token_stops_socket_mode_before_it_connects(fake: FakeSlack, tmp_path: Path) -> None:
    fake.fail("auth.test", "token_revoked")
    settings = settings_for(
        fake,
        f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}",
        slack_signing_secret="",
        slack_app_token=fake.app_token,
        port=free_port(),
    )
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN was refused by Slack \(token_revoked\)"):
        await asyncio.wait_for(_serve(build(settings), settings), 30)
    assert [c.method for c in fake.calls] == ["auth.test"]  # no Socket Mode connection was opened


@pytest.mark.parametrize("socket_mode", [False, True], ids=["HTTP", "Socket Mode"])
async def test_a_real_start_with_a_revoked_bot_token_exits_2_with_one_line(
    fake: FakeSlack, tmp_path: Path, socket_mode: bool
) -> None:
    fake.fail("auth.test", "token_revoked")
    bot = BotProcess(fake, tmp_path)
    if socket_mode:
        bot.env.update(SLACK_APP_TOKEN=fake.app_token)
        del bot.env["SLACK_SIGNING_SECRET"]
    line = await bot.refused_start()
    log = bot.log_path.read_text()
    assert line.startswith("leakbot: SLACK_BOT_TOKEN was refused by Slack (token_revoked): set it to"), line
    assert "will be ignored" not in log and "will be unused" not in log  # no Bolt warning
    assert fake.bot_token not in log
    assert not fake.calls_to("apps.connections.open")


# ------------------------------------------------------------------- Slack that does not answer at start


async def health(http: aiohttp.ClientSession, url: str, *, verbose: bool = False) -> tuple[int, dict[str, Any]]:
    async with http.get(url + "/healthz" + ("?verbose=1" if verbose else "")) as response:
        return response.status, await response.json()


async def started(fake: FakeSlack, tmp_path: Path, **overrides: Any) -> tuple[Leakbot, Any, str]:
    bot = build(settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}", **overrides), slack_timeout=1)
    bot.identity.wait_first = 0.05
    await bot.start(sweeps=False)
    runner = await serve_http(bot, host="127.0.0.1", port=0)
    return bot, runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 503, "times": 3}, "HTTP 503"),
        ({"error": "internal_error", "times": 3}, "internal_error"),
        ({"error": None, "delay": 3, "times": 2}, "TimeoutError"),
    ],
    ids=["5xx", "error", "timeout"],
)
async def test_a_slack_that_does_not_answer_at_start_is_asked_again_and_healthz_says_so(
    fake: FakeSlack, tmp_path: Path, fault: dict[str, Any], reason: str
) -> None:
    fake.fail("auth.test", **fault)
    bot, runner, url = await started(fake, tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            status, body = await health(http, url)
            assert status == 503, body
            assert body == {"ok": False, "error": f"Slack has not answered auth.test yet ({reason})"}
            await fake.wait_for("auth.test", lambda c: c.ok)  # asked again, with a growing wait, until it answers
            assert await health(http, url) == (200, {"ok": True})
    finally:
        await runner.cleanup()
        await bot.stop()
    assert bot.identity.team_id == fake.team_id


async def test_a_slack_that_refuses_connections_keeps_the_bot_running_with_the_reason_in_healthz(
    fake: FakeSlack, tmp_path: Path
) -> None:
    bot, runner, url = await started(fake, tmp_path, slack_api_url=f"http://127.0.0.1:{free_port()}/api/")
    try:
        async with aiohttp.ClientSession() as http:
            status, body = await health(http, url, verbose=True)
        assert status == 503
        assert body["error"].startswith("Slack has not answered auth.test yet (")
        checks = {check["name"]: check for check in body["checks"]}
        assert checks["database"]["ok"] and not checks["bot token"]["ok"]
        assert "cannot reach Slack" in checks["bot token"]["detail"]
        assert bot.worker.running  # the bot keeps running: Slack may come back
    finally:
        await runner.cleanup()
        await bot.stop()


async def test_a_bot_token_refused_once_slack_answers_ends_the_bot(fake: FakeSlack, tmp_path: Path) -> None:
    fake.fail("auth.test", status=502)
    fake.fail("auth.test", "invalid_auth")
    settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}", port=free_port())
    bot = build(settings)
    bot.identity.wait_first = 0.05
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)"):
        await asyncio.wait_for(_serve(bot, settings), 30)
    assert [c.ok for c in fake.calls_to("auth.test")] == [False, False]


# ---------------------------------------------------------------------- a database that cannot be opened


def test_a_sqlite_file_in_a_missing_folder_exits_2_naming_database_url(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "volume-not-mounted"
    operator.setenv("SLACK_BOT_TOKEN", "xoxb-1-fictional")
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    operator.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")  # never reached: the database fails first
    operator.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'leakbot.db'}")
    operator.setenv("PORT", str(free_port()))
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [text for text in err.splitlines() if text.startswith("leakbot: ")]  # beside the log's INFO lines
    assert line.startswith(f"leakbot: DATABASE_URL names a SQLite file in {folder}, a folder that does not exist")
    assert not folder.exists()  # no folder made where nobody keeps it


def test_migrate_says_the_same_of_a_missing_folder(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "nowhere"
    operator.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'leakbot.db'}")
    assert main(["migrate"]) == 2
    assert one_line(capsys.readouterr().err).startswith(f"leakbot: DATABASE_URL names a SQLite file in {folder}")
    assert not folder.exists()


async def test_a_sqlite_file_in_a_missing_folder_stops_socket_mode_too(fake: FakeSlack, tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    settings = settings_for(
        fake,
        f"sqlite+aiosqlite:///{folder / 'leakbot.db'}",
        slack_signing_secret="",
        slack_app_token=fake.app_token,
        port=free_port(),
    )
    with pytest.raises(ConfigError, match=r"^DATABASE_URL names a SQLite file in"):
        await asyncio.wait_for(_serve(build(settings), settings), 30)
    assert fake.calls == [] and not folder.exists()


async def test_a_drill_with_a_revoked_bot_token_exits_2_with_one_line(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake: FakeSlack, tmp_path: Path
) -> None:
    (tmp_path / "scenario.yaml").write_text("title: 架空の訓練\ndiscovered_at: 2026-11-26 10:00\nsummary: 架空\n")
    fake.fail("auth.test", "token_revoked")
    operator.setenv("SLACK_BOT_TOKEN", fake.bot_token)
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    operator.setenv("SLACK_API_URL", fake.url)
    # in a thread of its own: `leakbot drill` runs its own event loop, the fake Slack answers from this one
    assert await asyncio.to_thread(main, ["drill", "scenario.yaml", "--user", "U0ALICE"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [text for text in err.splitlines() if text.startswith("leakbot: ")]
    assert line.startswith("leakbot: SLACK_BOT_TOKEN was refused by Slack (token_revoked)"), err
    assert [c.method for c in fake.calls] == ["auth.test"]  # no drill channel opened
