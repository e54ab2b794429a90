"""leakbot as Python users get it: the Makefile's venv, the two locks, and the wheel with its metadata and manifest.

The Makefile is run for real on a copy in a temporary folder, with stand-in interpreters (shell scripts that
answer its probe and log what pip was asked), so that no test installs anything or reaches a registry. The
wheel is built offline (pip wheel --no-build-isolation --no-index, with the development lock's setuptools)
from a copy of the sources and installed with pip into a folder of its own.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot import check
from tests.processes import ROOT, clean_env, free_port

DEV_TOOLS = ("pytest", "pytest-asyncio", "hypothesis", "mypy", "ruff", "jsonschema", "types-pyyaml", "setuptools")
PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", re.MULTILINE)


# --- the Makefile ------------------------------------------------------------------------------------------


def make(folder: Path, *args: str, python: Path | str | None = None) -> subprocess.CompletedProcess[str]:
    """Runs `make ARGS` in `folder` (a copy of the Makefile), with PYTHON set when given."""
    command = ["make", "--no-print-directory", *args]
    if python is not None:
        command.append(f"PYTHON={python}")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "PYTHON")}
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=60, check=False)


def script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def fake_python(path: Path, version: str) -> Path:
    """A stand-in interpreter: answers the Makefile's probe with `version` and its own path; `-m venv DIR`
    makes DIR/bin/python, which appends every pip command it is given to DIR/pip.log."""
    return script(
        path,
        f"""#!/bin/sh
if [ "$1" = "-c" ]; then echo "{version} $0"; exit 0; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/sh\\necho "$*" >> "%s/pip.log"\\n' "$3" > "$3/bin/python"
  chmod +x "$3/bin/python"
  exit 0
fi
echo "unexpected: $*" >&2; exit 1
""",
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding a copy of the Makefile and the files its rules depend on."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy2(ROOT / name, folder / name)
    return folder


def pip_log(folder: Path) -> list[str]:
    log = folder / ".venv" / "pip.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.mark.parametrize("target", ["run", "check", "test", "lint", "install", "lock"])
def test_an_older_python_stops_make_at_once_with_one_line(project: Path, tmp_path: Path, target: str) -> None:
    old = fake_python(tmp_path / "old" / "python3", "3.10.12")
    done = make(project, target, python=old)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Python 3.10.12" in lines[0] and "needs Python 3.11 or newer" in lines[0], lines
    assert f"make {target} PYTHON=python3.11" in lines[0]
    assert not (project / ".venv").exists()  # nothing was made or installed


def test_an_older_python3_on_path_is_named_as_found(project: Path, tmp_path: Path) -> None:
    fake_python(tmp_path / "bin" / "python3", "3.10.12")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "PYTHON")}
    env["PATH"] = f"{tmp_path / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(["make", "run"], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "python3 is Python 3.10.12; leakbot needs Python 3.11" in done.stderr


def test_a_missing_python_is_one_line_too(project: Path, tmp_path: Path) -> None:
    done = make(project, "run", python=tmp_path / "nowhere" / "python3.11")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "was not found or did not run; leakbot needs Python 3.11" in done.stderr


def test_help_and_clean_need_no_python(project: Path, tmp_path: Path) -> None:
    (project / ".venv").mkdir()
    assert make(project, "help", python=tmp_path / "nowhere").returncode == 0
    assert make(project, "clean", python=tmp_path / "nowhere").returncode == 0
    assert not (project / ".venv").exists()


def test_run_and_check_install_the_runtime_lock_only_and_switching_reinstalls_nothing(
    project: Path, tmp_path: Path
) -> None:
    python = fake_python(tmp_path / "a" / "python3.11", "3.11.9")
    assert make(project, "install", python=python).returncode == 0
    runtime = pip_log(project)
    assert "-m pip install --quiet --require-hashes -r requirements.lock" in runtime
    assert "-m pip install --quiet --no-deps -e ." in runtime
    assert not any("requirements-dev.lock" in line for line in runtime)

    script(project / ".venv" / "bin" / "leakbot", '#!/bin/sh\necho "leakbot was run with: $*"\n')
    checked = make(project, "check", "ARGS=--manifest manifest.http.yml", python=python)
    assert checked.returncode == 0 and "leakbot was run with: check --manifest manifest.http.yml" in checked.stdout
    ran = make(project, "run", python=python)
    assert ran.returncode == 0 and "leakbot was run with: \n" in ran.stdout
    assert pip_log(project) == runtime  # neither installed anything more: no test tool

    assert make(project, "dev", python=python).returncode == 0  # what make test and make lint install
    dev = pip_log(project)[len(runtime) :]
    assert dev == ["-m pip install --quiet --require-hashes -r requirements-dev.lock"]

    for target in ("install", "dev", "install"):  # back and forth: nothing to do
        done = make(project, target, python=python)
        assert done.returncode == 0, done
    assert len(pip_log(project)) == len(runtime) + len(dev)

    (project / "requirements.lock").touch()  # a changed runtime lock is installed again, then the dev lock on top
    assert make(project, "dev", python=python).returncode == 0
    assert [line.split(" -r ")[-1] for line in pip_log(project)[len(runtime) + len(dev) :] if " -r " in line] == [
        "requirements.lock",
        "requirements-dev.lock",
    ]


@pytest.mark.parametrize(("other", "version"), [("b/python3.11", "3.11.9"), ("a/python3.11", "3.12.1")])
def test_a_venv_made_by_another_python_is_rebuilt(project: Path, tmp_path: Path, other: str, version: str) -> None:
    first = fake_python(tmp_path / "a" / "python3.11", "3.11.9")
    assert make(project, "install", python=first).returncode == 0
    assert (project / ".venv" / ".python").read_text(encoding="utf-8").split() == ["3.11.9", str(first)]
    (project / ".venv" / "left-by-the-first").touch()

    again = make(project, "install", python=first)  # the same interpreter: the venv is kept
    assert again.returncode == 0 and "rebuilding" not in again.stdout
    assert (project / ".venv" / "left-by-the-first").exists()

    second = tmp_path / other
    if second != first:
        fake_python(second, version)
    else:  # the same path, now another version (a Python upgraded in place)
        first.write_text(first.read_text(encoding="utf-8").replace("3.11.9", version), encoding="utf-8")
    done = make(project, "install", python=second)
    assert done.returncode == 0, done
    assert "rebuilding .venv" in done.stdout
    assert not (project / ".venv" / "left-by-the-first").exists()
    assert (project / ".venv" / ".python").read_text(encoding="utf-8").split() == [version, str(second)]
    assert "-r requirements.lock" in " ".join(pip_log(project))  # everything installed again, into the new venv


def test_a_venv_made_before_the_interpreter_was_recorded_is_rebuilt(project: Path, tmp_path: Path) -> None:
    (project / ".venv" / "bin").mkdir(parents=True)  # as the Makefile before this one left it
    (project / ".venv" / ".installed").touch()
    done = make(project, "install", python=fake_python(tmp_path / "a" / "python3", "3.11.9"))
    assert done.returncode == 0 and "rebuilding .venv" in done.stdout
    assert not (project / ".venv" / ".installed").exists()


# --- the locks ---------------------------------------------------------------------------------------------


def pins(name: str) -> dict[str, str]:
    return dict(PIN.findall((ROOT / name).read_text(encoding="utf-8")))


def test_the_runtime_lock_holds_no_development_tool() -> None:
    runtime = pins("requirements.lock")
    assert not set(DEV_TOOLS) & set(runtime), sorted(set(DEV_TOOLS) & set(runtime))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in pyproject["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()
        assert name in runtime, f"{name} is a dependency but not in requirements.lock"


def test_the_development_lock_pins_every_runtime_package_alike_and_the_test_tools() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert set(DEV_TOOLS) <= set(dev)


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_of_both_locks_carries_its_hashes(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    entries = [entry for entry in re.split(r"\n(?=[a-z0-9])", text) if PIN.match(entry)]
    assert entries and all("--hash=sha256:" in entry for entry in entries)
    assert len(entries) == len(pins(name))


# --- the wheel ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline from a copy of the sources (symbolic links kept, as git checks them out)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE", "manifest.yml", *check.PACKAGED_MANIFESTS):
        shutil.copy2(ROOT / name, source / name)
    for package in ("bot", "handlers", "storage"):
        shutil.copytree(ROOT / package, source / package, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    offline = ["--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *offline, "--wheel-dir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("leakbot-*.whl")
    return built


def test_the_wheel_says_its_license_python_urls_classifiers_and_keywords(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
        license_text = archive.read(metadata_name.replace("METADATA", "licenses/LICENSE")).decode("utf-8")
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE" and license_text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert metadata["Requires-Python"] == ">=3.11"
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL"))
    assert urls["Homepage"] == urls["Source"] == "https://github.com/leakbot/leakbot"
    assert urls["Issues"] == "https://github.com/leakbot/leakbot/issues"
    classifiers = metadata.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers and "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # the SPDX expression says it (PEP 639)
    assert "slack" in metadata["Keywords"].split(",")
    assert any(r.startswith("slack-bolt") for r in metadata.get_all("Requires-Dist"))
    for package in ("bot", "handlers", "storage"):
        assert f"{package}/py.typed" in names
    assert "bot/templates/public.ja.j2" in names and "storage/migrations/env.py" in names
    assert not [n for n in names if n.startswith("tests/")]


def test_every_top_level_manifest_is_packaged() -> None:
    """The app manifests at the top level (pasted by users) ship in the package as links to the same files."""
    top_level = {path.name for path in ROOT.glob("manifest*.yml")}
    assert top_level == set(check.PACKAGED_MANIFESTS), (
        "add the new manifest to bot.check.PACKAGED_MANIFESTS and link it: ln -s ../NAME bot/NAME"
    )
    for name in check.PACKAGED_MANIFESTS:
        link = ROOT / "bot" / name
        assert link.is_symlink() and os.readlink(link) == f"../{name}", f"bot/{name} must link to ../{name}"
        assert check.packaged_manifest(name) == (ROOT / name).resolve()


def test_a_manifest_not_packaged_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"manifest\.nope\.yml is not packaged"):
        check.packaged_manifest("manifest.nope.yml")


def test_leakbot_check_finds_the_packaged_manifest_after_a_wheel_install(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in check.PACKAGED_MANIFESTS:  # manifest.yml and manifest.http.yml, real files in the wheel
        shipped = site / "bot" / name
        assert shipped.is_file() and not shipped.is_symlink()
        assert shipped.read_bytes() == (ROOT / name).read_bytes()
    installed = site / "bot" / "manifest.yml"

    elsewhere = tmp_path / "elsewhere"  # a folder with no manifest.yml, as after `pip install leakbot`
    elsewhere.mkdir()
    env = clean_env(
        SLACK_BOT_TOKEN="xoxb-not-checked-here",
        SLACK_SIGNING_SECRET="not-checked-here",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",  # nobody listens: the Slack checks fail, not this one
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'none.db'}",
        PYTHONPATH=str(site),  # the installed wheel, not the sources (its dependencies come from this venv)
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60
    )
    manifest_lines = [line for line in done.stdout.splitlines() if line[2:].startswith("manifest:")]
    assert manifest_lines == [
        f"✓ manifest: {installed} declares the {len(check.COMMANDS)} commands, {len(check.SHORTCUTS)} shortcuts, "
        f"{len(check.EVENTS)} events and {len(check.SCOPES)} scopes the code needs; it is made for the other mode: "
        "the bot runs in HTTP mode, see manifest.http.yml (HTTP mode)"  # HTTP mode here (no SLACK_APP_TOKEN)
    ], done
    assert done.returncode == 1  # the database and Slack checks fail here, as they should
