"""A fake Slack (Web API, response URLs and Socket Mode) for tests, served by aiohttp on 127.0.0.1.

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
        ...
        call = await fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == channel_id)

It answers like Slack (HTTP 200 and {"ok": false, "error": ...} for API errors), records every
call in `calls`, keeps the workspace state it changes (channels, messages, pins, views, ...) and
lets a test queue faults with `fail()`. Block Kit checks live in tests/fake_slack_blocks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fake_slack_blocks import validate_home_view, validate_message_blocks, validate_view, with_generated_ids

JSON_ARGS = ("blocks", "view", "attachments", "metadata")
DEFAULT_USERS = (("U0ALICE", "alice"), ("U0BOB", "bob"), ("U0CAROL", "carol"), ("U0DAVE", "dave"))
TRIGGER_LIFETIME = 3.0
APP_ID = "A0LEAKAPP"
# How long a test waits for what Slack should see, by default. A passing wait returns at once; the limit
# only bounds a failing one. It is well above Slack's own 3 s: a full run on two shared cores saw a
# channel set-up on PostgreSQL stall for over 5 s while other tests created and dropped databases.
WAIT = 15.0
# The bot token's scopes, as auth.test reports them in its x-oauth-scopes header (those of manifest.yml).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "groups:write",
    "groups:read",
    "pins:write",
    "users:read",
    "files:write",
    "files:read",
    "canvases:write",
    "bookmarks:write",
    "bookmarks:read",
    "groups:history",
    "im:history",
    "im:write",
)


@dataclass
class Call:
    method: str
    args: dict
    ok: bool
    response: dict
    at: float  # time.monotonic() when the request arrived


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    members: set[str] = field(default_factory=set)
    topic: str = ""
    creator: str = ""
    created: int = field(default_factory=lambda: int(time.time()))
    is_archived: bool = False
    is_im: bool = False

    def to_api(self, viewer: str) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_im,
            "is_group": False,
            "is_im": self.is_im,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_member": viewer in self.members,
            "topic": {"value": self.topic, "creator": self.creator if self.topic else "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "num_members": len(self.members),
        }


@dataclass
class Fault:
    error: str | None
    status: int
    retry_after: int | None
    delay: float
    late: bool = False  # the call takes effect at once; only its answer comes after `delay`


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _tz_fields(tz: str) -> dict:
    try:
        now = datetime.now(ZoneInfo(tz))
        return {"tz": tz, "tz_label": now.tzname(), "tz_offset": int(now.utcoffset().total_seconds())}
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz": tz, "tz_label": tz, "tz_offset": 0}


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-1-test-token",
        team_id: str = "T0LEAK",
        bot_user_id: str = "U0LEAKBOT",
        bot_id: str = "B0LEAKBOT",
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.team_id, self.bot_user_id, self.bot_id, self.app_id = team_id, bot_user_id, bot_id, APP_ID
        self.url = self.base = ""
        self.port = 0
        self.ascii_channel_names_only = False
        self.bot_scopes: list[str] = list(BOT_SCOPES)  # what auth.test says the bot token has
        self.calls: list[Call] = []
        self.arrivals: list[str] = []  # the methods called, as each call arrives (before any delay)
        self.users: dict[str, dict] = {}
        # user id -> Slack locale ("en-US"), returned by users.info with include_locale; none set, none said
        # (so the bot answers in LEAKBOT_LANG, as the tests written before locales expect)
        self.locales: dict[str, str] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.dms: dict[str, FakeChannel] = {}  # user id -> the bot's DM channel with them
        self.messages: dict[str, list[dict]] = {}
        self.pins: dict[str, list[str]] = {}
        self.views: dict[str, dict] = {}
        self.homes: dict[str, dict] = {}  # user id -> the App Home view last published for them
        self.ephemerals: list[dict] = []
        self.responses: list[tuple[str, dict]] = []
        self.response_peers: list[Any] = []  # the client address (host, port) each response came from
        self.files: dict[str, dict] = {}  # file id -> {name, title, content (bytes), channels, initial_comment}
        self.socket_sent: list[dict] = []  # envelopes sent by socket_send
        self.socket_acks: list[dict] = []  # every message the Socket Mode client sent back
        self._ids = itertools.count(1)
        self._last_ts = (0, 0)
        self._faults: dict[str, deque[Fault]] = {}
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_ids: set[str] = set()
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._draining: set[int] = set()  # ids of sockets told to disconnect
        self._acks: dict[str, asyncio.Future] = {}
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.add_user(bot_user_id, "leakbot", is_bot=True)
        for user_id, name in DEFAULT_USERS:
            self.add_user(user_id, name)
        self._methods = self._method_table()
        self._methods.update(self._desk_methods())
        # channel canvases and bookmarks (see _canvas_methods)
        self.canvas_refusal: str | None = None  # e.g. "team_tier_cannot_create_channel_canvases": a free workspace
        self.canvases: dict[str, dict] = {}  # canvas id -> {id, channel_id, markdown, user, edits, deleted}
        self.bookmarks: dict[str, list[dict]] = {}  # channel id -> its bookmarks, in order
        self._methods.update(self._canvas_methods())

    def _method_table(self) -> dict[str, Callable[[dict], dict]]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "conversations.create": self._conversations_create,
            "conversations.invite": self._conversations_invite,
            "conversations.setTopic": self._conversations_set_topic,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.list": self._conversations_list,
            "conversations.history": self._conversations_history,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "pins.add": self._pins_add,
            "pins.list": self._pins_list,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete,
            "files.list": self._files_list,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
        }

    # ------------------------------------------------------------------------------- lifecycle

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/link", self._handle_link)
        app.router.add_get("/link/", self._handle_link)
        app.router.add_post("/response/{rid}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/api/"

    async def stop(self) -> None:
        self._stopping.set()
        for future in self._acks.values():
            future.cancel()
        for ws in list(self._sockets):
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping"), 1.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------------ test-side helpers

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of `method`, failed ones included (see Call.ok)."""
        return [c for c in self.calls if c.method == method]

    async def wait_until(self, condition: Callable[[], Any], *, timeout: float = WAIT, what: str = "condition") -> Any:
        """Polls `condition()` until it returns something truthy, which it returns; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; calls so far: {self._summary()}")
            await asyncio.sleep(0.01)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        *,
        count: int = 1,
        timeout: float = WAIT,
    ) -> Call:
        """Waits until `count` calls of `method` satisfy `predicate`; returns the last matching call."""

        def matching() -> list[Call]:
            found = [c for c in self.calls if c.method == method and predicate(c)]
            return found if len(found) >= count else []

        found = await self.wait_until(matching, timeout=timeout, what=f"{count} matching call(s) of {method}")
        return found[-1]

    def _summary(self) -> str:
        parts = [c.method + ("" if c.ok else f"!{c.response.get('error')}") for c in self.calls]
        return ", ".join(parts) or "(none)"

    def new_trigger_id(self, age: float = 0.0) -> str:
        """A trigger_id as if Slack had issued it `age` seconds ago (they live 3 seconds, are used once)."""
        trigger_id = f"{1000000000 + next(self._ids)}.{738474920}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = time.monotonic() - age
        return trigger_id

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str = "Asia/Tokyo",
        deleted: bool = False,
        is_bot: bool = False,
        locale: str | None = None,
    ) -> None:
        """A workspace member; `locale` (say "en-US") is what users.info returns with include_locale."""
        profile = {
            "real_name": name,
            "display_name": name,
            "real_name_normalized": name,
            "display_name_normalized": name,
            "team": self.team_id,
        }
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name,
            "deleted": deleted,
            "is_bot": is_bot,
            "is_admin": False,
            "is_app_user": False,
            "profile": profile,
            **_tz_fields(tz),
        }
        if locale is not None:
            self.locales[user_id] = locale

    def add_channel(
        self, name: str, *, members: Any = (), is_private: bool = False, creator: str | None = None
    ) -> FakeChannel:
        """Creates a channel directly (no API call); the bot is a member only if listed in `members`."""
        channel = FakeChannel(
            id=self._new_id("C"),
            name=name,
            is_private=is_private,
            members=set(members),
            creator=creator or next(iter(members), self.bot_user_id),
        )
        self.channels[channel.id] = channel
        self.messages[channel.id] = []
        return channel

    def add_message(
        self, channel_id: str, text: str, *, user: str, thread_ts: str | None = None, blocks: list | None = None
    ) -> dict:
        """Stores a message as if `user` had posted it (the bot cannot chat.update it)."""
        message = {
            "type": "message",
            "ts": self._new_ts(),
            "text": text,
            "blocks": blocks or [],
            "user": user,
            "team": self.team_id,
            "thread_ts": thread_ts,
            "edits": [],
        }
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def channel_by_name(self, name: str) -> FakeChannel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def response_url(self) -> str:
        response_id = secrets.token_hex(8)
        self._response_ids.add(response_id)
        return f"{self.base}/response/{response_id}"

    def fail(
        self,
        method: str,
        error: str | None = "internal_error",
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Queues a fault for the next `times` calls of `method`.

        429 -> {"ok": false, "error": "ratelimited"} with Retry-After; >= 500 -> that status, plain text;
        200 -> {"ok": false, "error": error}. `delay` sleeps first; with error=None the call is then
        answered normally (a slow call).
        """
        queue = self._faults.setdefault(method, deque())
        queue.extend(Fault(error, status, retry_after, delay) for _ in range(times))

    def late(self, method: str, delay: float, *, times: int = 1) -> None:
        """The next `times` calls of `method` take effect (and are recorded) at once, but are answered only
        after `delay` seconds: what a client whose timeout is shorter sees as a timeout, though Slack did it."""
        queue = self._faults.setdefault(method, deque())
        queue.extend(Fault(None, 200, None, delay, late=True) for _ in range(times))

    def slow(self, method: str, delay: float, *, times: int = 1) -> None:
        """The next `times` calls of `method` succeed (or fail) normally, but only after `delay` seconds."""
        self.fail(method, None, delay=delay, times=times)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08X}"

    def _new_ts(self) -> str:
        now, (last_sec, last_frac) = int(time.time()), self._last_ts
        sec, frac = (now, 100) if now > last_sec else (last_sec, last_frac + 100)
        if frac >= 1_000_000:
            sec, frac = sec + 1, 100
        self._last_ts = (sec, frac)
        return f"{sec}.{frac:06d}"

    # -------------------------------------------------------------------------- HTTP plumbing

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        method = request.match_info["method"]
        self.arrivals.append(method)
        args, body_token = await self._read_args(request)
        queue = self._faults.get(method)
        fault = queue.popleft() if queue else None
        if fault is not None and fault.error is not None:
            return await self._answer_fault(method, args, arrived, fault)
        if fault is not None and not fault.late:
            await self._sleep(fault.delay)
        body = self._dispatch(method, args, request.headers.get("Authorization", ""), body_token)
        self._record(method, args, body, arrived)
        if fault is not None and fault.late:
            await self._sleep(fault.delay)
        if method == "auth.test" and body.get("ok"):  # Slack says which scopes the token has
            return web.json_response(body, headers={"x-oauth-scopes": ",".join(self.bot_scopes)})
        return web.json_response(body)

    async def _read_args(self, request: web.Request) -> tuple[dict, str]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = json.loads(await request.text() or "{}")
                except ValueError:
                    body = None
                args.update(body if isinstance(body, dict) else {})
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        token = str(args.pop("token", "") or "")
        for key in JSON_ARGS:
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):  # else left as a string; the method reports it as malformed
                    args[key] = json.loads(args[key])
        return args, token

    async def _answer_fault(self, method: str, args: dict, arrived: float, fault: Fault) -> web.StreamResponse:
        error = "ratelimited" if fault.status == 429 else fault.error
        self._record(method, args, {"ok": False, "error": error, "http_status": fault.status}, arrived)
        await self._sleep(fault.delay)
        if fault.status == 429:
            headers = {"Retry-After": str(fault.retry_after if fault.retry_after is not None else 1)}
            return web.json_response({"ok": False, "error": error}, status=429, headers=headers)
        if fault.status >= 500:
            return web.Response(status=fault.status, text=f"{fault.status} {error}", content_type="text/plain")
        return web.json_response({"ok": False, "error": error}, status=fault.status)

    async def _sleep(self, delay: float) -> None:
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    def _record(self, method: str, args: dict, body: dict, arrived: float) -> None:
        self.calls.append(Call(method, args, bool(body.get("ok")), copy.deepcopy(body), arrived))

    def _dispatch(self, method: str, args: dict, authorization: str, body_token: str) -> dict:
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method", "req_method": method}
        token = authorization[len("Bearer ") :] if authorization.startswith("Bearer ") else body_token
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != wanted:
            known = token in (self.bot_token, self.app_token)
            return {"ok": False, "error": "not_allowed_token_type" if known else "invalid_auth"}
        try:
            return {"ok": True, **handler(args)}
        except SlackError as e:
            return {"ok": False, "error": e.error, **e.extra}

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        response_id = request.match_info["rid"]
        if response_id not in self._response_ids:
            return web.Response(status=404, text="no_such_response_url")
        text = await request.text()
        try:
            body = json.loads(text)
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        self.responses.append((response_id, body))
        self.response_peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.Response(text="ok")

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        """The upload URL handed out by files.getUploadURLExternal (step 2 of files_upload_v2)."""
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            return web.Response(status=404, text="unknown_file")
        stored["content"] = await request.read()
        return web.Response(text=f"OK - {len(stored['content'])}")

    def _files_get_upload_url(self, args: dict) -> dict:
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            raise SlackError("invalid_arguments")
        file_id = self._new_id("F")
        self.files[file_id] = {
            "name": args["filename"],
            "title": args["filename"],
            "length": int(args["length"]),
            "content": None,
            "created": int(time.time()),
            "channels": [],
            "initial_comment": None,
        }
        return {"upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_complete(self, args: dict) -> dict:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        done = []
        for item in files or []:
            stored = self.files.get(item.get("id"))
            if stored is None or stored["content"] is None:
                raise SlackError("file_not_found")
            if item.get("title"):
                stored["title"] = item["title"]
            if args.get("channel_id"):
                self._member_channel(args["channel_id"])
                stored["channels"].append(args["channel_id"])
            stored["initial_comment"] = args.get("initial_comment")
            done.append({"id": item["id"], "title": stored["title"], "name": stored["name"]})
        return {"files": done}

    def _files_list(self, args: dict) -> dict:
        """The files shared in a channel (private channels as `groups`, DMs as `ims`), newest first."""
        channel = args.get("channel")
        shared = [(fid, f) for fid, f in self.files.items() if f["content"] is not None and f["channels"]]
        if channel:
            shared = [(fid, f) for fid, f in shared if channel in f["channels"]]
        count = min(int(args.get("count") or 100), 1000)
        listed = []
        for file_id, stored in reversed(shared[-count:]):
            private = [c for c in stored["channels"] if c in self.channels and self.channels[c].is_private]
            listed.append(
                {
                    "id": file_id,
                    "name": stored["name"],
                    "title": stored["title"],
                    "user": self.bot_user_id,
                    "created": stored.get("created", 0),
                    "channels": [c for c in stored["channels"] if c not in private],
                    "groups": private,
                    "ims": [],
                }
            )
        return {"files": listed, "paging": {"count": count, "total": len(listed), "page": 1, "pages": 1}}

    # --------------------------------------------------------------------------- auth & users

    def _auth_test(self, args: dict) -> dict:
        return {
            "url": "https://leak-test.slack.com/",
            "team": "Leak Test",
            "user": "leakbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict) -> dict:
        if "users:read" not in self.bot_scopes:
            raise SlackError("missing_scope", needed="users:read", provided=",".join(self.bot_scopes))
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise SlackError("user_not_found")
        found = copy.deepcopy(user)
        if _flag(args.get("include_locale")) and found["id"] in self.locales:  # only when asked (and set here)
            found["locale"] = self.locales[found["id"]]
        return {"user": found}

    # ---------------------------------------------------------------------------- conversations

    def _find_channel(self, ref: Any) -> FakeChannel | None:
        ref = str(ref or "")
        if ref in self.channels:
            return self.channels[ref]
        dm = next((c for c in self.dms.values() if c.id == ref), None)
        if dm is not None:
            return dm
        if ref in self.users and ref != self.bot_user_id:  # posting to a user id opens the DM
            if ref not in self.dms:
                self.dms[ref] = FakeChannel(self._new_id("D"), ref, True, {self.bot_user_id, ref}, is_im=True)
            return self.dms[ref]
        return self.channel_by_name(ref.lstrip("#")) if ref else None

    def _visible_channel(self, ref: Any) -> FakeChannel:
        channel = self._find_channel(ref)
        if channel is None or (channel.is_private and self.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        return channel

    def _member_channel(self, ref: Any) -> FakeChannel:
        channel = self._visible_channel(ref)
        if channel.is_archived:
            raise SlackError("is_archived")
        if self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _channel_name_error(self, name: str) -> str | None:
        if not name:
            return "invalid_name_required"
        if len(name) > 80:
            return "invalid_name_maxlength"
        if any(not (ch in "-_" or (ch.isalnum() and ch == ch.lower())) for ch in name):
            return "invalid_name_specials"
        if self.ascii_channel_names_only and not name.isascii():
            return "invalid_name_specials"
        if all(ch in "-_" for ch in name):
            return "invalid_name_punctuation"
        if self.channel_by_name(name) is not None:
            return "name_taken"
        return None

    def _conversations_create(self, args: dict) -> dict:
        name = str(args.get("name") or "")
        error = self._channel_name_error(name)
        if error:
            raise SlackError(error)
        channel = self.add_channel(
            name, members=[self.bot_user_id], is_private=_flag(args.get("is_private")), creator=self.bot_user_id
        )
        return {"channel": channel.to_api(self.bot_user_id)}

    def _conversations_invite(self, args: dict) -> dict:
        channel = self._member_channel(args.get("channel"))
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("no_user")
        for user_id in users:
            if user_id == self.bot_user_id:
                raise SlackError("cant_invite_self")
            if user_id not in self.users:
                raise SlackError("user_not_found")
            if self.users[user_id]["deleted"]:
                raise SlackError("cant_invite")
        inside = [u for u in users if u in channel.members]
        if inside and not (_flag(args.get("force")) and len(inside) < len(users)):
            # Slack's answer when anyone named is in already: without force, nobody of the batch is invited
            errors = [{"user": u, "ok": False, "error": "already_in_channel"} for u in inside]
            raise SlackError("already_in_channel", errors=errors)
        channel.members.update(users)
        return {"channel": channel.to_api(self.bot_user_id)}

    def _conversations_set_topic(self, args: dict) -> dict:
        channel = self._member_channel(args.get("channel"))
        topic = str(args.get("topic") or "")
        if len(topic) > 250:
            raise SlackError("too_long")
        channel.topic = topic
        return {"channel": channel.to_api(self.bot_user_id)}

    def _conversations_info(self, args: dict) -> dict:
        return {"channel": self._visible_channel(args.get("channel")).to_api(self.bot_user_id)}

    def _conversations_list(self, args: dict) -> dict:
        """Channels the bot can see, filtered by types, a page at a time (cursor = offset)."""
        types = set(str(args.get("types") or "public_channel").split(","))
        visible = [
            c
            for c in self.channels.values()
            if not c.is_im
            and ("private_channel" if c.is_private else "public_channel") in types
            and (not c.is_private or self.bot_user_id in c.members)
            and not (_flag(args.get("exclude_archived")) and c.is_archived)
        ]
        start, limit = int(args.get("cursor") or 0), min(int(args.get("limit") or 100), 1000)
        page = visible[start : start + limit]
        following = str(start + limit) if start + limit < len(visible) else ""
        return {"channels": [c.to_api(self.bot_user_id) for c in page], "response_metadata": {"next_cursor": following}}

    def _conversations_members(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel"))
        return {"members": sorted(channel.members), "response_metadata": {"next_cursor": ""}}

    def _conversations_history(self, args: dict) -> dict:
        """Newest first, a page at a time (limit, cursor = offset), within oldest/latest; a message's metadata
        only with include_all_metadata, as Slack does."""
        channel = self._member_channel(args.get("channel"))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        newest_first = [m for m in reversed(self.messages.get(channel.id, [])) if oldest < float(m["ts"]) <= latest]
        start, limit = int(args.get("cursor") or 0), min(int(args.get("limit") or 100), 999)
        page = newest_first[start : start + limit]
        metadata = _flag(args.get("include_all_metadata"))
        shown = [{k: v for k, v in self._public(m).items() if metadata or k != "metadata"} for m in page]
        following = str(start + limit) if start + limit < len(newest_first) else ""
        return {"messages": shown, "has_more": bool(following), "response_metadata": {"next_cursor": following}}

    def _conversations_open(self, args: dict) -> dict:
        """The bot's DM with one person (opened when there is none yet)."""
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "too_many_users")
        if users[0] not in self.users or users[0] == self.bot_user_id:
            raise SlackError("user_not_found")
        channel = self._find_channel(users[0])
        assert channel is not None
        return {"channel": {"id": channel.id}}

    # -------------------------------------------------------------------------------- messages

    @staticmethod
    def _public(message: dict) -> dict:
        return {k: v for k, v in message.items() if k != "edits" and v is not None}

    def _message_content(self, args: dict) -> tuple[str | None, list | None]:
        text, blocks = args.get("text"), args.get("blocks")
        if isinstance(blocks, str):
            raise SlackError("invalid_blocks_format")
        if not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        if text is not None and len(str(text)) > 40_000:
            raise SlackError("msg_too_long")
        if blocks is not None:
            problems = validate_message_blocks(blocks)
            if problems:
                raise SlackError(
                    "invalid_blocks",
                    errors=[m.removeprefix("[ERROR] ") for m in problems],
                    response_metadata={"messages": problems},
                )
            blocks = with_generated_ids(blocks)
        return (None if text is None else str(text)), blocks

    def _find_message(self, channel_id: str, ts: Any) -> dict:
        message = next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)
        if message is None:
            raise SlackError("message_not_found")
        return message

    @staticmethod
    def _metadata(args: dict) -> dict | None:
        """A message's metadata as Slack checks it: an event_type and an object event_payload."""
        metadata = args.get("metadata")
        if metadata is None:
            return None
        if (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not metadata["event_type"]
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")
        return {"event_type": metadata["event_type"], "event_payload": copy.deepcopy(metadata["event_payload"])}

    def _chat_post_message(self, args: dict) -> dict:
        channel = self._member_channel(args.get("channel"))
        text, blocks = self._message_content(args)
        metadata = self._metadata(args)
        message = {
            "type": "message",
            "ts": self._new_ts(),
            "text": text or "",
            "blocks": blocks or [],
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "thread_ts": args.get("thread_ts"),
            "metadata": metadata,
            "edits": [],
        }
        self.messages.setdefault(channel.id, []).append(message)
        return {"channel": channel.id, "ts": message["ts"], "message": self._public(message)}

    def _chat_update(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("ts"))
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        text, blocks = self._message_content(args)
        message["edits"].append({"text": message["text"], "blocks": message["blocks"]})
        if text is not None:
            message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks
        message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": self._public(message)}

    def _chat_post_ephemeral(self, args: dict) -> dict:
        user = str(args.get("user") or "")
        if user not in self.users:
            raise SlackError("user_not_found")
        channel_ref = str(args.get("channel") or "")
        channel = self._find_channel(channel_ref) if channel_ref else None
        if not channel_ref or (channel and channel.is_private and self.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        if channel is not None and user not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._message_content(args)
        message_ts = self._new_ts()
        self.ephemerals.append(
            {
                "channel": channel.id if channel else channel_ref,
                "user": user,
                "text": text or "",
                "blocks": blocks or [],
                "thread_ts": args.get("thread_ts"),
                "message_ts": message_ts,
            }
        )
        return {"message_ts": message_ts}

    def _chat_get_permalink(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel"))
        message = self._find_message(channel.id, args.get("message_ts"))
        link = f"https://leak-test.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        return {"channel": channel.id, "permalink": link}

    def _pins_add(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel"))
        ts = args.get("timestamp")
        self._find_message(channel.id, ts)
        pinned = self.pins.setdefault(channel.id, [])
        if ts in pinned:
            raise SlackError("already_pinned")
        pinned.append(ts)
        return {}

    def _pins_list(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel"))
        items = [
            {"type": "message", "channel": channel.id, "message": self._public(self._find_message(channel.id, ts))}
            for ts in self.pins.get(channel.id, [])
        ]
        return {"items": items}

    # ----------------------------------------------------------------------------------- views

    def _checked_view(self, view: Any) -> dict:
        if view is None:
            problems = ["[ERROR] missing required field: view [json-pointer:/]"]
        elif isinstance(view, str):
            problems = ["[ERROR] must provide an object [json-pointer:/view]"]
        else:
            problems = validate_view(view)
        if problems:
            raise SlackError("invalid_arguments", response_metadata={"messages": problems})
        return view

    def _use_trigger(self, trigger_id: Any) -> None:
        issued = self._triggers.get(str(trigger_id or ""))
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - issued > TRIGGER_LIFETIME:
            raise SlackError("expired_trigger_id")
        self._used_triggers.add(trigger_id)

    def _store_view(self, view: dict, *, view_id: str | None = None, previous: str | None = None) -> dict:
        external_id = view.get("external_id", "")
        clash = [v for v in self.views.values() if external_id and v["external_id"] == external_id]
        if any(v["id"] != view_id for v in clash):
            raise SlackError("duplicate_external_id")
        view_id = view_id or self._new_id("V")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": view["title"],
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": with_generated_ids(view["blocks"]),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": external_id,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.views[view_id] = stored
        return copy.deepcopy(stored)

    def _views_open(self, args: dict) -> dict:
        view = self._checked_view(args.get("view"))
        self._use_trigger(args.get("trigger_id"))
        return {"view": self._store_view(view)}

    def _views_push(self, args: dict) -> dict:
        return self._views_open(args)

    def _views_update(self, args: dict) -> dict:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if view_id:
            stored = self.views.get(str(view_id))
        else:
            stored = next((v for v in self.views.values() if external_id and v["external_id"] == external_id), None)
        if stored is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != stored["hash"]:
            raise SlackError("hash_conflict")
        view = self._checked_view(args.get("view"))
        return {"view": self._store_view(view, view_id=stored["id"], previous=stored["previous_view_id"])}

    # ------------------------------------------------------------------------- the App Home

    def _desk_methods(self) -> dict[str, Callable[[dict], dict]]:
        return {"views.publish": self._views_publish}

    def _views_publish(self, args: dict) -> dict:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            raise SlackError("user_not_found")
        view = args.get("view")
        problems = (
            validate_home_view(view)
            if isinstance(view, dict)
            else ["[ERROR] must provide an object [json-pointer:/view]"]
        )
        if problems:
            raise SlackError("invalid_arguments", response_metadata={"messages": problems})
        stored = {
            "id": self._new_id("V"),
            "team_id": self.team_id,
            "type": "home",
            "blocks": with_generated_ids(view["blocks"]),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "app_id": self.app_id,
            "bot_id": self.bot_id,
        }
        self.homes[user] = stored
        return {"view": copy.deepcopy(stored)}

    # ------------------------------------------------------------------- canvases and bookmarks

    def _canvas_methods(self) -> dict[str, Callable[[dict], dict]]:
        return {
            "conversations.canvases.create": self._conversations_canvases_create,
            "canvases.edit": self._canvases_edit,
            "conversations.info": self._conversations_info_with_canvas,
            "files.info": self._files_info,
            "bookmarks.add": self._bookmarks_add,
            "bookmarks.edit": self._bookmarks_edit,
            "bookmarks.list": self._bookmarks_list,
        }

    def channel_canvas(self, channel_id: str) -> dict | None:
        """The channel's canvas (not deleted), if it has one."""
        return next((c for c in self.canvases.values() if c["channel_id"] == channel_id and not c["deleted"]), None)

    def add_channel_canvas(self, channel_id: str, markdown: str, *, user: str) -> dict:
        """A channel canvas someone made in Slack's own client (no API call)."""
        canvas = {
            "id": self._new_id("F"),
            "channel_id": channel_id,
            "markdown": markdown,
            "user": user,
            "edits": [],
            "deleted": False,
        }
        self.canvases[canvas["id"]] = canvas
        return canvas

    def delete_canvas(self, canvas_id: str) -> None:
        """Someone deleted the canvas in Slack."""
        self.canvases[canvas_id]["deleted"] = True

    def remove_bookmark(self, channel_id: str, bookmark_id: str) -> None:
        """Someone removed a bookmark in Slack."""
        self.bookmarks[channel_id] = [b for b in self.bookmarks.get(channel_id, []) if b["id"] != bookmark_id]

    @staticmethod
    def _markdown_content(content: Any) -> str:
        if (
            not isinstance(content, dict)
            or content.get("type") != "markdown"
            or not isinstance(content.get("markdown"), str)
        ):
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] document_content must be {type: markdown, markdown: string}"]},
            )
        if len(content["markdown"]) > 1_048_576:
            raise SlackError("canvas_too_large")
        return content["markdown"]

    def _conversations_canvases_create(self, args: dict) -> dict:
        if self.canvas_refusal:
            raise SlackError(self.canvas_refusal)
        channel = self._member_channel(args.get("channel_id"))
        markdown = self._markdown_content(args.get("document_content"))
        if self.channel_canvas(channel.id) is not None:
            raise SlackError("channel_canvas_already_exists")
        return {"canvas_id": self.add_channel_canvas(channel.id, markdown, user=self.bot_user_id)["id"]}

    def _canvases_edit(self, args: dict) -> dict:
        if self.canvas_refusal:
            raise SlackError(self.canvas_refusal)
        canvas = self.canvases.get(str(args.get("canvas_id") or ""))
        if canvas is None or canvas["deleted"]:
            raise SlackError("canvas_not_found")
        changes = args.get("changes")
        if not isinstance(changes, list) or not changes:
            raise SlackError("invalid_arguments")
        for change in changes:
            if not isinstance(change, dict) or change.get("operation") not in (
                "replace",
                "insert_at_end",
                "insert_at_start",
            ):
                raise SlackError("invalid_arguments")
            markdown = self._markdown_content(change.get("document_content"))
            canvas["edits"].append(canvas["markdown"])
            canvas["markdown"] = {
                "replace": markdown,
                "insert_at_end": canvas["markdown"] + markdown,
                "insert_at_start": markdown + canvas["markdown"],
            }[change["operation"]]
        return {}

    def _conversations_info_with_canvas(self, args: dict) -> dict:
        info = self._conversations_info(args)
        canvas = self.channel_canvas(info["channel"]["id"])
        if canvas is not None:
            info["channel"]["properties"] = {
                "canvas": {
                    "file_id": canvas["id"],
                    "is_empty": not canvas["markdown"],
                    "quip_thread_id": f"Q{canvas['id']}",
                }
            }
        return info

    def _files_info(self, args: dict) -> dict:
        file_id = str(args.get("file") or "")
        if file_id in self.files:
            stored = self.files[file_id]
            return {
                "file": {
                    "id": file_id,
                    "name": stored["name"],
                    "title": stored["title"],
                    "user": self.bot_user_id,
                    "channels": list(stored["channels"]),
                    "size": stored["length"],
                    "permalink": f"https://leak-test.slack.com/files/{self.bot_user_id}/{file_id}/{stored['name']}",
                }
            }
        canvas = self.canvases.get(file_id)
        if canvas is not None and not canvas["deleted"]:
            return {
                "file": {
                    "id": file_id,
                    "filetype": "quip",
                    "pretty_type": "Canvas",
                    "user": canvas["user"],
                    "permalink": f"https://leak-test.slack.com/docs/{self.team_id}/{file_id}",
                }
            }
        raise SlackError("file_not_found")

    def _bookmark_fields(self, args: dict) -> dict:
        link = args.get("link")
        if link is not None and not str(link).startswith(("http://", "https://")):
            raise SlackError("invalid_link")
        return {k: str(args[k]) for k in ("title", "link", "emoji") if args.get(k) is not None}

    def _bookmarks_add(self, args: dict) -> dict:
        channel = self._member_channel(args.get("channel_id"))
        if args.get("type") != "link":
            raise SlackError("invalid_bookmark_type")
        fields = self._bookmark_fields(args)
        if not fields.get("title") or not fields.get("link"):
            raise SlackError("invalid_arguments")
        bookmark = {
            "id": self._new_id("Bk"),
            "channel_id": channel.id,
            "type": "link",
            "emoji": "",
            "entity_id": None,
            "date_created": int(time.time()),
            "date_updated": 0,
            "app_id": self.app_id,
            **fields,
        }
        self.bookmarks.setdefault(channel.id, []).append(bookmark)
        return {"bookmark": copy.deepcopy(bookmark)}

    def _bookmarks_edit(self, args: dict) -> dict:
        channel = self._member_channel(args.get("channel_id"))
        bookmark = next((b for b in self.bookmarks.get(channel.id, []) if b["id"] == args.get("bookmark_id")), None)
        if bookmark is None:
            raise SlackError("not_found")
        bookmark.update(self._bookmark_fields(args), date_updated=int(time.time()))
        return {"bookmark": copy.deepcopy(bookmark)}

    def _bookmarks_list(self, args: dict) -> dict:
        channel = self._visible_channel(args.get("channel_id"))
        return {"bookmarks": copy.deepcopy(self.bookmarks.get(channel.id, []))}

    # ----------------------------------------------------------------------------- Socket Mode

    def _apps_connections_open(self, args: dict) -> dict:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"}

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_socket_message(msg.data)
        finally:
            self._sockets.remove(ws)
            self._draining.discard(id(ws))
        return ws

    def _on_socket_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        self.socket_acks.append(message)
        future = self._acks.get(message.get("envelope_id", "")) if isinstance(message, dict) else None
        if future is not None and not future.done():
            future.set_result(message)

    def _open_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._sockets if not ws.closed and id(ws) not in self._draining]

    async def wait_socket_connected(self, timeout: float = 5.0) -> None:
        await self.wait_until(self._open_sockets, timeout=timeout, what="a Socket Mode connection")

    async def socket_send(
        self,
        type: str,
        payload: dict,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool = True,
        timeout: float = 5.0,
    ) -> dict:
        """Sends an envelope to the newest Socket Mode connection and returns the client's ack."""
        sockets = await self.wait_until(self._open_sockets, timeout=timeout, what="a Socket Mode connection")
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._acks[envelope["envelope_id"]] = future
        self.socket_sent.append(envelope)
        try:
            await sockets[-1].send_json(envelope)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"no ack for {type} envelope {envelope['envelope_id']} within {timeout}s") from None
        finally:
            self._acks.pop(envelope["envelope_id"], None)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Asks every connected client to reconnect, as Slack does before it drops a connection.

        socket_send then waits for (and uses) a connection made after this call."""
        for ws in self._open_sockets():
            self._draining.add(id(ws))
            await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})


async def _serve(port: int) -> None:
    """Runs the fake on 127.0.0.1:port until interrupted, and prints the settings that point leakbot at it."""
    fake = FakeSlack()
    await fake.start(port)
    try:
        print(f"fake Slack on {fake.base}: run leakbot (or `make check`) with", flush=True)
        print(f"SLACK_API_URL={fake.url}", f"SLACK_BOT_TOKEN={fake.bot_token}", sep="\n", flush=True)
        print(f"SLACK_APP_TOKEN={fake.app_token}  # Socket Mode; leave out for HTTP mode", flush=True)
        await asyncio.Event().wait()
    finally:
        await fake.stop()


if __name__ == "__main__":  # python -m tests.fake_slack [PORT]: try leakbot without a Slack workspace
    import sys

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8089))
