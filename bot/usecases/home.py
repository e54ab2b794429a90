"""The incident desk: where every incident a person may see stands (App Home, /leak-list).

Only incidents whose channel the person is a member of (the `members` table) are read: membership is
the one access rule, and it is checked in the query itself. What changes the desk (an answer, a new
draft version, a close) records a "home" intent in its own transaction (`republish`), and the Slack
adapter publishes the Home tab again for every member of that incident's channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import legal
from bot.checklist import is_drill, progress
from bot.usecases import asking
from bot.usecases.base import values_of
from storage.repository import Incident, Repository, Tx

PAGE_SIZE = 20  # open incidents per Home page: 3 blocks each stays well within Slack's 100 blocks a view
CLOSED_SHOWN = 5  # recently closed incidents below the open ones


@dataclass(frozen=True)
class Row:
    """One incident as the desk shows it."""

    incident: Incident
    title: str
    required_done: int
    required_total: int
    next_step_id: str | None  # the step the next question opens; None when nothing is open
    next_owner: str | None  # who owns the next open item (None: nobody yet)
    deadlines: tuple[legal.Deadline, ...]  # APPI report deadlines still open (速報, 確報)
    draft_version: int | None  # latest public draft version
    drill: bool = False  # a fire drill: shown apart, never among the real incidents


@dataclass(frozen=True)
class Desk:
    """One page of a person's desk."""

    user_id: str
    open: tuple[Row, ...]
    open_total: int
    page: int
    closed: tuple[Row, ...]

    @property
    def real(self) -> tuple[Row, ...]:
        """The open incidents of this page that are not drills."""
        return tuple(row for row in self.open if not row.drill)

    @property
    def drills(self) -> tuple[Row, ...]:
        """The open fire drills of this page, shown apart from the real incidents."""
        return tuple(row for row in self.open if row.drill)

    @property
    def more(self) -> int:
        """How many open incidents come after this page."""
        return max(0, self.open_total - (self.page + 1) * PAGE_SIZE)


async def desk(repo: Repository, user_id: str, *, page: int = 0, page_size: int = PAGE_SIZE) -> Desk:
    """The open incidents (one page) and the recently closed ones whose channel `user_id` is in."""
    async with repo.read() as tx:
        return await desk_in(tx, user_id, page=page, page_size=page_size)


async def desk_in(tx: Tx, user_id: str, *, page: int = 0, page_size: int = PAGE_SIZE) -> Desk:
    """`desk`, read in a unit of work the caller has open (a read command's one read before its ack)."""
    page = max(0, page)
    total = await tx.count_member_incidents(user_id)
    if page * page_size >= total > 0:
        page = (total - 1) // page_size  # a page that emptied since it was asked for shows the last one
    opened = await tx.member_incidents(user_id, offset=page * page_size, limit=page_size)
    closed = await tx.member_incidents(user_id, closed=True, limit=CLOSED_SHOWN)
    return Desk(
        user_id, tuple([await _row(tx, i) for i in opened]), total, page, tuple([await _row(tx, i) for i in closed])
    )


async def _row(tx: Tx, incident: Incident) -> Row:
    answers = await tx.answers(incident.id)
    values = values_of(answers)
    done = progress(values)
    step = None if incident.closed else await asking.next_question(tx, incident.id, values)
    owner = None
    if step is not None:
        owners = await tx.owners(incident.id)
        owner = next((owners[i].owner_id for i in step.items if i in owners), None)
    draft = await tx.latest_draft(incident.id)
    return Row(
        incident,
        str(values.get("title") or f"#{incident.id}"),
        done.required_done,
        done.required_total,
        step.id if step else None,
        owner,
        tuple(legal.assess(values).open_deadlines()),
        draft.version if draft else None,
        is_drill(values),
    )


async def republish(tx: Tx, incident_id: int, *, key: str, at: datetime, once: bool = False) -> None:
    """Records that the Home tab of every member of the incident's channel must be published again.

    The tabs are rendered when the job runs, from the state then: a waiting republish is superseded."""
    await tx.enqueue("home", {}, key=f"home:{key}", at=at, incident_id=incident_id, supersede=True, once=once)


async def may_answer(repo: Repository, incident_id: int, user_id: str) -> Incident | None:
    """The incident when this person may open its next question from the Home tab (open, a member)."""
    async with repo.read() as tx:
        incident = await tx.incident(incident_id)
        if incident is None or incident.closed or not incident.channel_id:
            return None
        return incident if await tx.is_member(incident.channel_id, user_id) else None


async def next_of(repo: Repository, incident: Incident) -> str | None:
    """The id of the step the incident's next question opens, as it stands now."""
    async with repo.read() as tx:
        step = await asking.next_question(tx, incident.id)
    return step.id if step else None
