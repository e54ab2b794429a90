"""Starting leakbot as an operator would: the console script, its configuration errors, and a real process."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.processes import CONFIG_VARS, BotProcess, clean_env
from tests.slack_payloads import form_body, interactive_body, slash_command, view_submission


def run_bot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=60
    )


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "subcommands" in result.stdout


def test_version_comes_from_the_package_metadata(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run_bot(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"leakbot {version('leakbot')}"
    assert version("leakbot")[0].isdigit()


@pytest.mark.parametrize("args", [("--help",), ("run", "--help"), ("check", "--help")])
def test_help_lists_every_environment_variable_with_its_hint(tmp_path: Path, args: tuple[str, ...]) -> None:
    from bot.config import HINTS, Settings

    result = run_bot(tmp_path, *args)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # the help wraps long lines
    for name in Settings.model_fields:
        assert f"{name.upper()} (" in text, name
        assert " ".join(HINTS[name.upper()].split()) in text, name
    assert "SLACK_BOT_TOKEN (required)" in text and "LOG_FORMAT (default: text)" in text
    assert "SLACK_APP_TOKEN (default: unset)" in text


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "not-a-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "70000"}, "PORT"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LEAKBOT_LANG": "fr"}, "LEAKBOT_LANG"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "https://slack.com/api"},
            "SLACK_API_URL",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LEAKBOT_NUDGE_AFTER": "0"}, "LEAKBOT_NUDGE_AFTER"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LEAKBOT_NUDGE_TICK": "soon"},
            "LEAKBOT_NUDGE_TICK",
        ),
    ],
)
def test_bad_configuration_exits_2_with_one_line(tmp_path: Path, env: dict[str, str], variable: str) -> None:
    result = run_bot(tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"leakbot: {variable} ")
    assert "Traceback" not in result.stderr
    assert "xoxb-1" not in result.stderr  # tokens are never echoed


def test_env_file_is_read_and_real_variables_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import load_settings

    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=file-secret\nLEAKBOT_LANG=en\n"
    )
    for variable in CONFIG_VARS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEAKBOT_LANG", "ja")
    settings = load_settings()
    assert settings.slack_bot_token == "xoxb-from-file"
    assert settings.leakbot_lang == "ja"
    assert settings.port == 3000 and settings.host == "0.0.0.0" and settings.leakbot_nudge_after == 3600


async def test_a_real_process_serves_health_and_commands(fake: FakeSlack, tmp_path: Path) -> None:
    database = tmp_path / "data" / "leakbot.db"
    database.parent.mkdir()  # the operator's folder (leakbot makes no folder: a missing one is a mistake)
    bot = BotProcess(fake, tmp_path, database_url=f"sqlite+aiosqlite:///{database}", LEAKBOT_NUDGE_AFTER="1")
    await bot.start()
    try:
        body = form_body(
            slash_command(
                "/leak-open",
                "実プロセスの試験",
                user_id="U0ALICE",
                channel_id="C0GENERAL",
                trigger_id=fake.new_trigger_id(),
                response_url=fake.response_url(),
            )
        )
        assert (await bot.post(body))[0] == 200
        call = await fake.wait_for("views.open", lambda c: c.ok)
        view = fake.views[call.response["view"]["id"]]
        body = interactive_body(view_submission(view, {"summary": "実プロセスで開いた架空の事案"}, user_id="U0ALICE"))
        assert (await bot.post(body))[0] == 200
        pinned = await fake.wait_for("pins.add", lambda c: c.ok)
        # the scheduler runs inside the process: with a 1 s interval and tick a nudge arrives by itself
        await fake.wait_for(
            "chat.postMessage",
            lambda c: c.args.get("channel") == pinned.args["channel"] and "未回答の必須項目" in str(c.args.get("text")),
            timeout=15,
        )
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
    finally:
        await bot.stop()
    output = bot.log_path.read_text()
    assert fake.bot_token not in output and SIGNING_SECRET not in output
    # Bolt no longer warns on every start that it ignores a token (its client carries none; the secrets
    # are taken out of the environment once read)
    assert "will be ignored" not in output and "will be unused" not in output, output
    assert " WARNING " not in output, output
    assert "実プロセスの試験" not in output  # no answer text in the log at INFO
