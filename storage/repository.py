"""Queries. The domain calls these; it never builds SQL itself.

`Tx` is one unit of work: a state change and the jobs it needs commit together, or nothing does.
`Repository.tx()` opens one for changes, `Repository.read()` one that only reads.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.answers import Answer
from bot.text import Typed
from storage.db import sessionmaker
from storage.models import (
    ChannelObjectRow,
    DecisionRow,
    DraftRow,
    IncidentRow,
    JobRow,
    LeftEmptyRow,
    MemberChangeRow,
    MemberRow,
    OpenFormRow,
    OwnerRow,
    PersonRow,
    PublicationRow,
    RequestRow,
    ReviewersRow,
    ReviewNudgeRow,
    RevisionRow,
    SendRow,
    TimelineRow,
    ViewRow,
)
from storage.records import (
    ChannelObject,
    Decision,
    Draft,
    Incident,
    Job,
    KnownLanguage,
    OpenedForm,
    Owner,
    Publication,
    Reviewers,
    ReviewNudge,
    Revision,
    TimelineItem,
    draft_record,
    incident_record,
    job_record,
    timeline_record,
)
from storage.sqlite_sessions import AwaitableSession, SQLiteSessions

__all__ = [
    "ChannelObject",
    "Decision",
    "Draft",
    "Duplicate",
    "Incident",
    "Job",
    "KnownLanguage",
    "Owner",
    "Publication",
    "Repository",
    "ReviewNudge",
    "Reviewers",
    "Revision",
    "Tx",
]


class _Hot:
    """The statements of an answer's transaction (the ack waits for it), built once with bind parameters
    and run as Core statements on the session's connection: building them anew and going through the
    ORM each time was most of that transaction's time (profile in issue 9)."""

    _latest = (
        select(RevisionRow.item_id, func.max(RevisionRow.id).label("id"), func.count().label("revisions"))
        .where(RevisionRow.incident_id == bindparam("incident_id"))
        .group_by(RevisionRow.item_id)
        .subquery()
    )
    answers = select(
        RevisionRow.item_id, RevisionRow.value, RevisionRow.user_id, RevisionRow.created_at, _latest.c.revisions
    ).join(_latest, RevisionRow.id == _latest.c.id)
    # The current value of each answered item, without reading the history: the item ids are walked with
    # one index seek each (a loose index scan, which neither SQLite nor PostgreSQL does by itself), and each
    # item's newest revision is one more seek. An answer reads this before it stores; reading every revision
    # grew with the incident's history (issue 9's profile).
    _item = RevisionRow.__table__.alias("next_item")
    _items = select(
        select(func.min(_item.c.item_id))
        .where(_item.c.incident_id == bindparam("incident_id"))
        .scalar_subquery()
        .label("item_id")
    ).cte("items", recursive=True)
    _items = _items.union_all(
        select(
            select(func.min(_item.c.item_id))
            .where(_item.c.incident_id == bindparam("incident_id"), _item.c.item_id > _items.c.item_id)
            .scalar_subquery()
        ).where(_items.c.item_id.is_not(None))
    )
    _newest = RevisionRow.__table__.alias("newest")
    values = (
        select(RevisionRow.item_id, RevisionRow.value)
        .select_from(_items)
        .join(
            RevisionRow,
            RevisionRow.id
            == select(func.max(_newest.c.id))
            .where(_newest.c.incident_id == bindparam("incident_id"), _newest.c.item_id == _items.c.item_id)
            .scalar_subquery(),
        )
    )
    form_access = (
        select(
            *IncidentRow.__table__.c,
            ViewRow.user_id.label("form_user_id"),
            ViewRow.incident_id.label("form_incident_id"),
            ViewRow.step_id.label("form_step_id"),
            MemberRow.user_id.label("member"),
        )
        .select_from(IncidentRow)
        .outerjoin(ViewRow, ViewRow.external_id == bindparam("external_id"))
        .outerjoin(
            MemberRow, (MemberRow.channel_id == IncidentRow.channel_id) & (MemberRow.user_id == bindparam("user_id"))
        )
        .where(IncidentRow.id == bindparam("incident_id"))
    )
    form_access_locked = form_access.with_for_update(of=IncidentRow)  # PostgreSQL
    add_revisions = insert(RevisionRow)
    # (an UPDATE's bind parameters must not be named like its columns)
    schedule_nudge = (
        update(IncidentRow)
        .where(IncidentRow.id == bindparam("b_incident"), IncidentRow.status != "closed")
        .values(nudge_due_at=bindparam("b_due"))
    )
    schedule_nudge_reset = schedule_nudge.values(nudges_sent=0)
    # The waiting jobs are locked in id order (PostgreSQL; SQLite has one writer): two transactions
    # superseding the same jobs at once (an answer that makes a draft, a follow-up republishing the
    # Home tabs) would otherwise lock them in different orders and deadlock.
    _waiting = (
        select(JobRow.id)
        .where(
            JobRow.kind == bindparam("b_kind"),
            JobRow.incident_id == bindparam("b_incident"),
            JobRow.done_at.is_(None),
            JobRow.failed_at.is_(None),
            JobRow.leased_until.is_(None),
        )
        .order_by(JobRow.id)
        .with_for_update()
    )
    # On PostgreSQL a transaction that supersedes an incident's jobs holds the incident first, as every
    # change to an incident does (an answer locks it FOR UPDATE, then supersedes): the new job's foreign
    # key would take that lock only after the jobs, and an answer doing the reverse deadlocked with it.
    # (Skipped when the unit of work holds the incident FOR UPDATE already, as an answer does.)
    hold_incident = (
        select(IncidentRow.id)
        .where(IncidentRow.id == bindparam("b_incident"))
        .with_for_update(read=True, key_share=True)
    )
    # The incident's newest unfinished job, locked: a runner claiming it (SKIP LOCKED) waits for this
    # transaction, so it cannot start before what this transaction records is there to read.
    newest_unfinished = (
        select(JobRow.kind, JobRow.leased_until)
        .where(JobRow.incident_id == bindparam("b_incident"), JobRow.done_at.is_(None), JobRow.failed_at.is_(None))
        .order_by(JobRow.id.desc())
        .limit(1)
        .with_for_update()
    )
    supersede = (
        update(JobRow)
        .where(JobRow.id.in_(_waiting.scalar_subquery()))
        .values(done_at=bindparam("b_at"), error="superseded")
    )
    add_job = insert(JobRow).values(attempts=0)
    add_job_once_postgresql = (
        postgresql_insert(JobRow).values(attempts=0).on_conflict_do_nothing(index_elements=["key"])
    )
    add_job_once_sqlite = sqlite_insert(JobRow).values(attempts=0).on_conflict_do_nothing(index_elements=["key"])


class Duplicate(Exception):
    """The same effect (view submission, job key) was already recorded; nothing was changed."""


class Tx:
    def __init__(self, session: AsyncSession | AwaitableSession) -> None:
        self.session = session
        self.enqueued = 0  # jobs recorded in this unit of work: the worker is woken when it commits
        self.locked: set[int] = set()  # incidents this unit of work holds FOR UPDATE (PostgreSQL)

    # --- incidents --------------------------------------------------------------------------------

    async def incident(self, incident_id: int) -> Incident | None:
        """Returns one incident by id."""
        row = await self.session.get(IncidentRow, incident_id, populate_existing=True)
        return incident_record(row) if row else None

    async def lock_incident(self, incident_id: int) -> Incident | None:
        """Locks the incident's row until the transaction ends, so changes to one incident never interleave.

        (PostgreSQL: SELECT … FOR UPDATE. SQLite lets one writer at a time anyway.)
        """
        row = (
            await self.session.scalars(
                select(IncidentRow)
                .where(IncidentRow.id == incident_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).first()
        if row is None:
            return None
        self.locked.add(incident_id)
        return incident_record(row)

    async def incident_by_channel(self, channel_id: str) -> Incident | None:
        """Returns the incident whose channel this is."""
        row = (await self.session.scalars(select(IncidentRow).where(IncidentRow.channel_id == channel_id))).first()
        return incident_record(row) if row else None

    async def update_incident(self, incident_id: int, **fields: Any) -> None:
        """Sets channel, checklist message, set-up stage or status fields of an incident."""
        await self.session.execute(update(IncidentRow).where(IncidentRow.id == incident_id).values(**fields))

    async def close(self, incident_id: int, *, user_id: str, at: datetime) -> bool:
        """Closes an open incident and stops its nudges (its reviewers' too); False when it was closed already."""
        result = await self.session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == incident_id, IncidentRow.status != "closed")
            .values(status="closed", closed_at=at, closed_by=user_id, nudge_due_at=None)
        )
        if _rowcount(result) != 1:
            return False
        await self.session.execute(
            update(ReviewNudgeRow)
            .where(  # reviewers are not reminded either
                ReviewNudgeRow.incident_id == incident_id, ReviewNudgeRow.due_at.is_not(None)
            )
            .values(due_at=None)
        )
        return True

    # --- answers ----------------------------------------------------------------------------------

    async def record(
        self,
        incident_id: int,
        *,
        user_id: str,
        at: datetime,
        values: Mapping[str, Any],
        source: str | None = None,
        current: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Appends a revision for every item whose value changed from `current` ({item_id: value}, read
        when not given); returns their ids.

        `source` (the view id): the same view's answers are stored once; a repeat that would change
        something again raises Duplicate (one revision per item and view).
        """
        if current is None:
            current = await self.values(incident_id)
        changed = [i for i, v in values.items() if current.get(i) != v]
        if changed:  # one INSERT for them all
            await (await self.session.connection()).execute(
                _Hot.add_revisions,
                [
                    {
                        "incident_id": incident_id,
                        "item_id": i,
                        "value": values[i],
                        "user_id": user_id,
                        "created_at": at,
                        "source": source,
                    }
                    for i in changed
                ],
            )
        return changed

    async def source_seen(self, source: str) -> bool:
        """True when answers from this view were stored already (or items it left empty recorded)."""
        for table in (RevisionRow, LeftEmptyRow):
            if await self.session.scalar(select(func.count()).select_from(table).where(table.source == source)):
                return True
        return False

    async def leave_empty(
        self, incident_id: int, item_ids: list[str], *, user_id: str, at: datetime, source: str
    ) -> None:
        """Records that these optional items were asked and submitted empty; the same view again raises
        Duplicate (at the commit)."""
        if item_ids:
            await (await self.session.connection()).execute(
                insert(LeftEmptyRow),
                [
                    {"incident_id": incident_id, "item_id": i, "user_id": user_id, "created_at": at, "source": source}
                    for i in item_ids
                ],
            )

    async def left_empty(self, incident_id: int) -> list[str]:
        """The items ever submitted empty, the one left empty longest ago first (answered ones included:
        the checklist decides what is still open)."""
        newest = func.max(LeftEmptyRow.id)
        rows = await self.session.execute(
            select(LeftEmptyRow.item_id, newest)
            .where(LeftEmptyRow.incident_id == incident_id)
            .group_by(LeftEmptyRow.item_id)
            .order_by(newest)
        )
        return [item_id for item_id, _ in rows]

    async def newest_revision_id(self, incident_id: int, item_ids: Iterable[str]) -> int:
        """The id of the newest revision of any of these items (0 when none): what a form was filled from."""
        return int(
            await self.session.scalar(
                select(func.max(RevisionRow.id)).where(
                    RevisionRow.incident_id == incident_id, RevisionRow.item_id.in_(list(item_ids))
                )
            )
            or 0
        )

    async def revised_since(self, incident_id: int, item_ids: Iterable[str], *, after: int) -> dict[str, Revision]:
        """The newest revision of each of these items made after revision `after`, by item."""
        rows = await self.session.scalars(
            select(RevisionRow)
            .where(
                RevisionRow.incident_id == incident_id,
                RevisionRow.item_id.in_(list(item_ids)),
                RevisionRow.id > after,
            )
            .order_by(RevisionRow.id)
        )
        return {r.item_id: Revision(r.item_id, r.value, r.user_id, r.created_at) for r in rows}

    async def values(self, incident_id: int) -> dict[str, Any]:
        """Returns {item_id: value} of every answered item: what `answers` gives, without who, when and how
        often, and as quick however long the history is."""
        rows = await (await self.session.connection()).execute(_Hot.values, {"incident_id": incident_id})
        return {item_id: value for item_id, value in rows if value is not None}

    async def answers(self, incident_id: int) -> dict[str, Answer]:
        """Returns the current answer of every answered item, with who gave it, when, and how many revisions
        it has (which reads the item's whole history: `values` is quicker when the values are enough)."""
        rows = await (await self.session.connection()).execute(_Hot.answers, {"incident_id": incident_id})
        return {
            item_id: Answer(item_id, value, user_id, created_at, revisions)
            for item_id, value, user_id, created_at, revisions in rows
            if value is not None
        }

    async def history(self, incident_id: int, item_id: str | None = None) -> list[Revision]:
        """Returns every revision, oldest first, of one item or of all."""
        rows = await self._revisions(incident_id, [item_id] if item_id else None)
        return [Revision(r.item_id, r.value, r.user_id, r.created_at) for r in rows]

    async def _revisions(self, incident_id: int, item_ids: list[str] | None = None) -> list[RevisionRow]:
        query = select(RevisionRow).where(RevisionRow.incident_id == incident_id)
        if item_ids is not None:
            query = query.where(RevisionRow.item_id.in_(item_ids))
        return list(await self.session.scalars(query.order_by(RevisionRow.id)))

    # --- owners -----------------------------------------------------------------------------------

    async def set_owners(
        self, incident_id: int, item_ids: list[str], *, owner_id: str | None, set_by: str, at: datetime
    ) -> list[str]:
        """Gives items an owner (None: nobody); returns the items whose owner changed."""
        current = await self._owners(incident_id)
        changed = [i for i in item_ids if (current[i].owner_id if i in current else None) != owner_id]
        self.session.add_all(
            OwnerRow(incident_id=incident_id, item_id=i, owner_id=owner_id, set_by=set_by, created_at=at)
            for i in changed
        )
        return changed

    async def owners(self, incident_id: int) -> dict[str, Owner]:
        """Returns the current owner of every item that has one."""
        return {i: o for i, o in (await self._owners(incident_id)).items() if o.owner_id}

    async def owner_history(self, incident_id: int) -> list[Owner]:
        """Returns every ownership change, oldest first."""
        rows = await self.session.scalars(
            select(OwnerRow).where(OwnerRow.incident_id == incident_id).order_by(OwnerRow.id)
        )
        return [Owner(r.item_id, r.owner_id, r.set_by, r.created_at) for r in rows]

    async def _owners(self, incident_id: int) -> dict[str, Owner]:
        return {owner.item_id: owner for owner in await self.owner_history(incident_id)}

    # --- drafts -----------------------------------------------------------------------------------

    async def latest_draft(self, incident_id: int, doc: str = "public") -> Draft | None:
        """Returns the newest draft version, if any."""
        row = (
            await self.session.scalars(
                select(DraftRow)
                .where(DraftRow.incident_id == incident_id, DraftRow.doc == doc)
                .order_by(DraftRow.version.desc())
                .limit(1)
            )
        ).first()
        return draft_record(row) if row else None

    async def draft(self, draft_id: int) -> Draft | None:
        """Returns one draft version by id."""
        row = await self.session.get(DraftRow, draft_id, populate_existing=True)
        return draft_record(row) if row else None

    async def add_draft(
        self,
        incident_id: int,
        *,
        body: str,
        at: datetime,
        user_id: str | None,
        doc: str = "public",
        values: Mapping[str, Any] | None = None,
        held: bool = False,
    ) -> Draft:
        """Stores the next numbered version of a document (unique per incident, document and number)."""
        last = await self.session.scalar(
            select(func.max(DraftRow.version)).where(DraftRow.incident_id == incident_id, DraftRow.doc == doc)
        )
        row = DraftRow(
            incident_id=incident_id,
            doc=doc,
            version=(last or 0) + 1,
            body=body,
            created_at=at,
            created_by=user_id,
            values=dict(values) if values is not None else None,
            held=held,
        )
        self.session.add(row)
        await self.session.flush()
        return draft_record(row)

    async def drafts(self, incident_id: int) -> list[Draft]:
        """Every version of every document, oldest first."""
        rows = await self.session.scalars(
            select(DraftRow).where(DraftRow.incident_id == incident_id).order_by(DraftRow.id)
        )
        return [draft_record(row) for row in rows]

    async def confirm_draft(self, draft_id: int, *, user_id: str) -> bool:
        """Lets a held version be posted; False when it was confirmed already."""
        result = await self.session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id, DraftRow.held.is_(True), DraftRow.confirmed_by.is_(None))
            .values(confirmed_by=user_id)
        )
        return _rowcount(result) == 1

    async def mark_draft_posted(self, draft_id: int, *, at: datetime) -> None:
        """Remembers that a draft version is in the channel."""
        await self.session.execute(update(DraftRow).where(DraftRow.id == draft_id).values(posted_at=at))

    # --- review and publication ------------------------------------------------------------------

    async def set_reviewers(
        self, incident_id: int, reviewers: Mapping[str, list[str]], *, set_by: str, at: datetime, source: str
    ) -> list[str]:
        """Appends a change for every document whose reviewers differ; returns those documents.

        `source` (the view id) makes a repeated submission a Duplicate instead of a second change.
        """
        current = await self.reviewers(incident_id)
        changed = [doc for doc, users in reviewers.items() if sorted(set(users)) != sorted(current.get(doc, ()))]
        self.session.add_all(
            ReviewersRow(
                incident_id=incident_id,
                doc=doc,
                user_ids=sorted(set(reviewers[doc])),
                set_by=set_by,
                created_at=at,
                source=source,
            )
            for doc in changed
        )
        await self.session.flush()
        return changed

    async def reviewers(self, incident_id: int) -> dict[str, tuple[str, ...]]:
        """Returns the current reviewers of every document that ever had some (an empty tuple: none now)."""
        return {change.doc: change.user_ids for change in await self.reviewer_history(incident_id)}

    async def reviewer_history(self, incident_id: int) -> list[Reviewers]:
        """Returns every change of reviewers, oldest first."""
        rows = await self.session.scalars(
            select(ReviewersRow).where(ReviewersRow.incident_id == incident_id).order_by(ReviewersRow.id)
        )
        return [Reviewers(r.doc, tuple(r.user_ids or ()), r.set_by, r.created_at) for r in rows]

    async def reviewers_seen(self, source: str) -> bool:
        """True when reviewers from this view were stored already."""
        return bool(
            await self.session.scalar(
                select(func.count()).select_from(ReviewersRow).where(ReviewersRow.source == source)
            )
        )

    async def add_decision(
        self,
        incident_id: int,
        draft_id: int,
        *,
        reviewer: str,
        approved: bool,
        comment: Typed | None,
        at: datetime,
        source: str | None = None,
    ) -> Decision:
        """Stores a reviewer's decision on a version; a second one for the same version raises Duplicate."""
        row = DecisionRow(
            incident_id=incident_id,
            draft_id=draft_id,
            reviewer=reviewer,
            approved=approved,
            comment=comment,
            created_at=at,
            source=source,
        )
        self.session.add(row)
        await self.session.flush()
        return _decision(row)

    async def decision(self, draft_id: int, reviewer: str) -> Decision | None:
        """The decision of one reviewer on one version, if any."""
        row = (
            await self.session.scalars(
                select(DecisionRow).where(DecisionRow.draft_id == draft_id, DecisionRow.reviewer == reviewer)
            )
        ).first()
        return _decision(row) if row else None

    async def decisions(self, incident_id: int) -> list[Decision]:
        """Every decision on every version of an incident's documents, oldest first."""
        rows = await self.session.scalars(
            select(DecisionRow).where(DecisionRow.incident_id == incident_id).order_by(DecisionRow.id)
        )
        return [_decision(row) for row in rows]

    async def add_publication(
        self,
        incident_id: int,
        draft_id: int,
        *,
        published_at: datetime,
        how: str,
        url: Typed | None,
        by: str,
        at: datetime,
        source: str,
    ) -> Publication:
        """Records that a version went out; the same modal submitted again raises Duplicate."""
        row = PublicationRow(
            incident_id=incident_id,
            draft_id=draft_id,
            published_at=published_at,
            how=how,
            url=url,
            by=by,
            created_at=at,
            source=source,
        )
        self.session.add(row)
        await self.session.flush()
        return _publication(row)

    async def publications(self, incident_id: int) -> list[Publication]:
        """Every publication recorded for an incident, oldest first."""
        rows = await self.session.scalars(
            select(PublicationRow).where(PublicationRow.incident_id == incident_id).order_by(PublicationRow.id)
        )
        return [_publication(row) for row in rows]

    async def publication_seen(self, source: str) -> bool:
        """True when a publication from this view was stored already."""
        return bool(
            await self.session.scalar(
                select(func.count()).select_from(PublicationRow).where(PublicationRow.source == source)
            )
        )

    # --- nudges -----------------------------------------------------------------------------------

    async def due_nudges(self, now: datetime, *, limit: int = 100) -> list[Incident]:
        """Returns open incidents whose next nudge is due, oldest due first (one indexed query)."""
        rows = await self.session.scalars(
            select(IncidentRow)
            .where(IncidentRow.nudge_due_at <= now, IncidentRow.status == "open")
            .order_by(IncidentRow.nudge_due_at)
            .limit(limit)
        )
        return [incident_record(row) for row in rows]

    async def claim_nudge(self, incident: Incident, *, next_due: datetime) -> bool:
        """Moves a due nudge on to its next due time; False when another sweep claimed it first."""
        result = await self.session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == incident.id, IncidentRow.nudge_due_at == incident.nudge_due_at)
            .values(nudge_due_at=next_due, nudges_sent=IncidentRow.nudges_sent + 1)
        )
        return _rowcount(result) == 1

    async def schedule_nudge(self, incident_id: int, *, due: datetime | None, reset: bool) -> None:
        """Sets when the next nudge is due (None: none); `reset` starts the backoff again."""
        await (await self.session.connection()).execute(
            _Hot.schedule_nudge_reset if reset else _Hot.schedule_nudge, {"b_incident": incident_id, "b_due": due}
        )

    # --- reviewer nudges ---------------------------------------------------------------------------

    async def review_nudge(self, nudge_id: int) -> ReviewNudge | None:
        """One reviewer's nudge clock on one version, by id."""
        row = await self.session.get(ReviewNudgeRow, nudge_id, populate_existing=True)
        return _review_nudge(row) if row else None

    async def start_review_nudges(
        self, incident_id: int, draft_id: int, waiting: list[str], *, due: datetime, at: datetime
    ) -> None:
        """The clocks of a version's reviewers who have not decided: a reviewer new to it starts at `due` (again,
        when their clock had stopped); one still running goes on; one of a reviewer no longer waited for stops.
        The clocks of the document's other versions stop."""
        doc = select(DraftRow.doc).where(DraftRow.id == draft_id).scalar_subquery()
        others = select(DraftRow.id).where(
            DraftRow.incident_id == incident_id, DraftRow.doc == doc, DraftRow.id != draft_id
        )
        await self.session.execute(
            update(ReviewNudgeRow)
            .where(ReviewNudgeRow.draft_id.in_(others), ReviewNudgeRow.due_at.is_not(None))
            .values(due_at=None)
        )
        rows = {
            r.reviewer: r
            for r in await self.session.scalars(select(ReviewNudgeRow).where(ReviewNudgeRow.draft_id == draft_id))
        }
        stopped = [r for reviewer, r in rows.items() if reviewer not in waiting and r.due_at is not None]
        restarted = [r for reviewer, r in rows.items() if reviewer in waiting and r.due_at is None]
        if stopped:
            await self.session.execute(
                update(ReviewNudgeRow).where(ReviewNudgeRow.id.in_([r.id for r in stopped])).values(due_at=None)
            )
        if restarted:
            await self.session.execute(
                update(ReviewNudgeRow)
                .where(ReviewNudgeRow.id.in_([r.id for r in restarted]))
                .values(due_at=due, nudges_sent=0)
            )
        self.session.add_all(
            ReviewNudgeRow(
                incident_id=incident_id, draft_id=draft_id, reviewer=reviewer, due_at=due, nudges_sent=0, created_at=at
            )
            for reviewer in dict.fromkeys(waiting)
            if reviewer not in rows
        )
        await self.session.flush()

    async def stop_review_nudge(self, draft_id: int, reviewer: str, *, seen: datetime | None = None) -> None:
        """Stops one reviewer's clock on a version (they decided, or it is moot); with `seen`, only if it is still
        the due time this sweep saw."""
        query = update(ReviewNudgeRow).where(ReviewNudgeRow.draft_id == draft_id, ReviewNudgeRow.reviewer == reviewer)
        if seen is not None:
            query = query.where(ReviewNudgeRow.due_at == seen)
        await self.session.execute(query.values(due_at=None))

    async def snooze_review_nudge(self, draft_id: int, reviewer: str, *, until: datetime) -> bool:
        """Holds one reviewer's running clock on a version until then; False when it is not running."""
        result = await self.session.execute(
            update(ReviewNudgeRow)
            .where(
                ReviewNudgeRow.draft_id == draft_id,
                ReviewNudgeRow.reviewer == reviewer,
                ReviewNudgeRow.due_at.is_not(None),
            )
            .values(due_at=until)
        )
        return _rowcount(result) == 1

    async def due_review_nudges(self, now: datetime, *, limit: int = 100) -> list[ReviewNudge]:
        """Reviewer nudges due now on open incidents, oldest due first (one indexed query)."""
        rows = await self.session.scalars(
            select(ReviewNudgeRow)
            .join(IncidentRow, IncidentRow.id == ReviewNudgeRow.incident_id)
            .where(ReviewNudgeRow.due_at <= now, IncidentRow.status == "open")
            .order_by(ReviewNudgeRow.due_at, ReviewNudgeRow.id)
            .limit(limit)
        )
        return [_review_nudge(row) for row in rows]

    async def claim_review_nudge(self, nudge: ReviewNudge, *, next_due: datetime) -> bool:
        """Moves a due reviewer nudge on to its next due time; False when another sweep claimed it first."""
        result = await self.session.execute(
            update(ReviewNudgeRow)
            .where(ReviewNudgeRow.id == nudge.id, ReviewNudgeRow.due_at == nudge.due_at)
            .values(due_at=next_due, nudges_sent=ReviewNudgeRow.nudges_sent + 1)
        )
        return _rowcount(result) == 1

    # --- jobs -------------------------------------------------------------------------------------

    async def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        key: str,
        at: datetime,
        incident_id: int | None = None,
        supersede: bool = False,
        once: bool = False,
    ) -> None:
        """Records a job to do after the commit; a key seen before makes the whole transaction a Duplicate.

        `supersede`, for a job that reads what to do when it runs (a checklist refresh, the question now
        next; no payload): waiting jobs of the same kind for the same incident are pointless, so a burst
        costs one run. When such a job is the incident's last job to do, nothing is recorded (it will do
        what this one would); otherwise the waiting ones are marked done unrun and this one goes last.
        `once`: a key seen before means the job is recorded already, and the rest of the transaction stands
        (a job recording what follows it, run again by a runner that took over).
        """
        connection = await self.session.connection()
        if supersede and incident_id is not None:
            if connection.dialect.name == "postgresql" and incident_id not in self.locked:
                await connection.execute(_Hot.hold_incident, {"b_incident": incident_id})
            newest = (await connection.execute(_Hot.newest_unfinished, {"b_incident": incident_id})).first()
            if newest is not None and newest.kind == kind and newest.leased_until is None:
                return
            await connection.execute(_Hot.supersede, {"b_kind": kind, "b_incident": incident_id, "b_at": at})
        await connection.execute(
            _Hot.add_job_once_postgresql
            if once and connection.dialect.name == "postgresql"
            else _Hot.add_job_once_sqlite
            if once
            else _Hot.add_job,
            {
                "key": key,
                "kind": kind,
                "payload": payload,
                "incident_id": incident_id,
                "created_at": at,
                "next_attempt_at": at,
            },
        )
        self.enqueued += 1

    async def claim_jobs(self, now: datetime, *, until: datetime, limit: int, running: Iterable[int] = ()) -> list[Job]:
        """Leases up to `limit` due jobs until `until`, oldest first, at most the earliest unfinished job of
        each incident (so an incident's jobs run in order while other incidents go on). `running`: the jobs
        the caller still runs, never taken again beside themselves, whatever their lease says.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas claiming at once take different jobs.
        """
        query = (
            select(JobRow.id)
            .where(*_claimable(now), _first_of_its_incident(), JobRow.id.not_in(list(running)))
            .order_by(JobRow.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(await self.session.scalars(query))
        if not ids:
            return []
        rows = await self.session.scalars(
            update(JobRow)
            .where(JobRow.id.in_(ids), *_claimable(now))
            .values(leased_until=until)
            .returning(JobRow)
            .execution_options(populate_existing=True)
        )
        return sorted((job_record(row) for row in rows), key=lambda job: job.id)

    async def next_job_at(self, running: Iterable[int] = ()) -> datetime | None:
        """When the next job becomes due or a lease runs out (None: no unfinished job); the leases of the
        jobs the caller still runs (`running`) do not count: it holds them."""
        unfinished = (JobRow.done_at.is_(None), JobRow.failed_at.is_(None))
        due = await self.session.scalar(
            select(func.min(JobRow.next_attempt_at)).where(
                *unfinished, JobRow.leased_until.is_(None), _first_of_its_incident()
            )
        )
        lease = await self.session.scalar(
            select(func.min(JobRow.leased_until)).where(*unfinished, JobRow.id.not_in(list(running)))
        )
        return min((t for t in (due, lease) if t is not None), default=None)

    async def keep_leased(self, job_id: int, *, until: datetime) -> None:
        """Extends the lease of a job still running (so no other replica takes it meanwhile)."""
        await self.session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.done_at.is_(None), JobRow.failed_at.is_(None))
            .values(leased_until=until)
        )

    async def pending_jobs(self, now: datetime) -> list[Job]:
        """Jobs the worker could take now: unfinished, due, not leased, first of their incident."""
        query = select(JobRow).where(*_claimable(now), _first_of_its_incident()).order_by(JobRow.id)
        return [job_record(r) for r in await self.session.scalars(query)]

    async def forget_jobs(self, finished_before: datetime) -> int:
        """Deletes jobs finished (done or failed) before this time, payload and all (their sends go with them),
        and the commands handled before it (Slack retries within minutes); returns how many jobs."""
        result = await self.session.execute(
            delete(JobRow).where(or_(JobRow.done_at < finished_before, JobRow.failed_at < finished_before))
        )
        forgotten = _rowcount(result)
        if forgotten:  # a sweep that finds nothing to forget stays one query
            await self.session.execute(delete(RequestRow).where(RequestRow.created_at < finished_before))
        return forgotten

    async def waiting(self, kind: str, incident_id: int) -> bool:
        """True when a job of this kind for this incident is still to be done."""
        return bool(
            await self.session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(
                    JobRow.kind == kind,
                    JobRow.incident_id == incident_id,
                    JobRow.done_at.is_(None),
                    JobRow.failed_at.is_(None),
                )
            )
        )

    async def waiting_any(self, incident_id: int) -> bool:
        """True while any job of this incident is still to be done (or retried)."""
        return bool(
            await self.session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(JobRow.incident_id == incident_id, JobRow.done_at.is_(None), JobRow.failed_at.is_(None))
            )
        )

    async def release_leases(self) -> int:
        """Frees every job a runner had taken (for a single process starting: nobody else holds them)."""
        result = await self.session.execute(
            update(JobRow)
            .where(JobRow.done_at.is_(None), JobRow.failed_at.is_(None), JobRow.leased_until.is_not(None))
            .values(leased_until=None)
        )
        return _rowcount(result)

    async def finish_job(
        self, job_id: int, *, at: datetime, error: str | None = None, retry_at: datetime | None = None
    ) -> None:
        """Marks a job done, failed for good (error, no retry_at) or to be tried again at retry_at."""
        if error is None:
            values: dict[str, Any] = {"done_at": at, "error": None, "leased_until": None}
        elif retry_at is None:
            values = {"failed_at": at, "error": error[:200], "leased_until": None}
        else:
            values = {"next_attempt_at": retry_at, "error": error[:200], "leased_until": None}
        await self.session.execute(
            update(JobRow).where(JobRow.id == job_id).values(attempts=JobRow.attempts + 1, **values)
        )

    async def handled(self, key: str, *, at: datetime) -> None:
        """Records that a request was handled; the same key again raises Duplicate (a retry: nothing changes)."""
        self.session.add(RequestRow(key=key[:200], created_at=at))
        await self.session.flush()

    async def was_handled(self, key: str) -> bool:
        """True when a request with this key was handled."""
        return await self.session.scalar(select(RequestRow.id).where(RequestRow.key == key[:200])) is not None

    async def begin_send(self, key: str, *, job_id: int, channel: str, at: datetime) -> bool:
        """Records that a post is about to be made; False when it was set out before (its outcome unknown)."""
        if await self.session.scalar(select(SendRow.id).where(SendRow.key == key)) is not None:
            return False
        self.session.add(SendRow(job_id=job_id, key=key, channel=channel, created_at=at))
        await self.session.flush()
        return True

    # --- views the bot opened, channel members ----------------------------------------------------

    async def record_view(
        self, external_id: str, *, user_id: str, incident_id: int, step_id: str, at: datetime
    ) -> None:
        """Remembers a modal about to be opened for one person and one step of an incident."""
        self.session.add(
            ViewRow(external_id=external_id, user_id=user_id, incident_id=incident_id, step_id=step_id, opened_at=at)
        )

    async def form_access(
        self, incident_id: int, *, external_id: str, user_id: str
    ) -> tuple[Incident | None, OpenedForm | None, bool]:
        """In one query, with the incident's row locked: the incident, the form the bot opened under
        `external_id` (None if none), and whether the user is in the incident's channel."""
        connection = await self.session.connection()
        query = _Hot.form_access_locked if connection.dialect.name == "postgresql" else _Hot.form_access
        row = (
            await connection.execute(
                query, {"incident_id": incident_id, "external_id": external_id, "user_id": user_id}
            )
        ).first()
        if row is None:
            return None, await self.view(external_id), False
        self.locked.add(incident_id)
        opened = (
            OpenedForm(row.form_user_id, row.form_incident_id, row.form_step_id)
            if row.form_user_id is not None
            else None
        )
        return incident_record(row), opened, row.member is not None

    async def view(self, external_id: str) -> OpenedForm | None:
        """The modal the bot opened under this external_id, if any."""
        row = await self.session.get(ViewRow, external_id) if external_id else None
        return OpenedForm(row.user_id, row.incident_id, row.step_id) if row else None

    async def is_member(self, channel_id: str, user_id: str) -> bool:
        """True when the user is in the channel, as the bot last learnt it."""
        return await self.session.get(MemberRow, (channel_id, user_id)) is not None

    async def members(self, channel_id: str) -> set[str]:
        """Everyone in the channel, as the bot last learnt it."""
        return set(await self.session.scalars(select(MemberRow.user_id).where(MemberRow.channel_id == channel_id)))

    async def add_members(self, channel_id: str, user_ids: list[str], *, at: datetime) -> None:
        """Records people who joined the channel (known ones are left as they are)."""
        known = await self.members(channel_id)
        self.session.add_all(
            MemberRow(channel_id=channel_id, user_id=u, since=at) for u in dict.fromkeys(user_ids) if u not in known
        )
        await self.session.flush()

    async def remove_member(self, channel_id: str, user_id: str) -> None:
        """Records that someone left (or was removed from) the channel."""
        await self.session.execute(
            delete(MemberRow).where(MemberRow.channel_id == channel_id, MemberRow.user_id == user_id)
        )

    async def member_change(self, channel_id: str, user_id: str, *, event_us: int, joined: bool) -> bool:
        """Records a membership event unless a later one (in Slack's time) was applied already; True when
        this one is the latest and must be applied. The row is locked until the transaction ends."""
        row = await self.session.get(MemberChangeRow, (channel_id, user_id), with_for_update=True)
        if row is None:
            self.session.add(MemberChangeRow(channel_id=channel_id, user_id=user_id, event_us=event_us, joined=joined))
            await self.session.flush()
            return True
        if event_us <= row.event_us:
            return False
        row.event_us, row.joined = event_us, joined
        await self.session.flush()
        return True

    async def language(self, user_id: str) -> KnownLanguage | None:
        """The person's language as users.info last said it, and when; None when it never did."""
        row = await self.session.get(PersonRow, user_id) if user_id else None
        return KnownLanguage(row.lang, row.checked_at) if row else None

    async def keep_language(self, user_id: str, lang: str, *, at: datetime) -> None:
        """Records what users.info said of the person's language, replacing what an earlier look-up said."""
        connection = await self.session.connection()
        insert_of = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert_of(PersonRow).values(user_id=user_id, lang=lang, checked_at=at)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                set_={"lang": statement.excluded.lang, "checked_at": statement.excluded.checked_at},
            )
        )

    async def record_open_form(self, external_id: str, *, user_id: str, at: datetime) -> None:
        """Remembers a new-incident modal about to be opened for one person."""
        self.session.add(OpenFormRow(external_id=external_id, user_id=user_id, opened_at=at))
        await self.session.flush()

    async def open_form_user(self, external_id: str) -> str | None:
        """Whom the bot opened the new-incident modal `external_id` for; None when it never opened it."""
        row = await self.session.get(OpenFormRow, external_id) if external_id else None
        return row.user_id if row else None

    async def member_changes(self, channel_id: str, *, lock: bool = False) -> dict[str, tuple[int, bool]]:
        """The latest membership event applied for each person of the channel: (Slack's time in microseconds,
        joined); with `lock`, their rows stay locked until the transaction ends (an event about them waits)."""
        query = select(MemberChangeRow.user_id, MemberChangeRow.event_us, MemberChangeRow.joined).where(
            MemberChangeRow.channel_id == channel_id
        )
        rows = await self.session.execute(query.with_for_update() if lock else query)
        return {row.user_id: (row.event_us, row.joined) for row in rows}

    async def replace_members(
        self, channel_id: str, user_ids: set[str], *, at: datetime, keep: frozenset[str] = frozenset()
    ) -> set[str]:
        """Makes the recorded members exactly these (after asking Slack with conversations.members), except
        the people in `keep`, left as recorded (an event about them was applied while Slack was asked).
        Returns the people no longer recorded."""
        known = await self.members(channel_id)
        user_ids = (user_ids - keep) | (known & keep)
        if known - user_ids:
            await self.session.execute(
                delete(MemberRow).where(MemberRow.channel_id == channel_id, MemberRow.user_id.in_(known - user_ids))
            )
        self.session.add_all(MemberRow(channel_id=channel_id, user_id=u, since=at) for u in user_ids - known)
        await self.session.flush()
        return known - user_ids

    # --- the timeline (経緯) ------------------------------------------------------------------------

    async def add_timeline(
        self,
        incident_id: int,
        *,
        at: datetime,
        text: Typed,
        author: str | None,
        added_by: str,
        added_at: datetime,
        source: str,
        permalink: str | None = None,
    ) -> TimelineItem:
        """Appends an entry; the same source for the same incident again raises Duplicate (at the commit)."""
        row = TimelineRow(
            incident_id=incident_id,
            at=at,
            text=text,
            author=author,
            added_by=added_by,
            added_at=added_at,
            source=source,
            permalink=permalink,
        )
        self.session.add(row)
        await self.session.flush()
        return timeline_record(row)

    async def timeline(self, incident_id: int) -> list[TimelineItem]:
        """Every entry of the incident's timeline, in the order things happened."""
        rows = await self.session.scalars(
            select(TimelineRow).where(TimelineRow.incident_id == incident_id).order_by(TimelineRow.at, TimelineRow.id)
        )
        return [timeline_record(row) for row in rows]

    async def set_timeline_permalink(self, entry_id: int, permalink: str) -> None:
        """Fills in the link of an entry added from a message (Slack gives it only after the ack)."""
        await self.session.execute(
            update(TimelineRow)
            .where(TimelineRow.id == entry_id, TimelineRow.permalink.is_(None))
            .values(permalink=permalink[:500])
        )

    # --- what the bot keeps in a channel: its canvas, bookmarks, draft files ------------------------

    async def channel_objects(self, incident_id: int) -> dict[str, ChannelObject]:
        """The canvas, bookmarks and draft files the bot keeps in an incident's channel, by name."""
        rows = await self.session.scalars(
            select(ChannelObjectRow)
            .where(ChannelObjectRow.incident_id == incident_id)
            .execution_options(populate_existing=True)
        )
        return {row.name: ChannelObject(row.name, row.slack_id, row.link, row.version, row.refused) for row in rows}

    async def _channel_object(self, incident_id: int, name: str, *, at: datetime) -> ChannelObjectRow:
        row = (
            await self.session.scalars(
                select(ChannelObjectRow)
                .where(ChannelObjectRow.incident_id == incident_id, ChannelObjectRow.name == name)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).first()
        if row is None:
            row = ChannelObjectRow(incident_id=incident_id, name=name, updated_at=at)
            self.session.add(row)
        return row

    async def keep_channel_object(self, incident_id: int, name: str, *, at: datetime, **fields: Any) -> None:
        """Records (or updates) what Slack made: `slack_id`, `link`, `version`."""
        row = await self._channel_object(incident_id, name, at=at)
        for field, value in fields.items():
            setattr(row, field, value[:1000] if field == "link" and isinstance(value, str) else value)
        row.updated_at = at
        await self.session.flush()

    async def refuse_canvas(self, incident_id: int, error: str, *, at: datetime) -> bool:
        """Records that Slack would not make the channel's canvas; True only the first time (say it once)."""
        row = await self._channel_object(incident_id, "canvas", at=at)
        if row.refused:
            return False
        row.refused, row.updated_at = error[:64], at
        await self.session.flush()
        return True

    # --- the incident desk (App Home, /leak-list) --------------------------------------------------

    def _members_incidents(self, user_id: str, *, closed: bool) -> Any:
        """Incidents with a channel this user is a member of, open or closed (as the bot last learnt it)."""
        status = IncidentRow.status == "closed" if closed else IncidentRow.status != "closed"
        return (
            select(IncidentRow)
            .join(MemberRow, (MemberRow.channel_id == IncidentRow.channel_id) & (MemberRow.user_id == user_id))
            .where(status)
        )

    async def member_incidents(
        self, user_id: str, *, closed: bool = False, offset: int = 0, limit: int = 20
    ) -> list[Incident]:
        """One page of the incidents whose channel the user is in: open ones newest first, closed ones
        most recently closed first."""
        order = (IncidentRow.closed_at.desc(), IncidentRow.id.desc()) if closed else (IncidentRow.id.desc(),)
        rows = await self.session.scalars(
            self._members_incidents(user_id, closed=closed).order_by(*order).offset(offset).limit(limit)
        )
        return [incident_record(row) for row in rows]

    async def count_member_incidents(self, user_id: str, *, closed: bool = False) -> int:
        """How many incidents, open or closed, have a channel the user is in."""
        query = self._members_incidents(user_id, closed=closed).with_only_columns(func.count(IncidentRow.id))
        return int(await self.session.scalar(query) or 0)

    async def open_incident(
        self, *, team_id: str, opener_id: str, view_id: str, at: datetime, nudge_due: datetime | None
    ) -> Incident:
        """Stores a new incident (one per submitted view: the same view again raises Duplicate)."""
        row = IncidentRow(
            team_id=team_id, opener_id=opener_id, open_view_id=view_id, created_at=at, nudge_due_at=nudge_due
        )
        self.session.add(row)
        await self.session.flush()
        return incident_record(row)

    async def incident_by_view(self, view_id: str) -> Incident | None:
        """The incident a /leak-open submission made, if any."""
        row = (await self.session.scalars(select(IncidentRow).where(IncidentRow.open_view_id == view_id))).first()
        return incident_record(row) if row else None

    async def open_incidents(self) -> list[Incident]:
        """Every incident that is not closed, oldest first."""
        rows = await self.session.scalars(
            select(IncidentRow).where(IncidentRow.status != "closed").order_by(IncidentRow.id)
        )
        return [incident_record(row) for row in rows]


def _decision(row: DecisionRow) -> Decision:
    return Decision(row.id, row.draft_id, row.reviewer, bool(row.approved), row.comment, row.created_at, row.source)


def _review_nudge(row: ReviewNudgeRow) -> ReviewNudge:
    return ReviewNudge(row.id, row.incident_id, row.draft_id, row.reviewer, row.due_at, row.nudges_sent or 0)


def _publication(row: PublicationRow) -> Publication:
    return Publication(row.id, row.draft_id, row.published_at, row.how, row.url, row.by, row.created_at)


def _first_of_its_incident() -> Any:
    """No earlier job of the same incident is unfinished (an incident's jobs run in order): the job is the
    oldest unfinished one of its incident, or belongs to none. One pass over the unfinished jobs."""
    heads = (
        select(func.min(JobRow.id))
        .where(JobRow.done_at.is_(None), JobRow.failed_at.is_(None), JobRow.incident_id.is_not(None))
        .group_by(JobRow.incident_id)
        .scalar_subquery()
    )
    return or_(JobRow.incident_id.is_(None), JobRow.id.in_(heads))


def _claimable(now: datetime) -> tuple[Any, ...]:
    """A job that is unfinished, due, and not leased by a runner (or whose lease ran out)."""
    return (
        JobRow.done_at.is_(None),
        JobRow.failed_at.is_(None),
        JobRow.next_attempt_at <= now,
        or_(JobRow.leased_until.is_(None), JobRow.leased_until <= now),
    )


def _rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE changed (its result is a CursorResult)."""
    return cast("CursorResult[Any]", result).rowcount


class _OneWriter:
    """SQLite lets one writer in at a time and makes the others sleep and poll. Queueing them here
    instead keeps a short write from waiting out a sleep, and lets the writes a request's ack waits
    for go before background work. The turn is handed to the next in line (urgent ones first): one
    wake-up per turn, however many wait."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        if self._busy:
            handed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            (self._urgent if urgent else self._others).append(handed)
            try:
                await handed
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():
                    self._pass_on()  # the turn came just as the waiter was cancelled: the next one has it
                raise  # (a cancelled future left in its queue is skipped by _pass_on)
        else:
            self._busy = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        for waiting in (self._urgent, self._others):
            while waiting:
                handed = waiting.popleft()
                if not handed.done():
                    handed.set_result(None)  # still busy: the turn is theirs now
                    return
        self._busy = False


class Repository:
    """Opens units of work on the database; `on_jobs` is called after a commit that recorded jobs."""

    def __init__(self, engine: AsyncEngine, *, on_jobs: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.on_jobs = on_jobs
        self._sessions = sessionmaker(engine)
        self._writer = _OneWriter() if engine.dialect.name == "sqlite" else None

    @property
    def sync_engine(self) -> Engine:
        """The engine the repository's statements run on (SQLite: its sessions' own), for event listeners."""
        if isinstance(self._sessions, SQLiteSessions):
            return self._sessions.engine
        return self.engine.sync_engine

    async def dispose(self) -> None:
        """Closes the connections of the repository's own sessions (SQLite; the engine's go with the engine)."""
        if isinstance(self._sessions, SQLiteSessions):
            await self._sessions.dispose()

    @asynccontextmanager
    async def _turn(self, *, urgent: bool) -> AsyncIterator[None]:
        if self._writer is None:
            yield
        else:
            async with self._writer.turn(urgent=urgent):
                yield

    @asynccontextmanager
    async def tx(self, *, urgent: bool = False) -> AsyncIterator[Tx]:
        """One unit of work: committed when the block ends, rolled back on an exception.

        `urgent`: a request waits for it before its ack (on SQLite it goes before background writes).
        A unique key that another transaction already used raises Duplicate.
        """
        try:
            async with self._turn(urgent=urgent), self._sessions.begin() as session:
                tx = Tx(session)
                yield tx
        except IntegrityError as exc:
            raise Duplicate(str(exc.orig)[:100]) from None
        if tx.enqueued and self.on_jobs is not None:
            self.on_jobs()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A unit of work that only reads (SQLite's WAL lets it run beside a writer)."""
        async with self._sessions() as session:
            yield Tx(session)

    @asynccontextmanager
    async def reading(self, tx: Tx | None) -> AsyncIterator[Tx]:
        """The unit of work the caller has open (a read command's one read before its ack), else a new read."""
        if tx is not None:
            yield tx
        else:
            async with self.read() as fresh:
                yield fresh
