"""What each log line is about: `incident` on every line about an incident, `job` and `kind` on every line
written while a job runs, `ref` on an error told to a person (the reference they were shown). Top-level fields
in JSON, ` name=value` at the end of a text line, and absent (not null) where a line is about none of them.

Driven as Slack would (signed HTTP into the real Bolt app, the fake Slack), with the log captured as an
operator's log system would read it; the only faults are Slack's and a broken database."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.app import Leakbot, slack_request
from bot.logs import FIELDS, QUIET_LOGGERS, bind, bound, detached, scope, setup
from tests.conftest import GENERAL, SIGNING_SECRET, Harness
from tests.fake_slack import FakeSlack
from tests.slack_payloads import form_body, sign, slash_command, view_submission
from tests.story import (
    ANSWERS,
    SUMMARY,
    answer,
    answer_buttons,
    last_question,
    nothing_follows,
    open_incident,
    open_step,
)

Entry = dict[str, Any]


class Captured:
    """The bot's log as it is written: JSON (or text) lines in a string."""

    def __init__(self, fmt: str) -> None:
        self.stream = io.StringIO()
        setup("INFO", fmt, stream=self.stream)

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    @property
    def entries(self) -> list[Entry]:
        return [json.loads(line) for line in self.lines]

    async def until(self, h: Harness, found: Callable[[Entry], bool], what: str, count: int = 1) -> list[Entry]:
        """Waits until `count` lines match, as an operator watching the log would; returns the matching lines."""
        return await h.fake.wait_until(
            lambda: (hits := [e for e in self.entries if found(e)]) and len(hits) >= count and hits, what=what
        )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The process's logging as it was, after a test that set it up."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def json_log(restore_logging: None) -> Captured:
    return Captured("json")


@pytest.fixture
def text_log(restore_logging: None) -> Captured:
    return Captured("text")


def fields(entry: Entry) -> Entry:
    return {name: entry[name] for name in FIELDS if name in entry}


def no_null_fields(entries: list[Entry]) -> None:
    """Fields are there with a value, or not there at all."""
    assert not [e for e in entries if any(e.get(name, "") is None for name in FIELDS)]


async def jobs_in_database(h: Harness) -> dict[int, tuple[str, int | None]]:
    async with h.bot.engine.connect() as connection:
        rows = (await connection.exec_driver_sql("SELECT id, kind, incident_id FROM jobs")).all()
    return {row[0]: (row[1], row[2]) for row in rows}


async def drop_table(h: Harness, table: str) -> None:
    """Breaks the database as an operator's mistake would: a table the bot needs is gone."""
    async with h.bot.engine.begin() as connection:
        await connection.exec_driver_sql(f"DROP TABLE {table}")


# --- a real story: an incident opened, a question answered, and the jobs that follow ---------------------


async def test_an_answer_and_its_follow_up_carry_the_incident_and_the_job(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    await answer(h, channel, ANSWERS[0][1])
    # the follow-up's own line comes once its Slack work is recorded as done: read the log as it is written
    await json_log.until(h, lambda e: e.get("kind") == "followup" and "done" in e["message"], "the follow-up done")
    entries = json_log.entries
    no_null_fields(entries)

    command = next(e for e in entries if e["message"].startswith("command /leak-open answered 200"))
    assert fields(command) == {}  # a /leak-open is about no incident yet
    opened = next(e for e in entries if e["message"].startswith("incident opened"))
    assert fields(opened) == {"incident": 1}
    submitted = next(e for e in entries if e["message"].startswith("view_submission leak_open answered 200"))
    assert fields(submitted) == {"incident": 1}  # born in that request: its last line names it
    answered = next(e for e in entries if e["message"].startswith("view_submission leak_step answered 200"))
    assert fields(answered) == {"incident": 1}
    clicked = next(e for e in entries if e["message"].startswith("block_actions leak_answer answered 200"))
    assert fields(clicked) == {"incident": 1}

    jobs = await jobs_in_database(h)
    job_lines = [e for e in entries if "job" in e]
    assert {e["kind"] for e in job_lines} >= {"setup", "followup"}
    for line in job_lines:  # each job line names its job, that job's kind and its incident, as stored
        assert (line["kind"], line["incident"]) == jobs[line["job"]], line
        assert line["logger"] == "bot.worker" and "ref" not in line
    followup = next(e for e in job_lines if e["kind"] == "followup")
    assert followup["message"].startswith("job done in ")
    # the answer's words are not in the log at INFO, nor the summary
    logged = json_log.stream.getvalue()
    assert SUMMARY not in logged and "保護者の氏名" not in logged


async def test_text_lines_end_with_their_fields(sqlite_leakbot: Harness, text_log: Captured) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    await answer(h, channel, ANSWERS[0][1])
    await h.fake.wait_until(
        lambda: [line for line in text_log.lines if " kind=followup" in line and "job done" in line], what="a job line"
    )
    lines = text_log.lines
    listed = next(line for line in lines if "command /leak-open answered 200" in line)
    assert listed.endswith(" ms")  # nothing appended to a line about no incident
    answered = next(line for line in lines if "view_submission leak_step answered 200" in line)
    assert answered.endswith(" ms incident=1")
    followup = next(line for line in lines if " kind=followup" in line)
    jobs = await jobs_in_database(h)
    number = next(n for n, (kind, _) in jobs.items() if kind == "followup")
    assert " INFO bot.worker: job done in " in followup
    assert followup.endswith(f" ms incident=1 job={number} kind=followup")


# --- errors told to a person carry the reference they were shown ----------------------------------------


async def test_an_unexpected_error_is_logged_with_the_reference_the_person_is_shown(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    await nothing_follows(h)
    await drop_table(h, "left_empty")  # what /leak-next reads before its ack, with the answers
    told = len(h.fake.responses)
    reply = await h.command("/leak-next", channel=channel)
    assert reply.status == 500  # Slack shows its own error for the command; the person is told below
    await h.fake.wait_until(lambda: len(h.fake.responses) > told, what="the person told")
    said = h.fake.responses[told][1]["text"]
    errors = [e for e in json_log.entries if e["level"] == "ERROR"]
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["logger"] == "handlers" and error["message"] == "unexpected error in /leak-next"
    assert "OperationalError" in error["exc_info"]
    assert fields(error) == {"incident": 1, "ref": error["ref"]}
    assert len(error["ref"]) == 8 and f"参照番号 {error['ref']}" in said
    # the reference is the error's: the request's own last line has its incident, and no ref
    last = next(e for e in json_log.entries if e["message"].startswith("command /leak-next answered 500"))
    assert fields(last) == {"incident": 1}
    no_null_fields(json_log.entries)


async def test_a_read_that_fails_before_its_ack_is_logged_with_the_reference_the_ack_shows(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    await nothing_follows(h)
    await drop_table(h, "timeline")
    reply = await h.command("/leak-timeline", channel=channel)
    assert reply.status == 200  # a read command answers in its ack, also to say that it could not read
    said = reply.body["text"]
    [error] = [e for e in json_log.entries if e["level"] == "ERROR"]
    assert error["logger"] == "handlers.reads" and error["message"].startswith("the read of /leak-timeline failed")
    assert "OperationalError" in error["exc_info"]
    assert fields(error) == {"incident": 1, "ref": error["ref"]}
    assert len(error["ref"]) == 8 and f"参照番号 {error['ref']}" in said
    last = next(e for e in json_log.entries if e["message"].startswith("command /leak-timeline answered 200"))
    assert fields(last) == {"incident": 1}
    no_null_fields(json_log.entries)


async def test_a_failure_after_the_ack_is_logged_with_its_reference_and_its_incident(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    """The lazy listener runs in a task of its own, started by the request: it keeps the request's incident."""
    h = sqlite_leakbot
    channel = await open_incident(h)
    await nothing_follows(h)
    await drop_table(h, "views")  # where the bot records a form before it opens it
    question = last_question(h, channel)
    told, opened = len(h.fake.responses), len(h.fake.calls_to("views.open"))
    reply = await h.click(
        "leak_answer", answer_buttons(question)[0]["value"], channel=channel, message_ts=question["ts"]
    )
    assert reply.status == 200  # acked: the form is opened after the ack
    await h.fake.wait_until(lambda: len(h.fake.responses) > told, what="the person told")
    said = h.fake.responses[told][1]["text"]
    error = next(e for e in json_log.entries if e["level"] == "ERROR")
    assert (
        error["logger"] == "handlers.after_ack" and error["message"] == "after the ack of leak_answer: OperationalError"
    )
    assert fields(error) == {"incident": 1, "ref": error["ref"]}
    assert f"参照番号 {error['ref']}" in said
    assert len(h.fake.calls_to("views.open")) == opened  # no form opened without its record


async def test_a_job_that_cannot_be_done_is_logged_with_the_reference_people_are_told(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    h = sqlite_leakbot
    channel = await open_incident(h)
    view = await open_step(h, channel)
    h.fake.channels[channel].is_archived = True  # someone archived the channel mid-incident
    await h.submit(view, ANSWERS[0][1])
    dm = await h.fake.wait_for("chat.postMessage", lambda c: c.ok and c.args["channel"] == "U0ALICE")
    given_up = next(e for e in json_log.entries if "cannot be done" in e["message"])
    assert given_up["level"] == "WARNING" and given_up["kind"] == "followup"
    assert fields(given_up) == {
        "incident": 1,
        "job": given_up["job"],
        "kind": "followup",
        "ref": f"job-{given_up['job']}",
    }
    assert given_up["ref"] in dm.args["text"]  # the opener is told the same reference


# --- two incidents at once: each line names its own -------------------------------------------------------


async def test_two_interleaved_incidents_never_lend_each_other_their_fields(
    leakbot: Harness, json_log: Captured
) -> None:
    """On PostgreSQL the requests really interleave: each awaits the database while the others go on."""
    h = leakbot
    first = await open_incident(h, title="一件目の流出疑い")
    second = await open_incident(h, title="二件目の流出疑い")
    views = [await open_step(h, first), await open_step(h, second)]

    async def refused(channel: str) -> Any:  # Carol is in neither channel: refused, a line naming the incident
        return await h.command("/leak-status", user="U0CAROL", channel=channel)

    # answers, refusals and plain commands to both incidents at once, each over its own connection, while
    # the jobs of both run side by side in the worker
    replies = await asyncio.gather(
        h.submit(views[0], ANSWERS[0][1]),
        refused(second),
        h.submit(views[1], ANSWERS[0][1]),
        refused(first),
        h.command("/leak-list"),
        h.command("/leak-status", channel=first),
        h.command("/leak-status", channel=second),
    )
    assert all(r.status == 200 for r in replies), replies
    await json_log.until(
        h, lambda e: e.get("kind") == "followup" and "done" in e["message"], "both follow-ups", count=2
    )
    entries = json_log.entries
    no_null_fields(entries)
    refusals = [e for e in entries if e["message"].startswith("refused ")]
    assert len(refusals) == 2
    for line in refusals:  # the message names the incident refused; the field names the same one
        assert line["message"].endswith(f"incident {line['incident']}"), line
    assert {e["incident"] for e in refusals} == {1, 2}
    jobs = await jobs_in_database(h)
    for line in (e for e in entries if "job" in e):
        assert (line["kind"], line["incident"]) == jobs[line["job"]], line
    answered = [e for e in entries if e["message"].startswith("view_submission leak_step answered")]
    assert sorted(e["incident"] for e in answered) == [1, 2]
    statuses = [e for e in entries if e["message"].startswith("command /leak-status answered")]
    assert sorted(e.get("incident") for e in statuses) == [1, 1, 2, 2]  # two refused, two answered
    listed = [e for e in entries if e["message"].startswith("command /leak-list answered")]
    assert [fields(e) for e in listed] == [{}]  # about no incident, though both were being answered meanwhile


async def test_a_task_that_answers_requests_one_after_another_starts_each_with_no_fields(
    sqlite_leakbot: Harness, json_log: Captured
) -> None:
    """aiohttp answers each HTTP request in a task of its own; a server or a Socket Mode client that answered
    several in one task would still give each only its own fields (Leakbot.dispatch's scope)."""
    h = sqlite_leakbot
    channel = await open_incident(h)

    def request(command: str, channel_id: str) -> Any:
        payload = slash_command(
            command,
            "",
            user_id="U0ALICE",
            channel_id=channel_id,
            trigger_id=h.fake.new_trigger_id(),
            response_url=h.fake.response_url(),
        )
        body = form_body(payload)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body)}
        return slack_request(body, mode="http", headers=headers)

    assert (await h.bot.dispatch(request("/leak-status", channel))).status == 200
    assert (await h.bot.dispatch(request("/leak-list", GENERAL))).status == 200
    status = next(e for e in json_log.entries if e["message"].startswith("command /leak-status answered"))
    listed = next(e for e in json_log.entries if e["message"].startswith("command /leak-list answered"))
    assert (fields(status), fields(listed)) == ({"incident": 1}, {})
    assert bound() == {}


# --- the mechanism itself -------------------------------------------------------------------------------


async def test_fields_follow_their_scope_and_the_tasks_it_starts(json_log: Captured) -> None:
    log = logging.getLogger("bot.example")
    seen: dict[str, dict[str, object]] = {}

    async def child(name: str) -> None:
        await asyncio.sleep(0)
        seen[name] = bound()
        log.info("in %s", name)

    with scope(incident=7):
        bind(job=3, kind="followup")
        inherited = asyncio.create_task(child("inherited"))
        shared = asyncio.get_running_loop().create_task(child("shared"), context=detached())
        with scope(ref="abcd1234"):
            log.error("told")
        log.info("after the error")
    log.info("outside")
    await asyncio.gather(inherited, shared)
    assert seen == {"inherited": {"incident": 7, "job": 3, "kind": "followup"}, "shared": {}}
    by_message = {e["message"]: fields(e) for e in json_log.entries}
    assert by_message == {
        "told": {"incident": 7, "job": 3, "kind": "followup", "ref": "abcd1234"},
        "after the error": {"incident": 7, "job": 3, "kind": "followup"},
        "outside": {},
        "in inherited": {"incident": 7, "job": 3, "kind": "followup"},
        "in shared": {},
    }
    with pytest.raises(ValueError, match="not a log field: user"):
        bind(user="U0ALICE")
    with scope(incident=None):  # None is no value: nothing bound, nothing written
        log.info("none")
    assert fields(json_log.entries[-1]) == {}
    assert '"incident": null' not in json_log.stream.getvalue()


async def test_socket_mode_envelopes_carry_their_incident_too(
    fake: FakeSlack, socket_bot: Leakbot, json_log: Captured
) -> None:
    command = slash_command(
        "/leak-open",
        "ソケット経由の流出疑い",
        user_id="U0ALICE",
        channel_id=GENERAL,
        trigger_id=fake.new_trigger_id(),
        response_url=fake.response_url(),
    )
    await fake.socket_send("slash_commands", command)
    call = await fake.wait_for("views.open", lambda c: c.ok)
    submission = view_submission(fake.views[call.response["view"]["id"]], {"summary": SUMMARY}, user_id="U0ALICE")
    ack = await fake.socket_send("interactive", submission)
    assert ack["payload"]["response_action"] == "update"
    entries = json_log.entries
    opened = next(e for e in entries if e["message"].startswith("command /leak-open answered 200"))
    submitted = next(e for e in entries if e["message"].startswith("view_submission leak_open answered 200"))
    assert (fields(opened), fields(submitted)) == ({}, {"incident": 1})
