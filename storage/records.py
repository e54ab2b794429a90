"""What the storage hands to the domain: plain frozen records, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import DraftRow, JobRow, TimelineRow


@dataclass(frozen=True)
class Incident:
    id: int
    team_id: str
    opener_id: str
    status: str
    channel_id: str | None
    channel_name: str | None
    checklist_ts: str | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    nudge_due_at: datetime | None = None
    nudges_sent: int = 0
    open_view_id: str | None = None
    setup_stage: int = 0
    asked_step: str | None = None

    @property
    def closed(self) -> bool:
        """True once /leak-close went through."""
        return self.status == "closed"


@dataclass(frozen=True)
class Revision:
    item_id: str
    value: Any
    user_id: str
    at: datetime


@dataclass(frozen=True)
class Owner:
    item_id: str
    owner_id: str | None  # None: unassigned
    set_by: str
    at: datetime


@dataclass(frozen=True)
class Draft:
    id: int
    incident_id: int
    doc: str
    version: int
    body: str
    at: datetime
    user_id: str | None
    posted_at: datetime | None = None
    values: dict[str, Any] | None = None
    held: bool = False
    confirmed_by: str | None = None

    @property
    def waiting(self) -> bool:
        """True while a held version waits for someone to confirm it."""
        return self.held and self.confirmed_by is None


@dataclass(frozen=True)
class Job:
    """A pending piece of work with Slack."""

    id: int
    key: str
    kind: str
    incident_id: int | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class OpenedForm:
    """A modal the bot opened: for whom, and for which incident and step."""

    user_id: str
    incident_id: int
    step_id: str


def incident_record(row: Any) -> Incident:
    """The record of an incident row (an ORM object, or a plain row with the table's columns)."""
    return Incident(
        row.id,
        row.team_id,
        row.opener_id,
        row.status,
        row.channel_id,
        row.channel_name,
        row.checklist_ts,
        row.created_at,
        row.closed_at,
        row.closed_by,
        row.nudge_due_at,
        row.nudges_sent or 0,
        row.open_view_id,
        row.setup_stage or 0,
        row.asked_step,
    )


def draft_record(row: DraftRow) -> Draft:
    """The record of a draft row."""
    return Draft(
        row.id,
        row.incident_id,
        row.doc,
        row.version,
        row.body,
        row.created_at,
        row.created_by,
        row.posted_at,
        row.values,
        bool(row.held),
        row.confirmed_by,
    )


def job_record(row: JobRow) -> Job:
    """The record of a job row."""
    return Job(row.id, row.key, row.kind, row.incident_id, row.payload, row.attempts)


@dataclass(frozen=True)
class Reviewers:
    """One change of a document's reviewers: the whole set after it, who set it and when."""

    doc: str
    user_ids: tuple[str, ...]
    set_by: str
    at: datetime


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on one version of a document."""

    id: int
    draft_id: int
    reviewer: str
    approved: bool
    comment: str | None
    at: datetime
    source: str | None = None


@dataclass(frozen=True)
class ReviewNudge:
    """When a reviewer who has not decided on a version is reminded next (None: not any more)."""

    id: int
    incident_id: int
    draft_id: int
    reviewer: str
    due_at: datetime | None
    nudges_sent: int


@dataclass(frozen=True)
class Publication:
    """A version that went out: when, how (web, press, email, letter, other), where, and who recorded it."""

    id: int
    draft_id: int
    published_at: datetime
    how: str
    url: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class TimelineItem:
    """One stored timeline entry."""

    id: int
    incident_id: int
    at: datetime
    text: str
    author: str | None
    added_by: str
    added_at: datetime
    permalink: str | None = None


def timeline_record(row: TimelineRow) -> TimelineItem:
    """The record of a timeline row."""
    return TimelineItem(
        row.id, row.incident_id, row.at, row.text, row.author, row.added_by, row.added_at, row.permalink
    )


@dataclass(frozen=True)
class ChannelObject:
    """Something the bot keeps in an incident channel (its canvas, a bookmark, an uploaded draft file)."""

    name: str
    slack_id: str | None
    link: str | None
    version: int | None
    refused: str | None


@dataclass(frozen=True)
class KnownLanguage:
    """A person's language as users.info last said it, and when."""

    lang: str
    checked_at: datetime
