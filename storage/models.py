"""Tables. Answers are append-only revisions: history is never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC (SQLite keeps no zone) and gives them back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    opener_id: Mapped[str] = mapped_column(String(32))
    # The view that opened it: one incident per /leak-open submission, whatever Slack retries.
    open_view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="opening")  # opening, open, closed
    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(100))
    checklist_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    # Nudges: when the next one is due (None: nothing to nudge about) and how many were sent since
    # the last progress. A sweep reads only rows whose due time has come, through this index.
    nudge_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    # How far the channel set-up got (see bot.effects.SETUP_STAGES), so a retry resumes, not repeats.
    setup_stage: Mapped[int] = mapped_column(Integer, default=0)
    # The step whose question the channel was asked last (a follow-up asks only a different one).
    asked_step: Mapped[str | None] = mapped_column(String(64))


class RevisionRow(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_incident_item", "incident_id", "item_id", "id"),
        # one revision per item per submitted view, whatever Slack or a double click repeats
        UniqueConstraint("source", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # None: the answer was cleared
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(64))  # the view id the answer came from


class LeftEmptyRow(Base):
    """An optional item whose question was submitted empty: asked, and left open (still 調査中 in the
    drafts). The next question moves past it until the required items are answered; appended per
    submission, like revisions, so who left it empty and when are kept."""

    __tablename__ = "left_empty"
    __table_args__ = (
        Index("ix_left_empty_incident_item", "incident_id", "item_id", "id"),
        # once per item per submitted view, whatever Slack or a double click repeats
        UniqueConstraint("source", "item_id", name="uq_left_empty_source_item"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(64))  # the view id of the submission


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("incident_id", "doc", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    doc: Mapped[str] = mapped_column(String(16), default="public")
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(32))  # None when posted by the bot itself
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set once it is in the channel
    values: Mapped[Any] = mapped_column(JSON, nullable=True)  # the answers it was rendered from
    # A version whose maximum count grew past one already posted waits for a person to confirm it.
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))


class OwnerRow(Base):
    """Who owns a checklist item; every change is a new row (None: unassigned again)."""

    __tablename__ = "owners"
    __table_args__ = (Index("ix_owners_incident_item", "incident_id", "item_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRow(Base):
    """Work with Slack that must happen, stored in the same transaction as the change that wants it.

    The job runner does it, retries with backoff, and marks it done or failed; `key` makes the same
    effect impossible to record twice.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_pending", "done_at", "failed_at", "next_attempt_at"),
        # "jobs of one incident in order": the earliest unfinished job of an incident goes first
        Index("ix_jobs_incident", "incident_id", "id"),
        # the unfinished jobs of an incident, in order (the newest, those a new job supersedes, the first
        # to run): lookups as short as the queue, however many finished jobs the incident has
        Index(
            "ix_jobs_unfinished",
            "incident_id",
            "id",
            sqlite_where=text("done_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("done_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    # What the job needs; emptied (None) once the job is finished and LEAKBOT_JOB_RETENTION_DAYS have passed.
    payload: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a runner is doing it until then
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))


class ViewRow(Base):
    """A modal the bot opened for one person and one incident's step; only its submission is accepted.

    Recorded before views.open is called (under an `external_id` the bot chose), so a submission that
    arrives right after the modal appears always finds it.
    """

    __tablename__ = "views"

    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberRow(Base):
    """Who is in an incident's channel, as the bot last learnt it (set-up, invites, membership events,
    conversations.members). Access checks read only this table, so they can run before the ack."""

    __tablename__ = "members"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class OpenFormRow(Base):
    """A new-incident modal the bot opened for one person (recorded before views.open, under the
    `external_id` it chose); only a submission of such a modal, by that person, opens an incident."""

    __tablename__ = "open_forms"

    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MemberChangeRow(Base):
    """The last membership event applied for one person in one channel, with Slack's time for it
    (microseconds): an older event that arrives later (a retry) changes nothing."""

    __tablename__ = "member_changes"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_us: Mapped[int] = mapped_column(BigInteger)
    joined: Mapped[bool] = mapped_column(Boolean)


class ReviewersRow(Base):
    """Who must approve a document; every change is a new row holding the whole set (empty: nobody)."""

    __tablename__ = "reviewers"
    __table_args__ = (
        Index("ix_reviewers_incident_doc", "incident_id", "doc", "id"),
        # one change per document per submitted modal, whatever Slack repeats
        UniqueConstraint("source", "doc", name="uq_reviewers_source_doc"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    doc: Mapped[str] = mapped_column(String(16))
    user_ids: Mapped[Any] = mapped_column(JSON)
    set_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(64))  # the view id of the reviewers modal


class DecisionRow(Base):
    """A reviewer's decision on one version: approved, or changes requested with a comment. Once per
    version and reviewer, whatever a double click or a Slack retry repeats."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_incident", "incident_id", "id"),
        UniqueConstraint("draft_id", "reviewer", name="uq_decisions_draft_reviewer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(32))
    approved: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(64))  # the view id of a request-changes modal


class PublicationRow(Base):
    """A fully approved version that went out: when, how, where, and who said so."""

    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_incident", "incident_id", "id"),
        UniqueConstraint("source", name="uq_publications_source"),
        # one publication per version and person, however many publish modals they submitted
        UniqueConstraint("draft_id", "by", name="uq_publications_draft_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    how: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(1000))
    by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(64))  # the view id of the publish modal


class SendRow(Base):
    """A post the bot set out to make (a job and its part), written before the Web API call: when the same
    part is to be sent again, its outcome is unknown (a timeout, a crash, the job's end not recorded) and
    Slack is asked first (bot/slack/sender.py). Deleted with its job."""

    __tablename__ = "sends"
    __table_args__ = (UniqueConstraint("key", name="uq_sends_key"), Index("ix_sends_job", "job_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))  # the job's key and the part: also in the message's metadata
    channel: Mapped[str] = mapped_column(String(64))  # as the post named it (a user id for a DM)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RequestRow(Base):
    """A command handled, by a key that Slack's retries of it share (its trigger_id): stored in the command's
    own transaction, so a retry finds it and changes nothing."""

    __tablename__ = "requests"
    __table_args__ = (UniqueConstraint("key", name="uq_requests_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TimelineRow(Base):
    """One dated entry of an incident's timeline (経緯); append-only like the answers.

    `source` names what it came from (a message's channel and ts, or the request that typed it), so a
    retried request or the same message added twice makes no second entry.
    """

    __tablename__ = "timeline"
    __table_args__ = (UniqueConstraint("incident_id", "source"), Index("ix_timeline_incident", "incident_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it happened (a message: when it was posted)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(32))  # who said it (a message's author)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    permalink: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200))


class ReviewNudgeRow(Base):
    """When a reviewer who has not decided on a version is reminded next, by DM (None: not any more), and
    how many reminders went since the version was put to them. One row per version and reviewer; a sweep
    reads only rows whose due time has come, through the index on `due_at`."""

    __tablename__ = "review_nudges"
    __table_args__ = (UniqueConstraint("draft_id", "reviewer", name="uq_review_nudges_draft_reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelObjectRow(Base):
    """Something the bot keeps in an incident channel and comes back to: the channel canvas (`canvas`), a
    bookmark (`bookmark:checklist`, `bookmark:ppc`, `bookmark:draft:docx`, …) or an uploaded draft file
    (`file:<draft id>:docx`). One row per incident and name, updated in place: `slack_id` is Slack's id
    of it, `link` where it points, `version` the public draft version it shows; `refused` is Slack's
    error when the workspace would not have a canvas (set once: the channel is told once)."""

    __tablename__ = "channel_objects"
    __table_args__ = (UniqueConstraint("incident_id", "name", name="uq_channel_objects_incident_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    slack_id: Mapped[str | None] = mapped_column(String(64))
    link: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int | None] = mapped_column(Integer)
    refused: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonRow(Base):
    """A person's language for what only they see (`ja` or `en`), as Slack's users.info last said it, and
    when it said it. A request's ack reads it (an ack makes no Slack call); it is asked again after an ack
    once it is older than a day (bot/slack/locales.py). Nothing else about the person is kept."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
