"""`leakbot check` run as an operator would, against the fake Slack: every check named, exit 0 only when all pass."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import yaml

from storage.db import make_engine, migrate
from tests.conftest import SIGNING_SECRET, Harness
from tests.fake_slack import FakeSlack
from tests.processes import ROOT, clean_env, free_port

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
    assert not database.exists()  # the check changes nothing


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
    code, lines, err = await check(tmp_path, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    assert code == 2 and lines == []
    assert err.strip().splitlines() == [err.strip()] and err.startswith("leakbot: SLACK_BOT_TOKEN ")


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
