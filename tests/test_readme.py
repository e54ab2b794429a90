"""The README is a path a newcomer follows, and it holds: every command in it runs, every link leads somewhere.

Every command in a ```sh or ```console block of README.md has a runner here that really executes it, in a
temporary copy of the checkout (as a fresh clone), against the fake Slack; a command without a runner fails
`test_every_readme_command_has_a_runner`, so a new command cannot go into the README untested. The commands
run in the README's order in one walk (`test_the_readme_path_runs`), because each step builds on the one
before: `.env` from `.env.example`, `make run` makes the database, `make check` reads both.

`make run` and `make check` run as the commands they end in (`.venv/bin/leakbot`, `.venv/bin/leakbot check`)
with this venv: make itself would build a second venv in the copy, which the packaging tests cover.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import shlex
import shutil
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import checklist
from bot.cli import main as leakbot_main
from bot.cli import parser
from bot.config import Settings, load_settings
from bot.drafting import DOCS
from handlers.surface import COMMANDS
from tests.contract import CONTRACT_COMMANDS, CONTRACT_DOCS, CONTRACT_ITEMS, CONTRACT_SUBCOMMANDS, CONTRACT_VARIABLES
from tests.fake_slack import FakeSlack
from tests.processes import CONFIG_VARS, clean_env, free_port
from tests.slack_payloads import slash_command

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_LINES = 220
NOT_YET = "not yet in this version"
BIN = Path(sys.executable).parent  # the venv the tests run in: `.venv/bin` of the checkout


# ------------------------------------------------------------------------------------------- the README


def readme_commands(text: str) -> list[list[str]]:
    """The commands of the ```sh and ```console blocks, in order, as argument lists (comments dropped; in a
    console block only the lines after a `$ ` prompt)."""
    commands: list[list[str]] = []
    for lang, block in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S):
        if lang not in ("sh", "console"):
            continue
        for line in block.splitlines():
            if lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            argv = shlex.split(line, comments=True)
            if argv:
                commands.append(argv)
    return commands


def test_the_readme_is_short() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; keep it a path, at most {MAX_LINES}"


def test_the_readme_is_a_path_in_order() -> None:
    """The steps come in the order a newcomer takes them, and say how to call leakbot outside make."""
    text = README.read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    numbered = [section for section in sections if re.match(r"\d\. ", section)]
    steps = ["manifest.yml", "cp .env.example .env", "make run", "make check", "/leak-open"]
    assert [section[:2] for section in numbered] == ["1.", "2.", "3.", "4.", "5."], "five numbered steps"
    for step, section in zip(steps, numbered, strict=True):
        assert step in section, f"step {section.splitlines()[0]!r} should say {step!r}"
    assert "![" in text.split("## 1.")[0], "the README opens with a picture of the channel"
    assert ".venv/bin/leakbot" in text and ". .venv/bin/activate" in text


# ------------------------------------------------------------------------------- running the commands


@dataclass
class Newcomer:
    """A fresh copy of the checkout, with the fake Slack standing in for the workspace."""

    folder: Path
    fake: FakeSlack
    port: int

    def env_file(self) -> Path:
        return self.folder / ".env"

    def fill_env(self, values: dict[str, str]) -> None:
        """Puts values into .env as a person would: replacing the example's line of each, or adding it."""
        lines = self.env_file().read_text().splitlines()
        for name, value in values.items():
            pattern = re.compile(rf"^\s*#?\s*{name}\s*=")
            at = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
            if at is None:
                lines.append(f"{name}={value}")
            else:
                lines[at] = f"{name}={value}"
        self.env_file().write_text("\n".join(lines) + "\n")

    def slack_settings(self) -> dict[str, str]:
        """What the newcomer copies from the Slack app's pages (here: the fake's), and a free port for /healthz."""
        return {
            "SLACK_BOT_TOKEN": self.fake.bot_token,
            "SLACK_APP_TOKEN": self.fake.app_token,
            "SLACK_API_URL": self.fake.url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }


def executable(command: str) -> str:
    """`.venv/bin/X` of the README is this venv's X (the copy has no venv of its own)."""
    if command.startswith(".venv/bin/"):
        return str(BIN / command.removeprefix(".venv/bin/"))
    return command


async def run(newcomer: Newcomer, *argv: str, timeout: float = 60) -> tuple[int, str, str]:
    """Runs a command in the copy, with no leakbot setting in its environment (they come from .env)."""
    process = await asyncio.create_subprocess_exec(
        executable(argv[0]),
        *argv[1:],
        cwd=newcomer.folder,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def copy_env_example(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`cp .env.example .env`, then the tokens filled in: leakbot's configuration loads from that file."""
    status, _, err = await run(newcomer, *argv)
    assert status == 0, err
    assert newcomer.env_file().read_text() == (newcomer.folder / ".env.example").read_text()
    newcomer.fill_env(newcomer.slack_settings())
    for name in CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(newcomer.folder)  # .env is read from the working directory, as the bot does
    settings = load_settings()
    assert settings.slack_bot_token == newcomer.fake.bot_token
    assert settings.slack_app_token is not None  # Socket Mode, as the README's first path


async def make_run(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` ends in `.venv/bin/leakbot`: it starts, connects in Socket Mode, and a first /leak-open
    opens the new-incident form; then it stops on SIGTERM."""
    assert argv == ["make", "run"]
    log = newcomer.folder / "leakbot.log"
    with open(log, "wb") as out:  # noqa: ASYNC230 - the child's log, opened once at its start
        process = await asyncio.create_subprocess_exec(
            str(BIN / "leakbot"), cwd=newcomer.folder, env=clean_env(), stdout=out, stderr=out
        )
    try:
        await newcomer.fake.wait_socket_connected(timeout=30)
        command = slash_command(
            "/leak-open",
            "はじめての訓練",
            user_id="U0ALICE",
            channel_id="C0GENERAL",
            trigger_id=newcomer.fake.new_trigger_id(),
            response_url=newcomer.fake.response_url(),
        )
        await newcomer.fake.socket_send("slash_commands", command)
        await newcomer.fake.wait_for("views.open", lambda call: call.ok)
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- leakbot's log:\n{log.read_text(errors='replace')}") from None
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 20)
    assert status == 0, log.read_text(errors="replace")
    assert "Traceback" not in log.read_text(errors="replace")
    assert (newcomer.folder / "leakbot.db").exists()  # the default DATABASE_URL, made in the working directory


async def leakbot_check_passes(newcomer: Newcomer) -> None:
    status, out, err = await run(newcomer, ".venv/bin/leakbot", "check")
    lines = [line for line in out.splitlines() if line.strip()]
    assert status == 0, out + err
    assert lines and all(line.startswith("✓ ") for line in lines), out
    for check in ("configuration", "database", "bot token", "scopes", "app token", "manifest"):
        assert any(line.startswith(f"✓ {check}:") for line in lines), (check, out)


async def make_check(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`make check` runs `.venv/bin/leakbot check`: exit 0 and every line a ✓, against the fake Slack."""
    assert argv == ["make", "check"]
    await leakbot_check_passes(newcomer)


async def leakbot_draft(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`.venv/bin/leakbot draft FILE …` prints the document, as leakbot's own `main` renders it in-process."""
    status, out, err = await run(newcomer, *argv)
    assert status == 0, err
    assert err == "" and out.strip()
    monkeypatch.chdir(newcomer.folder)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert leakbot_main(argv[1:]) == 0
    assert out == printed.getvalue()


async def fake_slack_alone(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m tests.fake_slack PORT` prints three settings; put in .env, `leakbot check` passes with them.

    It is run on a free port rather than the README's (which may be taken on this machine)."""
    assert argv[1:3] == ["-m", "tests.fake_slack"] and argv[3].isdigit()
    process = await asyncio.create_subprocess_exec(
        executable(argv[0]),
        "-m",
        "tests.fake_slack",
        str(free_port()),
        cwd=newcomer.folder,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = [(await asyncio.wait_for(process.stdout.readline(), 15)).decode() for _ in range(4)]
        printed = dict(line.split("  #")[0].strip().split("=", 1) for line in lines[1:])
        assert set(printed) == {"SLACK_API_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}, lines
        newcomer.fill_env(printed)
        await leakbot_check_passes(newcomer)
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0


async def make_dry_run(newcomer: Newcomer, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`make test` and `make lint` in a fresh clone: what make would run (`make -n`), since running the suite
    from inside itself would never end: the development lock installed with its hashes over the runtime
    one, then pytest over everything, or ruff and mypy. That the suite and the linters pass is what
    running this file (in CI: `make lint` then `make test`) shows."""
    assert argv in (["make", "test"], ["make", "lint"])
    status, out, err = await run(newcomer, "make", "-n", argv[1])
    assert status == 0, out + err
    plan = out.splitlines()
    installs = [line for line in plan if "pip install --quiet --require-hashes -r" in line]
    assert [line.rsplit(" ", 1)[1] for line in installs] == ["requirements.lock", "requirements-dev.lock"], out
    if argv[1] == "test":
        assert plan.index(installs[-1]) < next(i for i, line in enumerate(plan) if "-m pytest" in line), out
    else:
        assert {".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"} <= set(plan), out


Runner = Callable[[Newcomer, list[str], pytest.MonkeyPatch], Awaitable[None]]
RUNNERS: tuple[tuple[str, Runner], ...] = (
    (r"cp \.env\.example \.env", copy_env_example),
    (r"make run", make_run),
    (r"make check", make_check),
    (r"make (test|lint)", make_dry_run),
    (r"\.venv/bin/leakbot draft examples/\S+\.yaml( --\S+( \S+)?)*", leakbot_draft),
    (r"\.venv/bin/python -m tests\.fake_slack \d+", fake_slack_alone),
)


def runner_for(argv: list[str]) -> Runner | None:
    found = [runner for pattern, runner in RUNNERS if re.fullmatch(pattern, shlex.join(argv))]
    assert len(found) <= 1, f"{shlex.join(argv)} matches several runners"
    return found[0] if found else None


def test_every_readme_command_has_a_runner() -> None:
    commands = readme_commands(README.read_text())
    assert commands, "the README has no commands"
    untested = [shlex.join(argv) for argv in commands if runner_for(argv) is None]
    assert not untested, f"README commands no test runs (add a runner in tests/test_readme.py): {untested}"


def test_commands_are_read_from_sh_and_console_blocks_only() -> None:
    text = (
        "```sh\nmake run   # starts it\n# a comment\n\n```\n```text\nnot run\n```\n```console\n$ make check\nok\n```\n"
    )
    assert readme_commands(text) == [["make", "run"], ["make", "check"]]


def copy_of_the_checkout(folder: Path) -> Path:
    """The checkout as a fresh clone has it: no venv, database, .env or caches."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "*.db", "*.db-*", ".env", "__pycache__", ".pytest_cache", "*.egg-info", ".mypy_cache"
    )
    shutil.copytree(ROOT, folder, ignore=ignore)
    return folder


async def test_the_readme_path_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of the README, in its order, in a fresh copy of the checkout, against the fake Slack."""
    commands = readme_commands(README.read_text())
    async with FakeSlack() as fake:
        newcomer = Newcomer(copy_of_the_checkout(tmp_path / "leakbot"), fake, free_port())
        for argv in commands:
            runner = runner_for(argv)
            assert runner is not None, f"no runner for {shlex.join(argv)}"
            try:
                await runner(newcomer, argv, monkeypatch)
            except AssertionError as error:
                raise AssertionError(f"README command `{shlex.join(argv)}` failed: {error}") from None


# ------------------------------------------------------------------------------------ links and pictures


def markdown_files() -> list[Path]:
    return [README, ROOT / "CONTRIBUTING.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text outside fenced code blocks, with inline code spans emptied (their brackets are not links)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "``", text)


def links(text: str) -> list[str]:
    """Every link and image target of a Markdown text, outside code."""
    return re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", prose(re.sub(r"\[`([^`\n]*)`\]", r"[\1]", text)))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for a Markdown file's headings."""
    seen: dict[str, int] = {}
    found = set()
    outside_blocks = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    for heading in re.findall(r"^#{1,6} (.+)$", outside_blocks, flags=re.M):
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_anchors_are_made_as_github_makes_them(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Top\n## 2. Fill in `.env`\n```sh\n# not a heading\n```\n## Owners, nudges\n## Top\n")
    assert anchors(page) == {"top", "2-fill-in-env", "owners-nudges", "top-1"}


def test_links_find_what_they_name() -> None:
    broken = []
    for source in markdown_files():
        for target in links(source.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path_part, _, anchor = target.partition("#")
            path = (source.parent / path_part).resolve() if path_part else source
            where = f"{source.relative_to(ROOT)} → {target}"
            if not path.exists():
                broken.append(where)
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_doc_is_linked_from_the_readme() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README.read_text())}
    missing = [str(p.relative_to(ROOT)) for p in markdown_files()[1:] if p.resolve() not in linked]
    assert not missing, f"not reachable from the README: {missing}"


# ------------------------------------------------------------------------------- the surface, documented


def documentation() -> list[str]:
    """The lines of the README and of every Markdown file reachable from it by links."""
    seen: set[Path] = set()
    todo = [README]
    lines: list[str] = []
    while todo:
        path = todo.pop()
        if path in seen or not path.exists() or path.suffix != ".md":
            continue
        seen.add(path)
        text = path.read_text()
        lines.extend(text.splitlines())
        for target in links(text):
            if not re.match(r"[a-z]+:", target) and target.partition("#")[0]:
                todo.append((path.parent / target.partition("#")[0]).resolve())
    return lines


def subcommands() -> set[str]:
    actions = [a for a in parser()._actions if a.dest == "command"]
    return set(actions[0].choices or ()) - {"run"} if actions else set()


def named(text: str) -> str:
    """How a name is looked for: as a word of its own (`PORT` is not `PORTS`, `/leak-open` not `/leak-opened`)."""
    return rf"(?<![\w/-]){re.escape(text)}(?![\w-])"


def in_code(text: str) -> str:
    """As an inline code span of its own: `title`, not the word "title" of a sentence."""
    return re.escape(f"`{text}`")


# for each kind: what the code has, what the contract names, and how a mention of one looks
SURFACE: dict[str, Callable[[], tuple[set[str], set[str], Callable[[str], str]]]] = {
    "variable": lambda: ({name.upper() for name in Settings.model_fields}, set(CONTRACT_VARIABLES), in_code),
    "slash command": lambda: (set(COMMANDS), set(CONTRACT_COMMANDS), named),
    "subcommand": lambda: (subcommands(), set(CONTRACT_SUBCOMMANDS), lambda name: named(f"leakbot {name}")),
    "document": lambda: (set(DOCS), set(CONTRACT_DOCS), named),
    "item id": lambda: (set(checklist.ITEMS), set(CONTRACT_ITEMS), in_code),
}


@pytest.mark.parametrize("kind", SURFACE)
def test_the_whole_surface_is_documented(kind: str) -> None:
    """Every variable, slash command, subcommand, document and item id of the code and of the contract is in
    the README or a doc it links to; those the code lacks are marked "not yet in this version" where they
    are named, and those it has are documented somewhere without that mark."""
    built, contract, pattern = SURFACE[kind]()
    assert built, f"found no {kind} in the code"
    lines = documentation()
    problems = []
    for name in sorted(built | contract):
        where = [line for line in lines if re.search(pattern(name), line)]
        if not where:
            problems.append(f"{name}: not documented")
        elif name not in built and not any(NOT_YET in line for line in where):
            problems.append(f"{name}: not in the code, and not marked '{NOT_YET}'")
        elif name in built and all(NOT_YET in line for line in where):
            problems.append(f"{name}: in the code, but only ever marked '{NOT_YET}'")
    assert not problems, f"{kind}s:\n" + "\n".join(problems)
