"""Attacks on "files stay private" (issue 18, promise 12) that the door's own tests do not try: a database
reached through a symbolic link (SQLite keeps its -wal and -shm beside the real file, not the link), and
`leakbot export -o` into a file that someone else owns or into a directory."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.test_offline import leakbot, one_error_line, prepared_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_database_reached_through_a_symlink_has_its_real_files_made_private(
    fake: FakeSlack, tmp_path: Path
) -> None:
    real = tmp_path / "volume" / "leakbot.db"
    real.parent.mkdir()
    # another program holds the real database open in WAL mode: its -wal and -shm exist, all three 0644
    with closing(sqlite3.connect(real)) as other:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("CREATE TABLE notes (body TEXT)")
        other.execute("INSERT INTO notes VALUES ('架空のメモ')")
        other.commit()
        files = [real, Path(f"{real}-wal"), Path(f"{real}-shm")]
        for file in files:
            file.chmod(0o644)
        link = tmp_path / "app" / "leakbot.db"
        link.parent.mkdir()
        link.symlink_to(real)
        bot = BotProcess(fake, tmp_path, database_url=f"sqlite+aiosqlite:///{link}")
        await bot.start()
        try:
            assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
        finally:
            await bot.stop()
    assert link.is_symlink()  # the link itself is left as it is
    log = bot.log_path.read_text()
    assert "readable by others" in log and "Traceback" not in log, bot.log_tail()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
async def test_export_refuses_a_file_that_someone_else_owns(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "leakbot.db")
    theirs = tmp_path / "incident.yaml"  # made ready by another account, which would read what lands in it
    theirs.write_text("")
    os.chown(theirs, 65534, 65534)
    theirs.chmod(0o644)
    line = one_error_line(leakbot(tmp_path, "export", str(incident_id), "-o", str(theirs), DATABASE_URL=url))
    assert str(theirs) in line and "owned by another user" in line
    assert theirs.read_text() == "" and mode(theirs) == 0o644 and theirs.stat().st_uid == 65534  # untouched


async def test_export_into_a_directory_is_refused_in_one_line(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "leakbot.db")
    folder = tmp_path / "exports"
    folder.mkdir()
    line = one_error_line(leakbot(tmp_path, "export", str(incident_id), "-o", str(folder), DATABASE_URL=url))
    assert str(folder) in line
    assert list(folder.iterdir()) == []
