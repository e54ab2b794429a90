"""Files stay private (issue 18, promise 12): the SQLite files are made 0600 at every start, deleted
content is overwritten (secure_delete), and `leakbot export -o` never follows a symlink."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine, sessionmaker
from storage.sqlite_sessions import SQLiteSessions
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.test_offline import leakbot, one_error_line, prepared_database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_real_start_makes_a_readable_database_and_its_log_files_private(
    fake: FakeSlack, tmp_path: Path
) -> None:
    database = tmp_path / "shared.db"
    # another program holds the database open in WAL mode: its -wal and -shm exist, all three 0644
    with closing(sqlite3.connect(database)) as other:
        other.execute("PRAGMA journal_mode=WAL")
        other.execute("CREATE TABLE notes (body TEXT)")
        other.execute("INSERT INTO notes VALUES ('架空のメモ')")
        other.commit()
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        for file in files:
            assert file.exists()
            file.chmod(0o644)
        bot = BotProcess(fake, tmp_path, database_url=f"sqlite+aiosqlite:///{database}")
        await bot.start()
        try:
            assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
        finally:
            await bot.stop()
    log = bot.log_path.read_text()
    for file in files:
        assert f"{file} was readable by others (mode 644); made it 600" in log, bot.log_tail()
    assert "Traceback" not in log


async def test_a_private_database_starts_without_a_warning(fake: FakeSlack, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path)
    await bot.start()
    await bot.stop()
    await bot.start()  # the second start finds the files it made: private already
    await bot.stop()
    assert mode(tmp_path / "leakbot.db") == 0o600
    assert "readable by others" not in bot.log_path.read_text(), bot.log_tail()


async def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}")
    sessions = sessionmaker(engine)
    assert isinstance(sessions, SQLiteSessions)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA secure_delete"))).scalar() == 1
        async with sessions() as session:  # the repository's own sessions
            assert (await session.scalar(text("PRAGMA secure_delete"))) == 1
    finally:
        await sessions.dispose()
        await engine.dispose()


async def test_export_refuses_to_follow_a_symlink(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "leakbot.db")
    target = tmp_path / "someone-elses.txt"
    target.write_text("元の内容\n")
    target.chmod(0o644)
    link = tmp_path / "incident.yaml"
    link.symlink_to(target)
    line = one_error_line(leakbot(tmp_path, "export", str(incident_id), "-o", str(link), DATABASE_URL=url))
    assert "symbolic link" in line and str(link) in line
    assert target.read_text() == "元の内容\n" and mode(target) == 0o644  # untouched
    assert link.is_symlink()
    # a dangling link is refused too: nothing is created where it points
    nowhere = tmp_path / "nowhere.yaml"
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(nowhere)
    assert "symbolic link" in one_error_line(
        leakbot(tmp_path, "export", str(incident_id), "-o", str(dangling), DATABASE_URL=url)
    )
    assert not nowhere.exists()


async def test_export_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "leakbot.db")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    line = one_error_line(leakbot(tmp_path, "export", str(incident_id), "-o", str(fifo), DATABASE_URL=url))
    assert str(fifo) in line and ("not a regular file" in line or "cannot write" in line)  # never blocks on it
    # an existing regular file is replaced and made private
    existing = tmp_path / "old.yaml"
    existing.write_text("古い内容がもっと長く続いていた\n" * 100)
    existing.chmod(0o644)
    result = leakbot(tmp_path, "export", str(incident_id), "-o", str(existing), DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert mode(existing) == 0o600 and "古い内容" not in existing.read_text()
