"""Real leakbot processes, started as a user starts them (`python -m bot`, settings in the environment only).

Tests that use them talk to the bot only through signed HTTP and look only at what the fake Slack
received: nothing here reads the bot's database or its internals.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import SIGNING_SECRET
from tests.contract import CONTRACT_VARIABLES
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, sign, slash_command

ROOT = Path(__file__).resolve().parents[1]
# Every variable a leakbot process could read: a child process starts with none of them from this one.
CONFIG_VARS = CONTRACT_VARIABLES


def clean_env(**values: str) -> dict[str, str]:
    """The process environment without any leakbot setting, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_healthy(http: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        if process.returncode is not None:
            raise AssertionError(f"leakbot exited with {process.returncode}")
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("leakbot did not become healthy")


async def run_cli(folder: Path, *args: str, env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    """Runs `python -m bot ARGS` in `folder` to its end; returns its exit status, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None  # it has ended: communicate() waits for that
    return process.returncode, out.decode(), err.decode()


class BotProcess:
    """A real leakbot process on the given database, talking to the fake Slack: in HTTP mode, or in Socket
    Mode with SLACK_APP_TOKEN among the `settings` (then only /healthz and /metrics listen on its port).

    Its log goes to `log_path` (a file in `folder`), so that a failing test can show it."""

    def __init__(self, fake: FakeSlack, folder: Path, *, database_url: str | None = None, **settings: str) -> None:
        self.fake, self.port = fake, free_port()
        self.env = clean_env(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.url,
            DATABASE_URL=database_url or f"sqlite+aiosqlite:///{folder / 'leakbot.db'}",
            HOST="127.0.0.1",
            PORT=str(self.port),
            LEAKBOT_NUDGE_TICK="1",
            **settings,
        )
        self.folder = folder
        self.log_path = folder / f"leakbot-{self.port}.log"
        self.process: Any = None

    async def launch(self) -> None:
        """Starts the process without waiting for it to be healthy."""
        with open(self.log_path, "ab") as log:  # noqa: ASYNC230 - the child's log file, opened once at its start
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.folder, env=self.env, stdout=log, stderr=log
            )

    async def start(self) -> None:
        await self.launch()
        async with aiohttp.ClientSession() as http:
            await wait_healthy(http, f"http://127.0.0.1:{self.port}/healthz", self.process)

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def post(
        self, body: bytes, *, http: aiohttp.ClientSession | None = None, extra: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """POSTs a body to /slack/events signed as Slack signs it; returns the status and the raw reply.

        With `http` the request goes over that session's kept-alive connections (as Slack's would); `extra`
        headers are sent too (Slack's X-Slack-Retry-Num on a retry)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body), **(extra or {})}
        if http is not None:
            async with http.post(self.events_url, data=body, headers=headers) as response:
                return response.status, await response.text()
        async with aiohttp.ClientSession() as own, own.post(self.events_url, data=body, headers=headers) as response:
            return response.status, await response.text()

    async def open_form(
        self,
        title: str,
        *,
        user: str = "U0ALICE",
        channel: str = "C0GENERAL",
        http: aiohttp.ClientSession | None = None,
    ) -> dict[str, Any]:
        """Types /leak-open as `user` and returns the new-incident modal this command opened, once Slack has it."""
        opened = len([c for c in self.fake.calls_to("views.open") if c.ok])
        command = slash_command(
            "/leak-open",
            title,
            user_id=user,
            channel_id=channel,
            trigger_id=self.fake.new_trigger_id(),
            response_url=self.fake.response_url(),
        )
        status, _ = await self.post(form_body(command), http=http)
        assert status == 200, self.log_tail()
        call = await self.fake.wait_for("views.open", lambda c: c.ok, count=opened + 1)
        return self.fake.views[call.response["view"]["id"]]

    def log_tail(self, lines: int = 30) -> str:
        """The end of the process's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)

    async def refused_start(self, timeout: float = 30) -> str:
        """Launches a process that must end by itself (a start refused), and returns its one `leakbot: `
        line, after checking it ended with status 2 and no traceback."""
        await self.launch()
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            await self.stop()
        log = self.log_path.read_text()
        assert code == 2, log
        assert "Traceback" not in log, log
        [line] = [text for text in log.splitlines() if text.startswith("leakbot: ")]
        return line

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.kill()
                await self.process.wait()
