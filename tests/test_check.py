"""`leakbot check` run as an operator would, against the fake Slack: every check named, exit 0 only when all pass."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
import yaml

from handlers.surface import COMMANDS, EVENTS, SCOPES, SHORTCUTS
from storage.db import make_engine, migrate
from tests.conftest import SIGNING_SECRET, Harness
from tests.fake_slack import FakeSlack
from tests.processes import CONFIG_VARS, ROOT, clean_env, free_port

MANIFEST = ROOT / "manifest.yml"


async def check(cwd: Path, *args: str, **env: str) -> tuple[int, list[str], str]:
    """Runs `python -m bot check` (asynchronously: the fake Slack answers from this event loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check",
        *args,
        cwd=cwd,
        env=clean_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode().splitlines(), err.decode()


async def migrated(url: str) -> str:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url


def http_env(fake: FakeSlack, database_url: str, **more: str) -> dict[str, str]:
    return dict(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=database_url,
        **more,
    )


def line(lines: list[str], name: str) -> str:
    found = [text for text in lines if text[2:].startswith(f"{name}:")]
    assert len(found) == 1, lines
    return found[0]


def failures(lines: list[str]) -> list[str]:
    return [text for text in lines if text.startswith("✗")]


async def test_all_green_in_http_mode(fake: FakeSlack, database_url: str, tmp_path: Path) -> None:
    code, lines, err = await check(tmp_path, **http_env(fake, await migrated(database_url)))
    assert code == 0, (lines, err)
    assert [text[2:].split(":")[0] for text in lines] == [
        "configuration",
        "database",
        "bot token",
        "scopes",
        "manifest",
    ]
    assert all(text.startswith("✓ ") for text in lines), lines
    assert "schema current" in line(lines, "database")
    assert str(MANIFEST) in line(lines, "manifest")  # found beside the package when the folder has none
    assert [c.method for c in fake.calls] == ["auth.test"]  # read-only: nothing else was called


async def test_all_green_in_socket_mode_opens_and_closes_a_connection(
    fake: FakeSlack, sqlite_url: str, tmp_path: Path
) -> None:
    env = http_env(fake, await migrated(sqlite_url), SLACK_APP_TOKEN=fake.app_token)
    del env["SLACK_SIGNING_SECRET"]
    code, lines, err = await check(tmp_path, **env)
    assert code == 0, (lines, err)
    assert "hello" in line(lines, "app token") and line(lines, "app token").startswith("✓")
    assert [c.method for c in fake.calls] == ["auth.test", "apps.connections.open"]
    await fake.wait_until(lambda: not fake._sockets, what="the check's Socket Mode connection to close")


async def test_a_missing_scope_is_named_with_where_to_add_it(fake: FakeSlack, sqlite_url: str, tmp_path: Path) -> None:
    fake.bot_scopes.remove("pins:write")
    code, lines, _ = await check(tmp_path, **http_env(fake, await migrated(sqlite_url)))
    assert code == 1
    assert failures(lines) == [line(lines, "scopes")]
    scopes = line(lines, "scopes")
    assert "pins:write" in scopes and "pins.add" in scopes
    assert "OAuth & Permissions → Bot Token Scopes" in scopes and "reinstall" in scopes
    assert "chat:write" not in scopes.split("—")[0]  # only the missing one is named


async def test_a_bad_bot_token_is_named_and_not_echoed(fake: FakeSlack, sqlite_url: str, tmp_path: Path) -> None:
    env = http_env(fake, await migrated(sqlite_url))
    env["SLACK_BOT_TOKEN"] = "xoxb-revoked-0000-secret"
    code, lines, err = await check(tmp_path, **env)
    assert code == 1
    assert failures(lines) == [line(lines, "bot token")]
    assert "invalid_auth" in line(lines, "bot token") and "SLACK_BOT_TOKEN" in line(lines, "bot token")
    assert not any(text[2:].startswith("scopes:") for text in lines)  # cannot be known without a token
    assert "xoxb-revoked" not in "\n".join(lines) + err


async def test_a_bad_app_token_is_named(fake: FakeSlack, sqlite_url: str, tmp_path: Path) -> None:
    env = http_env(fake, await migrated(sqlite_url), SLACK_APP_TOKEN="xapp-1-not-this-app")
    code, lines, _ = await check(tmp_path, **env)
    assert code == 1
    assert failures(lines) == [line(lines, "app token")]
    assert "SLACK_APP_TOKEN" in line(lines, "app token") and "App-Level Tokens" in line(lines, "app token")


async def test_an_unreachable_database_is_named(fake: FakeSlack, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/leakbot"  # nothing listens there
    code, lines, _ = await check(tmp_path, **http_env(fake, url))
    assert code == 1
    assert failures(lines) == [line(lines, "database")]
    assert "cannot reach" in line(lines, "database") and "DATABASE_URL" in line(lines, "database")


async def test_a_database_without_the_schema_says_migrate(fake: FakeSlack, tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    database.touch()
    code, lines, _ = await check(tmp_path, **http_env(fake, f"sqlite+aiosqlite:///{database}"))
    assert code == 1
    assert failures(lines) == [line(lines, "database")]
    assert "leakbot migrate" in line(lines, "database")


async def test_a_missing_sqlite_file_is_named_and_not_created(fake: FakeSlack, tmp_path: Path) -> None:
    database = tmp_path / "nowhere" / "leakbot.db"
    code, lines, _ = await check(tmp_path, **http_env(fake, f"sqlite+aiosqlite:///{database}"))
    assert code == 1
    assert "does not exist" in line(lines, "database") and "leakbot migrate" in line(lines, "database")
    assert f"nor its folder {database.parent}" in line(lines, "database") and "create the folder" in line(
        lines, "database"
    )
    assert not database.parent.exists()  # the check changes nothing


async def test_a_manifest_missing_a_command_the_code_has(fake: FakeSlack, sqlite_url: str, tmp_path: Path) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    manifest["features"]["slash_commands"] = [
        c for c in manifest["features"]["slash_commands"] if c["command"] != "/leak-close"
    ]
    (tmp_path / "manifest.yml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    code, lines, _ = await check(tmp_path, **http_env(fake, await migrated(sqlite_url)))
    assert code == 1
    assert failures(lines) == [line(lines, "manifest")]
    found = line(lines, "manifest")
    assert "/leak-close" in found and str(tmp_path / "manifest.yml") in found  # the working directory's wins
    assert "/leak-open" not in found


async def test_a_manifest_that_does_not_exist_is_said_so(fake: FakeSlack, sqlite_url: str, tmp_path: Path) -> None:
    code, lines, _ = await check(
        tmp_path, "--manifest", str(tmp_path / "app.yml"), **http_env(fake, await migrated(sqlite_url))
    )
    assert code == 1
    assert failures(lines) == [line(lines, "manifest")]
    assert "no manifest.yml found" in line(lines, "manifest") and str(tmp_path / "app.yml") in line(lines, "manifest")


async def test_configuration_that_cannot_load_exits_2_with_one_line(tmp_path: Path) -> None:
    code, lines, err = await check(tmp_path, LEAKBOT_LANG="fr")  # wrong, whatever the token
    assert code == 2 and lines == []
    assert err.strip().splitlines() == [err.strip()] and err.startswith("leakbot: LEAKBOT_LANG ")


async def test_without_a_token_every_other_check_runs_and_only_its_lines_are_printed(
    fake: FakeSlack, sqlite_url: str, tmp_path: Path
) -> None:
    # Socket Mode, no bot token, a Slack that refuses connections: slack_sdk logs its retries at INFO,
    # which used to come out between the check's own lines
    env = http_env(fake, await migrated(sqlite_url), SLACK_APP_TOKEN=fake.app_token)
    del env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"]
    env["SLACK_API_URL"] = f"http://127.0.0.1:{free_port()}/api/"
    code, lines, err = await check(tmp_path, **env)
    assert code == 1
    assert err == ""  # no log line of any library
    assert [text[2:].split(":")[0] for text in lines] == [
        "configuration",
        "database",
        "bot token",
        "app token",
        "manifest",
    ]
    assert all(text[:2] in ("✓ ", "✗ ") for text in lines), lines
    assert failures(lines) == [line(lines, "bot token"), line(lines, "app token")]
    assert line(lines, "bot token").startswith("✗ bot token: skipped: SLACK_BOT_TOKEN is not set — set it to")
    assert "cannot reach Slack" in line(lines, "app token")


async def test_healthz_verbose_gives_the_checks_without_secrets(leakbot: Harness) -> None:
    async with leakbot.http.get(leakbot.url + "/healthz") as response:
        assert response.status == 200 and await response.json() == {"ok": True}
    leakbot.fake.bot_scopes.remove("files:write")
    async with leakbot.http.get(leakbot.url + "/healthz?verbose=1") as response:
        raw = await response.text()
        assert response.status == 200  # a missing scope does not take the bot out of the balancer
    body = json.loads(raw)
    assert body["ok"] is True and body["all_passed"] is False
    results = {c["name"]: c for c in body["checks"]}
    assert list(results) == ["configuration", "database", "bot token", "scopes", "manifest"]
    assert results["database"]["ok"] and results["bot token"]["ok"] and results["manifest"]["ok"]
    assert not results["scopes"]["ok"] and "files:write" in results["scopes"]["detail"]
    assert leakbot.fake.bot_token not in raw and SIGNING_SECRET not in raw


def test_the_manifest_check_covers_shortcuts_events_and_extra_commands(monkeypatch, tmp_path: Path) -> None:
    from bot import check as checks

    monkeypatch.setattr(checks, "SHORTCUTS", ("leak_open",))
    monkeypatch.setattr(checks, "EVENTS", ("app_home_opened",))
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    manifest["features"]["slash_commands"].append(
        {"command": "/leak-extra", "description": "x", "should_escape": False}
    )
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    events[:] = [e for e in events if e != "app_home_opened"]  # the shipped manifest declares these: take them out
    manifest["features"].pop("shortcuts", None)
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    result = checks.manifest_agrees(path)
    assert not result.ok
    assert "lacks the shortcut leak_open, the event app_home_opened" in result.detail
    assert (
        "declares the command /leak-extra, the event member_joined_channel, the event member_left_channel, "
        "which this leakbot does not answer" in result.detail
    )

    manifest["features"]["slash_commands"].pop()
    manifest["features"]["shortcuts"] = [
        {"name": "Open", "type": "global", "callback_id": "leak_open", "description": "x"}
    ]
    manifest["settings"]["event_subscriptions"] = {"bot_events": ["app_home_opened"]}
    monkeypatch.setattr(checks, "EVENTS", ("app_home_opened",))
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    assert checks.manifest_agrees(path).ok, checks.manifest_agrees(path).line()


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An operator's shell in an empty folder, no leakbot variable set, no .env."""
    for variable in CONFIG_VARS:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize(
    ("manifest", "note"),
    [
        (
            "manifest.yml",
            "; it is made for the other mode: the bot runs in HTTP mode, see manifest.http.yml (HTTP mode)",
        ),
        (
            "manifest.http.yml",
            "; its request URLs still say YOUR-HOST: put your bot's public host there before pasting it",
        ),
    ],
)
def test_without_a_token_the_database_and_either_manifest_are_checked(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, manifest: str, note: str
) -> None:
    from bot.cli import main

    url = asyncio.run(migrated(f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}"))
    operator.setenv("DATABASE_URL", url)
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    operator.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")  # never called without a token
    assert main(["check", "--manifest", str(ROOT / manifest)]) == 1  # a check failed: the token's
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert [text[2:].split(":")[0] for text in lines] == ["configuration", "database", "bot token", "manifest"]
    assert failures(lines) == [line(lines, "bot token")]
    assert "skipped: SLACK_BOT_TOKEN is not set" in line(lines, "bot token")
    assert "schema current" in line(lines, "database")
    assert line(lines, "manifest") == (
        f"✓ manifest: {ROOT / manifest} declares the {len(COMMANDS)} commands, {len(SHORTCUTS)} shortcuts, "
        f"{len(EVENTS)} events and {len(SCOPES)} scopes the code needs{note}"
    )


def test_a_token_is_taken_out_of_the_environment_once_read(
    operator: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import os

    from bot.cli import main

    operator.setenv("SLACK_BOT_TOKEN", "xoxb-1-fictional")
    operator.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    operator.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    assert main(["check", "--manifest", str(MANIFEST)]) == 1  # no database here, Slack unreachable
    assert "SLACK_BOT_TOKEN" not in os.environ and "SLACK_SIGNING_SECRET" not in os.environ
    out, err = capsys.readouterr()
    assert err == "" and "xoxb-1-fictional" not in out


def test_a_manifest_for_the_mode_the_bot_runs_in_has_no_note(tmp_path: Path) -> None:
    from bot import check as checks

    socket = checks.manifest_agrees(MANIFEST, socket_mode=True)
    assert socket.ok and socket.detail.endswith("scopes the code needs"), socket.detail
    http = yaml.safe_load((ROOT / "manifest.http.yml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(http).replace("YOUR-HOST", "leakbot.example.com")
    (tmp_path / "manifest.yml").write_text(text, encoding="utf-8")
    filled = checks.manifest_agrees(tmp_path / "manifest.yml", socket_mode=False)
    assert filled.ok and filled.detail.endswith("scopes the code needs"), filled.detail
    assert "other mode" in checks.manifest_agrees(tmp_path / "manifest.yml", socket_mode=True).detail
