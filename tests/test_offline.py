"""Answers outside Slack: friendly YAML (bot.offline), `leakbot draft` and `leakbot export` as real processes.

Every incident here is invented: the company, its services, the people and the phone number
(0120-000-000) do not exist. The card number is the well-known test number 4111 1111 1111 1111 and
the My Number a made-up one with a valid check digit.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml

from bot.documents import docx_text, plain_text
from bot.drafting import DraftMeta, render
from bot.offline import OfflineError, dump_yaml, export_incident, load_answers, parse_answers
from storage.db import make_engine, migrate
from storage.repository import Repository

ROOT = Path(__file__).resolve().parents[1]
TEST_CARD = "4111 1111 1111 1111"
TEST_MY_NUMBER = "123456789018"

FRIENDLY = """\
title: 架空ストアの会員情報流出疑い（訓練）
discovered_at: 2026-11-26 10:00
summary: |
  架空の通販サイト「サンプルマート」の会員データベースに、不正アクセスの痕跡が見つかりました。
  調査は継続中です。
data_items: [氏名, address, phone number, メールアドレス, 学校名, 勤務先]
max_count: 約2,070万件
confirmed_count: 7600000
services: サンプルマート（通販サイト）
card_bank: 含まれていない（確認済み）
customer_actions: 当社を装った不審なメールにご注意ください。
contact: |
  サンプルマート お客様相談窓口
  電話：0120-000-000（受付時間 9:00〜18:00）
malicious: yes
ppc_report: preliminary report filed
cause:
measures: ""
"""

# The same incident in the stored shapes, as a modal would have stored it.
STORED: dict[str, Any] = {
    "title": "架空ストアの会員情報流出疑い（訓練）",
    "discovered_at": "2026-11-26T01:00:00+00:00",
    "summary": "架空の通販サイト「サンプルマート」の会員データベースに、不正アクセスの痕跡が見つかりました。\n調査は継続中です。",
    "data_items": {"selected": ["name", "address", "phone", "email"], "other": "学校名、勤務先"},
    "max_count": {"value": 20_700_000, "approx": True, "text": "約2,070万件"},
    "confirmed_count": {"value": 7_600_000, "approx": False, "text": "7600000"},
    "count_unit": "件",
    "services": "サンプルマート（通販サイト）",
    "card_bank": "none",
    "customer_actions": "当社を装った不審なメールにご注意ください。",
    "contact": "サンプルマート お客様相談窓口\n電話：0120-000-000（受付時間 9:00〜18:00）",
    "malicious": "yes",
    "ppc_report": "preliminary",
}
REQUIRED_ONLY = {k: v for k, v in STORED.items() if k not in ("count_unit", "malicious", "ppc_report")}


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> dict[str, Any]:
    return load_answers(write(tmp_path, text))


# --- friendly forms ------------------------------------------------------------------------------------


def test_friendly_yaml_gives_the_stored_shapes(tmp_path: Path) -> None:
    assert load(tmp_path, FRIENDLY) == STORED


def test_the_same_answers_under_an_answers_key(tmp_path: Path) -> None:
    nested = "answers:\n" + textwrap.indent(FRIENDLY, "  ")
    assert load(tmp_path, nested) == STORED


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("約2,070万件", {"value": 20_700_000, "approx": True, "text": "約2,070万件"}),
        ("'２０７０万'", {"value": 20_700_000, "approx": False, "text": "２０７０万"}),
        ("20700000", {"value": 20_700_000, "approx": False, "text": "20700000"}),
        ("'7,600,000'", {"value": 7_600_000, "approx": False, "text": "7,600,000"}),
        ("七百六十万", {"value": 7_600_000, "approx": False, "text": "七百六十万"}),
        ("{value: 7600000, approx: true, text: 約760万件}", {"value": 7_600_000, "approx": True, "text": "約760万件"}),
        ("{value: 7600000, approx: true}", {"value": 7_600_000, "approx": True, "text": "約7600000"}),
    ],
)
def test_counts(tmp_path: Path, typed: str, stored: dict[str, Any]) -> None:
    assert load(tmp_path, f"max_count: {typed}")["max_count"] == stored


def test_a_unit_typed_with_the_counts_sets_count_unit(tmp_path: Path) -> None:
    values = load(tmp_path, "max_count: 約2,070万人\nconfirmed_count: 760万名\n")
    assert values["count_unit"] == "人"
    assert load(tmp_path, "max_count: 約2,070万世帯\ncount_unit: households\n")["count_unit"] == "世帯"
    assert "count_unit" not in load(tmp_path, "max_count: 20700000\n")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("[name, email]", {"selected": ["name", "email"], "other": ""}),
        ("[メールアドレス, 氏名]", {"selected": ["name", "email"], "other": ""}),  # checklist order
        ("[Name, E-mail address, date of birth]", {"selected": ["name", "birth_date", "email"], "other": ""}),
        ("[氏名, 学校名, 勤務先, 学校名]", {"selected": ["name"], "other": "学校名、勤務先"}),
        ("氏名、住所、ペットの名前", {"selected": ["name", "address"], "other": "ペットの名前"}),
        ("[家族の情報（お子様の氏名等）]", {"selected": ["family"], "other": ""}),
        ("{selected: [name, phone], other: 学校名}", {"selected": ["name", "phone"], "other": "学校名"}),
    ],
)
def test_data_items(tmp_path: Path, typed: str, stored: dict[str, Any]) -> None:
    assert load(tmp_path, f"data_items: {typed}")["data_items"] == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2026-11-26 10:00", "2026-11-26T01:00:00+00:00"),  # no zone: Asia/Tokyo
        ("2026-11-26 10:00:00", "2026-11-26T01:00:00+00:00"),  # a YAML timestamp without zone: Asia/Tokyo too
        ("2026-11-26T10:00:00+09:00", "2026-11-26T01:00:00+00:00"),  # a YAML timestamp with its zone
        ("'2026-11-26T01:00:00+00:00'", "2026-11-26T01:00:00+00:00"),  # an ISO string, as export writes it
        ("'2026-11-26T10:00'", "2026-11-26T01:00:00+00:00"),
        ("2026/11/26 9:05", "2026-11-26T00:05:00+00:00"),
        ("2026年11月26日（木）10:05", "2026-11-26T01:05:00+00:00"),  # as the bot shows it
        ("2026年11月26日 10時05分", "2026-11-26T01:05:00+00:00"),
        ("2030-01-01 09:00", "2030-01-01T00:00:00+00:00"),  # an exercise may be set in the future
    ],
)
def test_discovered_at(tmp_path: Path, typed: str, stored: str) -> None:
    assert load(tmp_path, f"discovered_at: {typed}")["discovered_at"] == stored


@pytest.mark.parametrize(
    ("item", "typed", "stored"),
    [
        ("card_bank", "none", "none"),
        ("card_bank", "possible", "possible"),
        ("card_bank", "yes", "yes"),  # YAML reads yes as true
        ("card_bank", "含まれている可能性がある", "possible"),
        ("card_bank", "under investigation", "investigating"),
        ("card_bank", "調査中", "investigating"),
        ("malicious", "no", "no"),  # YAML reads no as false
        ("malicious", "はい", "yes"),
        ("malicious", "Unknown", "unknown"),
        ("ppc_report", "not_required", "not_required"),
        ("ppc_report", "確報を提出済み", "final"),
        ("ppc_report", "not yet filed", "not_yet"),
        ("count_unit", "世帯", "世帯"),
        ("count_unit", "records", "件"),
        ("count_unit", "件（レコード数）", "件"),
        ("count_unit", "people", "人"),
    ],
)
def test_choices(tmp_path: Path, item: str, typed: str, stored: str) -> None:
    assert load(tmp_path, f"{item}: {typed}")[item] == stored


def test_text_and_blanks(tmp_path: Path) -> None:
    values = load(tmp_path, "title: '  訓練用の事案  '\nservices: 2026\ncause: ~\nmeasures: ''\nsummary:\n")
    assert values == {"title": "訓練用の事案", "services": "2026"}
    assert load(tmp_path, "") == {}
    assert load(tmp_path, "answers:\n") == {}


def test_responders_are_kept(tmp_path: Path) -> None:
    assert load(tmp_path, "responders: [U0ALICE, U0BOB]")["responders"] == ["U0ALICE", "U0BOB"]


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("titel: 誤字\n", ["unknown item", "'titel'", "title"]),
        ("max_count: たくさん\n", ["max_count", "not a count"]),
        ("max_count: -5\n", ["max_count", "negative"]),
        ("max_count: 1.5\n", ["max_count", "whole number"]),
        ("max_count: true\n", ["max_count", "expected a count"]),
        ("max_count: [1, 2]\n", ["max_count", "expected a count"]),
        ("max_count: 100\nconfirmed_count: 200\n", ["confirmed_count", "larger than the maximum"]),
        ("max_count: {value: 5, text: '6'}\n", ["max_count", "does not match"]),
        ("max_count: {value: 5, count: 6}\n", ["max_count", "count"]),
        ("max_count: 760万人\nconfirmed_count: 100世帯\n", ["count_unit", "different units"]),
        ("max_count: 760万人\ncount_unit: 件\n", ["count_unit", "max_count"]),
        ("card_bank: maybe\n", ["card_bank", "'maybe'", "none, possible, yes, investigating"]),
        ("card_bank: no\n", ["card_bank", "'no'"]),
        ("ppc_report: [final]\n", ["ppc_report", "expected one of"]),
        ("count_unit: 個\n", ["count_unit", "'個'"]),
        ("data_items: {selected: [name, blood_type]}\n", ["data_items", "'blood_type'"]),
        ("data_items: {selected: [name], note: x}\n", ["data_items", "note"]),
        ("data_items: 42\n", ["data_items", "expected a list"]),
        ("data_items: [name, {a: b}]\n", ["data_items", "must be text"]),
        ("data_items: {selected: [], other: ''}\n", ["data_items", "fill this in"]),
        ("discovered_at: 2026-11-26\n", ["discovered_at", "time as well as the date"]),
        ("discovered_at: 先週の木曜\n", ["discovered_at", "not a date and time"]),
        ("discovered_at: [2026]\n", ["discovered_at", "expected a date and time"]),
        ("summary: {a: b}\n", ["summary", "expected text or a list of lines, got a mapping"]),
        ("services: [ほしぞら定期便, {アプリ: 会員}]\n", ["services", "each line of the list must be text", "mapping"]),
        ("services: [ほしぞら定期便, [アプリ]]\n", ["services", "each line of the list must be text", "a list"]),
        ("title: [a, b]\n", ["title", "expected one line of text, got a list"]),
        ("title: " + "長" * 151 + "\n", ["title", "Too long"]),
        ("responders: [bob]\n", ["responders", "'bob'"]),
        ("- title\n- summary\n", ["must map item ids", "a list"]),
        ("answers: [1]\n", ["answers", "must map item ids"]),
        ("answers: {}\nnotes: x\n", ["'notes'", "incident, answers, history"]),
        ("title: [unclosed\n", ["not valid YAML", "line"]),
    ],
)
def test_bad_input_is_refused_clearly(tmp_path: Path, text: str, words: list[str]) -> None:
    with pytest.raises(OfflineError) as raised:
        load(tmp_path, text)
    message = str(raised.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    "text",
    [
        f"contact: 'カード {TEST_CARD} で支払い'\n",
        f"data_items: [氏名, 'カード番号 {TEST_CARD}']\n",
        f"data_items: {{selected: [name], other: 'マイナンバー {TEST_MY_NUMBER}'}}\n",
        f"max_count: '{TEST_MY_NUMBER}'\n",
        f"summary: '個人番号は{TEST_MY_NUMBER}です'\n",
        f"summary: [一行目, '個人番号は{TEST_MY_NUMBER}です']\n",
    ],
)
def test_card_numbers_and_my_numbers_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(OfflineError) as raised:
        load(tmp_path, text)
    message = str(raised.value)
    assert "card" in message or "My Number" in message
    assert TEST_CARD not in message and TEST_MY_NUMBER not in message
    assert message.split(":")[0] in ("contact", "data_items", "max_count", "summary")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OfflineError, match="no such file"):
        load_answers(tmp_path / "nothing.yaml")


# --- export ------------------------------------------------------------------------------------------

AT = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)


async def prepared_database(path: Path, values: dict[str, Any] = STORED) -> tuple[str, int]:
    """A bot database with one incident, answered through storage, in two rounds (so there is history)."""
    url = f"sqlite+aiosqlite:///{path}"
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        await migrate(engine)
        async with repo.tx() as tx:
            incident = await tx.open_incident(
                team_id="T0TEST", opener_id="U0ALICE", view_id="V0OPEN", at=AT, nudge_due=None
            )
            await tx.record(
                incident.id,
                user_id="U0ALICE",
                at=AT,
                values={k: values[k] for k in ("title", "discovered_at", "summary")},
            )
            await tx.update_incident(incident.id, channel_id="C0LEAK1", channel_name="leak-20261126-1", status="open")
            first = {**values, "max_count": {"value": 10_000_000, "approx": True, "text": "約1,000万件"}}
            await tx.record(
                incident.id,
                user_id="U0BOB",
                at=AT.replace(minute=40),
                values={k: v for k, v in first.items() if k not in ("title", "discovered_at", "summary")},
            )
            await tx.record(
                incident.id, user_id="U0CAROL", at=AT.replace(minute=50), values={"max_count": values["max_count"]}
            )
        return url, incident.id
    finally:
        await repo.dispose()
        await engine.dispose()


async def test_export_gives_incident_answers_and_history(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "leakbot.db")
    engine = make_engine(url)
    repo = Repository(engine)
    try:
        data = await export_incident(repo, str(incident_id))
        assert await export_incident(repo, f"#{incident_id}") == data
        assert await export_incident(repo, "C0LEAK1") == data
        with pytest.raises(OfflineError, match="no incident #99"):
            await export_incident(repo, "99")
        with pytest.raises(OfflineError, match="no incident in channel C0OTHER"):
            await export_incident(repo, "C0OTHER")
        with pytest.raises(OfflineError, match="neither an incident number"):
            await export_incident(repo, "leak-20261126-1")
    finally:
        await repo.dispose()
        await engine.dispose()

    assert data["incident"] == {
        "id": incident_id,
        "channel_id": "C0LEAK1",
        "channel_name": "leak-20261126-1",
        "status": "open",
        "opened_at": "2026-11-26T01:30:00+00:00",
        "opener": "U0ALICE",
    }
    assert data["answers"] == STORED
    assert list(data["answers"]) == list(STORED)  # checklist order
    max_counts = [h for h in data["history"] if h["item"] == "max_count"]
    assert [(h["value"]["text"], h["user"], h["at"]) for h in max_counts] == [
        ("約1,000万件", "U0BOB", "2026-11-26T01:40:00+00:00"),
        ("約2,070万件", "U0CAROL", "2026-11-26T01:50:00+00:00"),
    ]
    assert len(data["history"]) == len(STORED) + 1

    # plain YAML, both ways; load_answers takes it back unchanged
    for text in (yaml.safe_dump(data, allow_unicode=True, sort_keys=False), dump_yaml(data)):
        assert yaml.safe_load(text) == data
        assert load_answers(write(tmp_path, text, "export.yaml")) == STORED
    assert "|" in dump_yaml(data)  # multi-line answers as blocks, easy to edit
    assert parse_answers(data) == STORED


# --- the command line, as a real process without Slack -------------------------------------------------


def leakbot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "LEAKBOT_LANG", "LEAKBOT_COMPANY")
    }
    clean.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("leakbot: ") and "Traceback" not in result.stderr
    assert result.stdout == ""
    return lines[0]


def test_help_lists_draft_and_export(tmp_path: Path) -> None:
    result = leakbot(tmp_path, "--help")
    assert result.returncode == 0
    for word in ("run", "draft", "export"):
        assert word in result.stdout
    assert "--docx" in leakbot(tmp_path, "draft", "--help").stdout


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_draft_prints_the_document_and_writes_a_docx(tmp_path: Path, lang: str) -> None:
    write(tmp_path, FRIENDLY)
    out = tmp_path / "draft.docx"
    result = leakbot(tmp_path, "draft", "answers.yaml", "--lang", lang, "--docx", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == plain_text(render(STORED, lang=lang))
    bullets = ("・", "• ")
    assert docx_text(out.read_bytes()) == [
        line[len(next((b for b in bullets if line.startswith(b)), "")) :]
        for line in result.stdout.split("\n")
        if line.strip()
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_draft_of_any_document_with_the_issuer_date_version_and_drill(tmp_path: Path) -> None:
    write(tmp_path, FRIENDLY)
    out = tmp_path / "faq.docx"
    result = leakbot(
        tmp_path,
        "draft",
        "answers.yaml",
        "--doc",
        "faq",
        "--lang",
        "en",
        "--date",
        "2026-11-27",
        "--version",
        "2",
        "--exercise",
        "--docx",
        str(out),
        LEAKBOT_COMPANY="株式会社サンプル",
    )
    assert result.returncode == 0, result.stderr
    meta = DraftMeta(
        company="株式会社サンプル",
        version=2,
        exercise=True,
        dated=datetime(2026, 11, 27, 12, 0, tzinfo=timezone(timedelta(hours=9))),
    )
    assert result.stdout == plain_text(render(STORED, lang="en", doc="faq", meta=meta))
    lines = result.stdout.splitlines()
    assert lines[0].startswith("[EXERCISE] Questions and answers") and lines[1:3] == [
        "27 November 2026",
        "株式会社サンプル",
    ]
    header = docx.Document(io.BytesIO(out.read_bytes())).sections[0].header.paragraphs[0].text
    assert header == "EXERCISE - DRAFT - version 2"
    given = leakbot(tmp_path, "draft", "answers.yaml", "--doc", "public", "--company", "別名株式会社")
    assert "別名株式会社" in given.stdout.splitlines()[1]
    assert "--date" in one_error_line(leakbot(tmp_path, "draft", "answers.yaml", "--date", "27/11/2026"))


def test_draft_language_defaults_to_leakbot_lang_then_ja(tmp_path: Path) -> None:
    write(tmp_path, FRIENDLY)
    assert leakbot(tmp_path, "draft", "answers.yaml").stdout == plain_text(render(STORED, lang="ja"))
    assert leakbot(tmp_path, "draft", "answers.yaml", LEAKBOT_LANG="en").stdout == plain_text(render(STORED, lang="en"))
    (tmp_path / ".env").write_text("LEAKBOT_LANG=en\n")
    assert leakbot(tmp_path, "draft", "answers.yaml").stdout == plain_text(render(STORED, lang="en"))
    assert "LEAKBOT_LANG" in one_error_line(leakbot(tmp_path, "draft", "answers.yaml", LEAKBOT_LANG="fr"))


def test_draft_lists_the_missing_items(tmp_path: Path) -> None:
    write(tmp_path, "title: 訓練\nmax_count: 10\ncard_bank: none\n")
    line = one_error_line(leakbot(tmp_path, "draft", "answers.yaml"))
    assert "discovered_at, summary, data_items, confirmed_count, services, customer_actions, contact" in line


@pytest.mark.parametrize(
    ("args", "text", "words"),
    [
        (["draft", "answers.yaml"], "titel: 誤字\n", ["answers.yaml", "unknown item", "'titel'"]),
        (["draft", "answers.yaml"], "card_bank: maybe\n", ["answers.yaml", "card_bank", "'maybe'"]),
        (["draft", "answers.yaml"], f"contact: '{TEST_CARD}'\n", ["contact", "card"]),
        (["draft", "nothing.yaml"], "", ["nothing.yaml", "no such file"]),
        (["draft", "answers.yaml", "--doc", "press"], FRIENDLY, ["--doc", "'press'"]),
        (["draft", "answers.yaml", "--lang", "fr"], FRIENDLY, ["--lang", "'fr'"]),
        (["draft"], FRIENDLY, ["ANSWERS.yaml"]),
        (["nonsense"], FRIENDLY, ["invalid choice"]),
    ],
)
def test_draft_user_errors_are_one_line(tmp_path: Path, args: list[str], text: str, words: list[str]) -> None:
    write(tmp_path, text)
    line = one_error_line(leakbot(tmp_path, *args))
    for word in words:
        assert word in line, line
    assert TEST_CARD not in line


async def test_export_then_draft_renders_the_stored_answers(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.db"
    database.parent.mkdir()
    url, incident_id = await prepared_database(database)

    exported = tmp_path / "incident.yaml"
    result = leakbot(tmp_path, "export", f"#{incident_id}", "-o", str(exported), DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert data["answers"] == STORED and data["incident"]["channel_id"] == "C0LEAK1"

    to_stdout = leakbot(tmp_path, "export", "C0LEAK1", DATABASE_URL=url)
    assert to_stdout.returncode == 0 and yaml.safe_load(to_stdout.stdout) == data

    for lang in ("ja", "en"):
        drafted = leakbot(tmp_path, "draft", str(exported), "--lang", lang)
        assert drafted.returncode == 0, drafted.stderr
        assert drafted.stdout == plain_text(render(STORED, lang=lang))


async def test_an_exported_drill_is_drafted_as_a_drill_without_the_flag(tmp_path: Path) -> None:
    """Issue 20 (15): the export of a drill says `exercise: true`, and that alone marks every draft of it."""
    drill = {**STORED, "exercise": True}
    url, incident_id = await prepared_database(tmp_path / "drill.db", drill)
    exported = tmp_path / "drill.yaml"
    assert leakbot(tmp_path, "export", f"#{incident_id}", "-o", str(exported), DATABASE_URL=url).returncode == 0
    assert yaml.safe_load(exported.read_text(encoding="utf-8"))["answers"]["exercise"] is True

    out = tmp_path / "drill.docx"
    for lang, mark in (("ja", "【訓練】"), ("en", "[EXERCISE] ")):
        drafted = leakbot(tmp_path, "draft", str(exported), "--lang", lang, "--docx", str(out))
        assert drafted.returncode == 0, drafted.stderr
        assert drafted.stdout.splitlines()[0].startswith(mark)
        assert drafted.stdout == plain_text(render(drill, lang=lang, meta=DraftMeta(exercise=True)))
        header = docx.Document(io.BytesIO(out.read_bytes())).sections[0].header.paragraphs[0].text
        assert header.startswith("訓練" if lang == "ja" else "EXERCISE")
    # a real incident's export stays unmarked (the flag is the answer, not a guess from the title's （訓練）)
    real = tmp_path / "real.yaml"
    url, incident_id = await prepared_database(tmp_path / "real.db")
    assert leakbot(tmp_path, "export", f"#{incident_id}", "-o", str(real), DATABASE_URL=url).returncode == 0
    first = leakbot(tmp_path, "draft", str(real), "--lang", "ja").stdout.splitlines()[0]
    assert not first.startswith("【訓練】")


async def test_export_reads_database_url_from_env_file(tmp_path: Path) -> None:
    url, incident_id = await prepared_database(tmp_path / "from-env-file.db", REQUIRED_ONLY)
    (tmp_path / ".env").write_text(f"DATABASE_URL={url}\n")
    result = leakbot(tmp_path, "export", str(incident_id))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["answers"] == REQUIRED_ONLY


async def test_export_user_errors_are_one_line(tmp_path: Path) -> None:
    url, _ = await prepared_database(tmp_path / "leakbot.db")
    assert "no incident #7" in one_error_line(leakbot(tmp_path, "export", "7", DATABASE_URL=url))
    assert "neither" in one_error_line(leakbot(tmp_path, "export", "leak-1", DATABASE_URL=url))
    assert "DATABASE_URL" in one_error_line(leakbot(tmp_path, "export", "1", DATABASE_URL="mysql://x/y"))
    missing = tmp_path / "missing.db"
    assert "no database" in one_error_line(
        leakbot(tmp_path, "export", "1", DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    )
    assert not missing.exists()  # not created by looking
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "cannot read the database" in one_error_line(
        leakbot(tmp_path, "export", "1", DATABASE_URL=f"sqlite+aiosqlite:///{empty}")
    )
    blocked = tmp_path / "no-such-dir" / "out.yaml"
    assert "cannot write" in one_error_line(leakbot(tmp_path, "export", "1", "-o", str(blocked), DATABASE_URL=url))


def test_the_new_items_in_friendly_forms(tmp_path: Path) -> None:
    values = load(
        tmp_path,
        FRIENDLY.replace(
            "card_bank: 含まれていない（確認済み）\n",
            textwrap.dedent("""\
        card_bank: possible
        card_bank_detail: [カード番号, expiry date, 口座番号, 暗証番号]
        occurred_at: 2026年11月20日〜25日（推定）
        notification: 11月30日より書面にて順次通知
        publication: 11月27日12時 当社ウェブサイトに掲載
        authorities: 警視庁に相談済み
        """),
        ),
    )
    assert values["card_bank_detail"] == {
        "selected": ["card_number", "card_expiry", "bank_account"],
        "other": "暗証番号",
    }
    assert values["occurred_at"] == "2026年11月20日〜25日（推定）"
    assert values["authorities"] == "警視庁に相談済み"
    body = plain_text(render(values, lang="ja", doc="ppc"))
    assert "クレジットカード情報（カード番号、有効期限）および金融機関の口座情報（口座番号）および暗証番号" in body
    assert "11月30日より書面にて順次通知" in body and "11月27日12時 当社ウェブサイトに掲載" in body
