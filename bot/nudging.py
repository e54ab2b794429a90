"""When to nudge an incident that has gone quiet: the policy, with no Slack and no SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

DEADLINE_WINDOW = timedelta(hours=24)  # this close to a legal deadline, nudges come at least hourly
DEADLINE_REPEAT = timedelta(hours=1)
BACKOFF_CAP = 8  # repeats come after 1x, 2x, 4x, then at most 8x the interval
SNOOZE_CHOICES = (30 * 60, 60 * 60, 4 * 60 * 60)  # seconds offered on a nudge


def first_due(progress_at: datetime, interval: int, deadlines: Iterable[datetime] = ()) -> datetime:
    """The first nudge comes one interval after the last progress (sooner near a legal deadline)."""
    return _near_deadlines(progress_at, progress_at + timedelta(seconds=interval), deadlines)


def next_due(now: datetime, interval: int, nudges_sent: int, deadlines: Iterable[datetime] = ()) -> datetime:
    """After the n-th nudge (n >= 1) the next waits 2^n intervals, capped at BACKOFF_CAP, or less near a deadline."""
    backoff = now + timedelta(seconds=interval * min(2**nudges_sent, BACKOFF_CAP))
    return _near_deadlines(now, backoff, deadlines)


def _near_deadlines(now: datetime, due: datetime, deadlines: Iterable[datetime]) -> datetime:
    for deadline in deadlines:
        window = deadline - DEADLINE_WINDOW
        due = min(due, now + DEADLINE_REPEAT if now >= window else window)
    return due


def within_window(now: datetime, deadline: datetime) -> bool:
    """True when a deadline is less than 24 hours away, or past."""
    return now >= deadline - DEADLINE_WINDOW


def snoozed_until(now: datetime, seconds: int) -> datetime:
    """A snooze holds the clock: the next nudge comes when it ends."""
    if seconds not in SNOOZE_CHOICES:
        raise ValueError(f"not a snooze choice: {seconds}")
    return now + timedelta(seconds=seconds)
