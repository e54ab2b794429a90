"""Queries. The domain calls these; it never builds SQL itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.answers import Answer
from storage.db import sessionmaker
from storage.models import DraftRow, IncidentRow, OutboxRow, OwnerRow, RevisionRow


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
class Delivery:
    """A pending Slack call from the outbox."""

    id: int
    key: str
    incident_id: int | None
    method: str
    args: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Draft:
    incident_id: int
    doc: str
    version: int
    body: str
    at: datetime
    user_id: str | None


def _incident(row: IncidentRow) -> Incident:
    return Incident(row.id, row.team_id, row.opener_id, row.status, row.channel_id, row.channel_name,
                    row.checklist_ts, row.created_at, row.closed_at, row.closed_by, row.nudge_due_at, row.nudges_sent or 0)


def _draft(row: DraftRow) -> Draft:
    return Draft(row.incident_id, row.doc, row.version, row.body, row.created_at, row.created_by)


class Repository:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine)

    async def open_incident(
        self, *, team_id: str, opener_id: str, view_id: str, values: Mapping[str, Any], at: datetime
    ) -> tuple[Incident, bool]:
        """Stores a new incident with its first answers; returns (incident, created).

        The same view submitted again returns the incident it already made.
        """
        try:
            async with self._sessions.begin() as session:
                row = IncidentRow(team_id=team_id, opener_id=opener_id, open_view_id=view_id, created_at=at)
                session.add(row)
                await session.flush()
                session.add_all(_revisions(row.id, opener_id, at, values))
            return _incident(row), True
        except IntegrityError:
            async with self._sessions() as session:
                row = (await session.scalars(select(IncidentRow).where(IncidentRow.open_view_id == view_id))).one()
                return _incident(row), False

    async def incident(self, incident_id: int) -> Incident | None:
        """Returns one incident by id."""
        async with self._sessions() as session:
            row = await session.get(IncidentRow, incident_id)
            return _incident(row) if row else None

    async def incident_by_channel(self, channel_id: str) -> Incident | None:
        """Returns the incident whose channel this is."""
        async with self._sessions() as session:
            row = (await session.scalars(select(IncidentRow).where(IncidentRow.channel_id == channel_id))).first()
            return _incident(row) if row else None

    async def update_incident(self, incident_id: int, **fields: Any) -> None:
        """Sets channel, checklist message or status fields of an incident."""
        async with self._sessions.begin() as session:
            await session.execute(update(IncidentRow).where(IncidentRow.id == incident_id).values(**fields))

    async def close(self, incident_id: int, *, user_id: str, at: datetime) -> bool:
        """Closes an open incident; False when it was closed already."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(IncidentRow)
                .where(IncidentRow.id == incident_id, IncidentRow.status != "closed")
                .values(status="closed", closed_at=at, closed_by=user_id, nudge_due_at=None)
            )
            return result.rowcount == 1

    async def record(self, incident_id: int, *, user_id: str, at: datetime, values: Mapping[str, Any]) -> list[str]:
        """Appends a revision for every item whose value changed; returns their ids."""
        async with self._sessions.begin() as session:
            current = _fold(await self._revisions(session, incident_id, list(values)))
            changed = [
                item_id for item_id, value in values.items()
                if (current[item_id].value if item_id in current else None) != value
            ]
            session.add_all(_revisions(incident_id, user_id, at, {i: values[i] for i in changed}, keep_none=True))
        return changed

    async def answers(self, incident_id: int) -> dict[str, Answer]:
        """Returns the current answer of every answered item."""
        async with self._sessions() as session:
            return _fold(await self._revisions(session, incident_id))

    async def history(self, incident_id: int, item_id: str | None = None) -> list[Revision]:
        """Returns every revision, oldest first, of one item or of all."""
        async with self._sessions() as session:
            rows = await self._revisions(session, incident_id, [item_id] if item_id else None)
            return [Revision(r.item_id, r.value, r.user_id, r.created_at) for r in rows]

    async def latest_draft(self, incident_id: int, doc: str = "public") -> Draft | None:
        """Returns the newest draft version posted, if any."""
        async with self._sessions() as session:
            row = (await session.scalars(
                select(DraftRow).where(DraftRow.incident_id == incident_id, DraftRow.doc == doc)
                .order_by(DraftRow.version.desc()).limit(1)
            )).first()
            return _draft(row) if row else None

    async def add_draft(self, incident_id: int, *, body: str, at: datetime, user_id: str | None,
                        doc: str = "public") -> Draft:
        """Stores the next numbered version of a draft."""
        async with self._sessions.begin() as session:
            last = await session.scalar(
                select(func.max(DraftRow.version)).where(DraftRow.incident_id == incident_id, DraftRow.doc == doc)
            )
            row = DraftRow(incident_id=incident_id, doc=doc, version=(last or 0) + 1, body=body,
                           created_at=at, created_by=user_id)
            session.add(row)
        return _draft(row)

    async def set_owners(self, incident_id: int, item_ids: list[str], *, owner_id: str | None, set_by: str,
                         at: datetime) -> list[str]:
        """Gives items an owner (None: nobody); returns the items whose owner changed."""
        async with self._sessions.begin() as session:
            current = await self._owners(session, incident_id)
            changed = [i for i in item_ids if (current[i].owner_id if i in current else None) != owner_id]
            session.add_all(OwnerRow(incident_id=incident_id, item_id=i, owner_id=owner_id, set_by=set_by, created_at=at)
                            for i in changed)
        return changed

    async def owners(self, incident_id: int) -> dict[str, Owner]:
        """Returns the current owner of every item that has one."""
        async with self._sessions() as session:
            return {i: o for i, o in (await self._owners(session, incident_id)).items() if o.owner_id}

    async def owner_history(self, incident_id: int) -> list[Owner]:
        """Returns every ownership change, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(select(OwnerRow).where(OwnerRow.incident_id == incident_id).order_by(OwnerRow.id))
            return [Owner(r.item_id, r.owner_id, r.set_by, r.created_at) for r in rows]

    @staticmethod
    async def _owners(session: Any, incident_id: int) -> dict[str, Owner]:
        rows = await session.scalars(select(OwnerRow).where(OwnerRow.incident_id == incident_id).order_by(OwnerRow.id))
        return {r.item_id: Owner(r.item_id, r.owner_id, r.set_by, r.created_at) for r in rows}

    async def due_nudges(self, now: datetime, *, limit: int = 100) -> list[Incident]:
        """Returns open incidents whose next nudge is due, oldest due first (one indexed query)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(IncidentRow)
                .where(IncidentRow.nudge_due_at <= now, IncidentRow.status == "open")
                .order_by(IncidentRow.nudge_due_at).limit(limit)
            )
            return [_incident(row) for row in rows]

    async def claim_nudge(self, incident: Incident, *, next_due: datetime, calls: list[tuple[str, dict[str, Any]]],
                          at: datetime) -> list[int]:
        """Moves a due nudge on to its next due time and records its Slack calls in the outbox, atomically.

        Returns the outbox ids, or [] when another sweep claimed this nudge first.
        """
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(IncidentRow)
                .where(IncidentRow.id == incident.id, IncidentRow.nudge_due_at == incident.nudge_due_at)
                .values(nudge_due_at=next_due, nudges_sent=IncidentRow.nudges_sent + 1)
            )
            if result.rowcount != 1:
                return []
            stamp = incident.nudge_due_at.isoformat() if incident.nudge_due_at else "none"
            rows = [OutboxRow(key=f"nudge:{incident.id}:{stamp}:{n}", incident_id=incident.id, method=method, args=args,
                              created_at=at, next_attempt_at=at) for n, (method, args) in enumerate(calls)]
            session.add_all(rows)
            await session.flush()
            return [row.id for row in rows]

    async def pending_deliveries(self, now: datetime, *, ids: list[int] | None = None, limit: int = 100) -> list[Delivery]:
        """Returns outbox calls not yet delivered or given up whose next attempt is due, oldest first."""
        query = select(OutboxRow).where(OutboxRow.delivered_at.is_(None), OutboxRow.failed_at.is_(None),
                                        OutboxRow.next_attempt_at <= now)
        if ids is not None:
            query = query.where(OutboxRow.id.in_(ids))
        async with self._sessions() as session:
            rows = await session.scalars(query.order_by(OutboxRow.id).limit(limit))
            return [Delivery(r.id, r.key, r.incident_id, r.method, r.args, r.attempts) for r in rows]

    async def finish_delivery(self, delivery_id: int, *, at: datetime, error: str | None = None,
                              retry_at: datetime | None = None) -> None:
        """Marks a call delivered, failed for good (error, no retry_at) or to be tried again at retry_at."""
        if error is None:
            values: dict[str, Any] = {"delivered_at": at, "error": None}
        elif retry_at is None:
            values = {"failed_at": at, "error": error[:200]}
        else:
            values = {"next_attempt_at": retry_at, "error": error[:200]}
        async with self._sessions.begin() as session:
            await session.execute(update(OutboxRow).where(OutboxRow.id == delivery_id)
                                  .values(attempts=OutboxRow.attempts + 1, **values))

    async def schedule_nudge(self, incident_id: int, *, due: datetime | None, reset: bool) -> None:
        """Sets when the next nudge is due (None: none); `reset` starts the backoff again."""
        values: dict[str, Any] = {"nudge_due_at": due}
        if reset:
            values["nudges_sent"] = 0
        async with self._sessions.begin() as session:
            await session.execute(
                update(IncidentRow).where(IncidentRow.id == incident_id, IncidentRow.status != "closed").values(**values)
            )

    @staticmethod
    async def _revisions(session: Any, incident_id: int, item_ids: list[str] | None = None) -> list[RevisionRow]:
        query = select(RevisionRow).where(RevisionRow.incident_id == incident_id)
        if item_ids is not None:
            query = query.where(RevisionRow.item_id.in_(item_ids))
        return list(await session.scalars(query.order_by(RevisionRow.id)))


def _revisions(incident_id: int, user_id: str, at: datetime, values: Mapping[str, Any],
               keep_none: bool = False) -> list[RevisionRow]:
    return [
        RevisionRow(incident_id=incident_id, item_id=item_id, value=value, user_id=user_id, created_at=at)
        for item_id, value in values.items()
        if value is not None or keep_none
    ]


def _fold(rows: list[RevisionRow]) -> dict[str, Answer]:
    counts: dict[str, int] = {}
    latest: dict[str, RevisionRow] = {}
    for row in rows:
        counts[row.item_id] = counts.get(row.item_id, 0) + 1
        latest[row.item_id] = row
    return {
        item_id: Answer(item_id, row.value, row.user_id, row.created_at, counts[item_id])
        for item_id, row in latest.items()
        if row.value is not None
    }
