"""When to nudge an incident that has gone quiet: the policy, with no Slack and no SQL."""

from __future__ import annotations

from datetime import datetime, timedelta

BACKOFF_CAP = 8  # repeats come after 1x, 2x, 4x, then at most 8x the interval
SNOOZE_CHOICES = (30 * 60, 60 * 60, 4 * 60 * 60)  # seconds offered on a nudge


def first_due(progress_at: datetime, interval: int) -> datetime:
    """The first nudge comes exactly one interval after the last progress."""
    return progress_at + timedelta(seconds=interval)


def next_due(now: datetime, interval: int, nudges_sent: int) -> datetime:
    """After the n-th nudge (n >= 1) the next waits 2^n intervals, capped at BACKOFF_CAP."""
    return now + timedelta(seconds=interval * min(2**nudges_sent, BACKOFF_CAP))


def snoozed_until(now: datetime, seconds: int) -> datetime:
    """A snooze holds the clock: the next nudge comes when it ends."""
    if seconds not in SNOOZE_CHOICES:
        raise ValueError(f"not a snooze choice: {seconds}")
    return now + timedelta(seconds=seconds)
