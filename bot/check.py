"""`leakbot check`: is everything ready before the day it is needed?

Each check gives one `Result`: ✓ with what it found, or ✗ with what is wrong and what to do. Only
read-only Slack calls are made (auth.test, apps.connections.open and a Socket Mode connection that is
closed at once); the database is read, never changed. Like bot/app.py this is assembly code: it talks
to Slack and the database directly.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.logs import redact
from handlers.surface import COMMANDS, EVENTS, SCOPES, SHORTCUTS, why_scope

TIMEOUT = 10  # seconds for each network step
MANIFEST = "manifest.yml"
# The app manifests shipped inside the package (as links bot/NAME -> ../NAME to the top-level files, which
# stay where users paste them from): a manifest added at the top level is added here and linked beside.
PACKAGED_MANIFESTS = (MANIFEST, "manifest.http.yml")
SCOPES_PAGE = "api.slack.com/apps → your app → OAuth & Permissions → Bot Token Scopes"
REFUSED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


@dataclass(frozen=True)
class Result:
    """One check: its name, whether it passed, what was found, and (when it failed) what to do."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The line `leakbot check` prints."""
        if self.ok:
            return f"✓ {self.name}: {self.detail}"
        return f"✗ {self.name}: {self.detail} — {self.fix}"


def passed(name: str, detail: str) -> Result:
    return Result(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Result:
    return Result(name, False, detail, fix)


async def run_checks(
    settings: Settings, *, manifest: Path | None = None, engine: AsyncEngine | None = None, connect_socket: bool = True
) -> list[Result]:
    """Every check, in the order an operator fixes things: configuration, database, Slack, manifest.

    `engine`: a running bot's engine (else one is made and disposed of). `connect_socket`: open (and
    close) a Socket Mode connection when SLACK_APP_TOKEN is set; a running bot says False, so that no
    envelope of its own can land on the probe.
    """
    results = [configuration(settings), await database(settings.database_url, engine=engine)]
    token, scopes = await bot_token(settings)
    results.append(token)
    if scopes is not None:
        results.append(scopes)
    if settings.slack_app_token:
        results.append(await app_token(settings, connect=connect_socket))
    results.append(manifest_agrees(find_manifest(manifest), socket_mode=settings.socket_mode))
    return results


def configuration(settings: Settings) -> Result:
    """Settings that loaded are valid; say which mode they mean."""
    mode = (
        "Socket Mode (SLACK_APP_TOKEN is set)"
        if settings.socket_mode
        else f"HTTP mode on {settings.host}:{settings.port}"
    )
    backend = make_url(settings.database_url).get_backend_name()
    return passed("configuration", f"{mode}, {backend} database, language {settings.leakbot_lang}")


# ------------------------------------------------------------------------------------------- database


async def database(url: str, *, engine: AsyncEngine | None = None) -> Result:
    """Reachable, and its schema at the revision this code needs (Alembic's head)."""
    from storage.db import make_engine, missing_folder

    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if (
        engine is None
        and parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not await asyncio.to_thread(Path(parsed.database).is_file)
    ):
        folder = missing_folder(url)
        if folder is not None:
            return failed(
                "database",
                f"{parsed.database} does not exist, nor its folder {folder}",
                "create the folder (or mount the volume meant to hold it), then run `leakbot migrate`; "
                "or check DATABASE_URL",
            )
        return failed(
            "database",
            f"{parsed.database} does not exist",
            "run `leakbot migrate` to create it (the bot also does at start), or check DATABASE_URL",
        )
    own = engine is None
    engine = engine or make_engine(url)
    try:
        current, heads, known = await asyncio.wait_for(_revisions(engine), TIMEOUT)
    except Exception as error:  # noqa: BLE001 - any failure to connect or read means "not reachable"
        reason = "timed out" if isinstance(error, asyncio.TimeoutError) else _first_line(error)
        return failed(
            "database",
            f"cannot reach {shown} ({reason})",
            "check DATABASE_URL and that the database server is running and reachable from here",
        )
    finally:
        if own:
            await engine.dispose()
    if current == heads:
        return passed("database", f"{shown} answers; schema current (revision {', '.join(sorted(heads))})")
    if not current:
        return failed("database", f"{shown} answers but has no leakbot schema", "run `leakbot migrate`")
    if current - known:
        return failed(
            "database",
            f"{shown} is at revision {', '.join(sorted(current))}, unknown to this leakbot",
            "upgrade leakbot to the version that made this database",
        )
    return failed(
        "database",
        f"{shown} is at revision {', '.join(sorted(current))}, this leakbot needs {', '.join(sorted(heads))}",
        "run `leakbot migrate`",
    )


async def _revisions(engine: AsyncEngine) -> tuple[set[str], set[str], set[str]]:
    """(the database's current revisions, the code's heads, every revision the code knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
    return current, heads, known


# ---------------------------------------------------------------------------------------------- Slack


async def bot_token(settings: Settings) -> tuple[Result, Result | None]:
    """auth.test with SLACK_BOT_TOKEN, then its scopes (x-oauth-scopes) against what the code needs.

    The scopes result is None when the token itself did not work, or is not set (`leakbot check` runs
    without it: CheckSettings).
    """
    if not settings.slack_bot_token:
        return failed(
            "bot token",
            "skipped: SLACK_BOT_TOKEN is not set",
            "set it to the Bot User OAuth Token (xoxb-…) from OAuth & Permissions, then run `leakbot check` again",
        ), None
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT)
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        code = _slack_error(error)
        if code in REFUSED_TOKEN:
            return failed(
                "bot token",
                f"Slack refused SLACK_BOT_TOKEN ({code})",
                "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN; "
                "reinstall the app to the workspace if it was removed",
            ), None
        return failed(
            "bot token",
            f"auth.test failed ({code})",
            "check SLACK_API_URL and Slack's status (https://slack-status.com), then try again",
        ), None
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        return _unreachable("bot token", settings.slack_api_url, error), None
    if not response.get("bot_id"):
        return failed(
            "bot token",
            "SLACK_BOT_TOKEN is not a bot token",
            "use the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
        ), None
    found = passed(
        "bot token",
        f"works for workspace {response.get('team')} ({response.get('team_id')}) as @{response.get('user')}",
    )
    return found, scopes(_header(response.headers, "x-oauth-scopes"))


def scopes(header: str | None) -> Result:
    """The scopes the code needs (handlers.surface.SCOPES) against those Slack says the token has."""
    if header is None:
        return failed(
            "scopes",
            "Slack did not say which scopes the bot token has (no x-oauth-scopes header)",
            "check that SLACK_API_URL is Slack's Web API (https://slack.com/api/)",
        )
    granted = {scope.strip() for scope in header.split(",") if scope.strip()}
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        named = ", ".join(f"{scope} (for {why_scope(scope)})" for scope in missing)
        return failed(
            "scopes",
            f"the bot token lacks {named}",
            f"add {'it' if len(missing) == 1 else 'them'} on {SCOPES_PAGE} (and in manifest.yml), "
            "then reinstall the app to the workspace",
        )
    return passed("scopes", f"the bot token has every scope the code needs ({', '.join(SCOPES)})")


async def app_token(settings: Settings, *, connect: bool = True) -> Result:
    """apps.connections.open with SLACK_APP_TOKEN, then a Socket Mode connection opened and closed."""
    client = AsyncWebClient(base_url=settings.slack_api_url, timeout=TIMEOUT)
    fix_token = (
        "generate an app-level token with the connections:write scope on Basic Information → "
        "App-Level Tokens and set it as SLACK_APP_TOKEN"
    )
    try:
        response = await client.apps_connections_open(app_token=str(settings.slack_app_token))
    except SlackApiError as error:
        code = _slack_error(error)
        if code in REFUSED_TOKEN or code in ("not_allowed_token_type", "missing_scope", "invalid_token"):
            return failed("app token", f"Slack refused SLACK_APP_TOKEN ({code})", fix_token)
        return failed(
            "app token",
            f"apps.connections.open failed ({code})",
            "turn Socket Mode on in your app's settings (Socket Mode page), or unset SLACK_APP_TOKEN for HTTP mode",
        )
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        return _unreachable("app token", settings.slack_api_url, error)
    if not connect:
        return passed("app token", "Slack accepts SLACK_APP_TOKEN (Socket Mode)")
    try:
        await asyncio.wait_for(_hello(str(response["url"])), TIMEOUT)
    except Exception as error:  # noqa: BLE001 - a websocket that cannot open or says nothing: the same advice
        reason = "timed out" if isinstance(error, asyncio.TimeoutError) else _first_line(error)
        return failed(
            "app token",
            f"Slack accepts SLACK_APP_TOKEN but the Socket Mode connection failed ({reason})",
            "check that this machine may open wss:// connections to Slack, and that Socket Mode is on",
        )
    return passed("app token", "Socket Mode connection opened (hello received) and closed")


async def _hello(url: str) -> None:
    """Opens the Socket Mode websocket, waits for Slack's hello, and closes it."""
    async with aiohttp.ClientSession() as session, session.ws_connect(url, heartbeat=None) as socket:
        message = await socket.receive()
        kind = json.loads(message.data).get("type") if message.type == aiohttp.WSMsgType.TEXT else None
        if kind != "hello":
            raise ConnectionError(f"expected hello, got {kind or message.type.name}")


def _unreachable(name: str, api_url: str, error: BaseException) -> Result:
    reason = "timed out" if isinstance(error, asyncio.TimeoutError) else _first_line(error)
    return failed(
        name,
        f"cannot reach Slack at {api_url} ({reason})",
        "check SLACK_API_URL and that this machine can reach it (proxy, firewall)",
    )


def _slack_error(error: SlackApiError) -> str:
    response = error.response
    code = response.get("error") if isinstance(response.data, dict) else None
    return str(code or f"HTTP {response.status_code}")


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


# ------------------------------------------------------------------------------------------- manifest


def packaged_manifest(name: str = MANIFEST) -> Path:
    """The manifest shipped with leakbot (package data of `bot`), as the real file it is."""
    if name not in PACKAGED_MANIFESTS:
        raise ValueError(f"{name} is not packaged with leakbot; the packaged manifests are {PACKAGED_MANIFESTS}")
    return Path(str(resources.files("bot") / name)).resolve()


def manifest_places() -> list[Path]:
    """Where `manifest.yml` is looked for: the working directory, then the one packaged with leakbot."""
    packaged = packaged_manifest()
    here = Path.cwd() / MANIFEST
    return [here] if here.resolve() == packaged else [here, packaged]


def find_manifest(explicit: Path | None = None) -> Path | list[Path]:
    """The manifest to compare with, or the places where none was found."""
    places = [explicit] if explicit is not None else manifest_places()
    for place in places:
        if place.is_file():
            return place
    return places


def manifest_agrees(found: Path | list[Path], *, socket_mode: bool | None = None) -> Result:
    """Every command, shortcut, event and scope the code needs is in the manifest, and nothing else listens.

    Given the mode the bot runs in, a manifest that passes also says when it is made for the other mode,
    or (HTTP mode) when its request URLs still hold the YOUR-HOST placeholder."""
    if isinstance(found, list):
        where = " or ".join(str(place) for place in found)
        return failed(
            "manifest",
            f"no manifest.yml found at {where}",
            "run `leakbot check` in the folder that holds your app's manifest.yml, or pass --manifest FILE",
        )
    try:
        doc = yaml.safe_load(found.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return failed(
            "manifest", f"cannot read {found} ({_first_line(error)})", "fix the file, or pass --manifest FILE"
        )
    if not isinstance(doc, dict):
        return failed("manifest", f"{found} is not a Slack app manifest", "fix the file, or pass --manifest FILE")
    declared = _declared(doc)
    wanted = {"command": set(COMMANDS), "shortcut": set(SHORTCUTS), "event": set(EVENTS), "scope": set(SCOPES)}
    lacks = [f"the {kind} {name}" for kind in wanted for name in sorted(wanted[kind] - declared[kind])]
    extra = [
        f"the {kind} {name}"
        for kind in ("command", "shortcut", "event")
        for name in sorted(declared[kind] - wanted[kind])
    ]
    if not lacks and not extra:
        return passed(
            "manifest",
            f"{found} declares the {len(COMMANDS)} commands, {len(SHORTCUTS)} shortcuts, "
            f"{len(EVENTS)} events and {len(SCOPES)} scopes the code needs{_mode_note(doc, socket_mode)}",
        )
    problems = []
    if lacks:
        problems.append(f"lacks {', '.join(lacks)}")
    if extra:
        problems.append(f"declares {', '.join(extra)}, which this leakbot does not answer")
    return failed(
        "manifest",
        f"{found} {'; '.join(problems)}",
        "make manifest.yml match (features.slash_commands, features.shortcuts, "
        "settings.event_subscriptions.bot_events, oauth_config.scopes.bot), paste it on your app's "
        "App Manifest page, then reinstall the app",
    )


def _mode_note(doc: dict[str, Any], socket_mode: bool | None) -> str:
    """What to mind about a manifest that declares everything, for the mode the bot runs in."""
    if socket_mode is None:
        return ""
    declared = (doc.get("settings") or {}).get("socket_mode_enabled") is True
    if declared != socket_mode:
        other = "manifest.yml (Socket Mode)" if socket_mode else "manifest.http.yml (HTTP mode)"
        return (
            f"; it is made for the other mode: the bot runs in {'Socket' if socket_mode else 'HTTP'} mode, see {other}"
        )
    if not socket_mode and "YOUR-HOST" in yaml.safe_dump(doc):
        return "; its request URLs still say YOUR-HOST: put your bot's public host there before pasting it"
    return ""


def _declared(doc: dict[str, Any]) -> dict[str, set[str]]:
    features = doc.get("features") or {}
    settings = doc.get("settings") or {}
    return {
        "command": {str(c.get("command")) for c in features.get("slash_commands") or [] if isinstance(c, dict)},
        "shortcut": {str(s.get("callback_id")) for s in features.get("shortcuts") or [] if isinstance(s, dict)},
        "event": {str(e) for e in (settings.get("event_subscriptions") or {}).get("bot_events") or []},
        "scope": {str(s) for s in ((doc.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []},
    }


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


# --------------------------------------------------------------------------------------------- output


async def check_command(settings: Settings, *, manifest: Path | None = None) -> int:
    """`leakbot check`: prints one line per check; 0 when every check passed, else 1."""
    results = await run_checks(settings, manifest=manifest)
    secrets = [settings.slack_bot_token or "", settings.slack_app_token or "", settings.slack_signing_secret or ""]
    for result in results:
        print(redact(result.line(), secrets), flush=True)
    return 0 if all(result.ok for result in results) else 1


async def health_report(settings: Settings, engine: AsyncEngine) -> dict[str, Any]:
    """The checks for `GET /healthz?verbose=1`: names, ✓/✗, what was found and what to do; no secrets."""
    results = await run_checks(settings, engine=engine, connect_socket=False)
    secrets = [settings.slack_bot_token, settings.slack_app_token or "", settings.slack_signing_secret or ""]
    checks = [
        {key: redact(value, secrets) if isinstance(value, str) else value for key, value in asdict(r).items()}
        for r in results
    ]
    return {"all_passed": all(r.ok for r in results), "checks": checks}
