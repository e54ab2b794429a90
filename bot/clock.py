"""The clock is injected so that deadlines and nudges can be tested without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


class Clock(Protocol):
    def now(self) -> datetime:
        """Returns the current time, timezone-aware."""


class SystemClock:
    def now(self) -> datetime:
        """Returns the current time in UTC."""
        return datetime.now(UTC)
