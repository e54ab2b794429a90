"""What a failed Slack call means for a job: try again later (Retry, honouring a 429's Retry-After;
server errors, timeouts) or never (Impossible: someone is told). The worker (bot/worker.py) acts on it.
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.errors import SlackApiError

from storage.records import Incident

MAX_BACKOFF = timedelta(minutes=5)
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class Retry(Exception):
    """The job cannot be done yet; try again after `after` (or the usual backoff)."""

    def __init__(self, error: str, after: timedelta | None = None) -> None:
        super().__init__(error)
        self.error, self.after = error, after


class Impossible(Exception):
    """No retry can make this job work."""


def slack_error(exc: SlackApiError) -> str:
    """Returns Slack's error code of a failed call (the HTTP status when the body was not JSON)."""
    data = exc.response.data
    return (
        str(data.get("error") or exc.response.status_code) if isinstance(data, dict) else str(exc.response.status_code)
    )


def backoff(attempts: int) -> timedelta:
    """Waits 5 s, 10 s, 20 s … after each failed attempt, at most five minutes."""
    return min(timedelta(seconds=5 * 2**attempts), MAX_BACKOFF)


def classify(exc: SlackApiError) -> Exception:
    """Turns a Slack error into Retry (rate limit, outage) or Impossible (everything else)."""
    status, error = exc.response.status_code, slack_error(exc)
    if status == 429:
        headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
        wait = headers.get("retry-after", "1")
        return Retry(error, timedelta(seconds=int(wait if str(wait).isdigit() else 1)))
    if status >= 500 or error in TRANSIENT:
        return Retry(error)
    return Impossible(error)


def reference(job_id: int) -> str:
    """The reference people are given when a job cannot be done; its log lines carry it as `ref`."""
    return f"job-{job_id}"


def channel_of(incident: Incident) -> str:
    """The channel a job posts in. An incident's jobs run in order, its channel set-up first: a later job
    that finds no channel comes after a set-up that failed for good, and cannot be done either."""
    if incident.channel_id is None:
        raise Impossible("the incident has no channel")
    return incident.channel_id
