"""Clocks for the emulator: real time by default, or a manual clock that tests move forward.

Every time-dependent answer (provisioning, build phases, operation status) is computed from
``clock.now()``, so a test that owns a :class:`ManualClock` decides exactly what a poll sees.

Example:
    >>> from datetime import datetime, timezone
    >>> clock = ManualClock(datetime(2020, 3, 26, 13, 6, 27, tzinfo=timezone.utc))
    >>> clock.advance(30)
    >>> clock.now().isoformat()
    '2020-03-26T13:06:57+00:00'
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

__all__ = [
    "ZERO_DATE",
    "Clock",
    "ManualClock",
    "SystemClock",
    "format_nanos",
    "format_ticks",
    "from_epoch",
    "to_epoch",
]

#: What the service shows as ``lastRunStatus.endTime`` while a run is not finished.
ZERO_DATE = "0001-01-01T00:00:00Z"


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Real wall-clock time (the default).

    Example:
        >>> SystemClock().now().tzinfo is not None
        True
    """

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to; thread-safe.

    Example:
        >>> clock = ManualClock()
        >>> before = clock.now()
        >>> clock.advance(seconds=90)
        >>> (clock.now() - before).total_seconds()
        90.0
    """

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = datetime(2020, 3, 26, 13, 6, 27, 346416, tzinfo=timezone.utc)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time (use tzinfo=timezone.utc)")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Move the clock forward (never backwards)."""
        delta = timedelta(seconds=seconds, minutes=minutes)
        if delta < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += delta

    def set(self, when: datetime) -> None:
        """Jump to ``when`` (not earlier than now)."""
        when = when.astimezone(timezone.utc)
        with self._lock:
            if when < self._now:
                raise ValueError("a clock cannot go backwards")
            self._now = when

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()!r})"


def to_epoch(when: datetime) -> float:
    """Seconds since the epoch (what the state file stores)."""
    return when.timestamp()


def from_epoch(seconds: float) -> datetime:
    """The aware UTC datetime of ``seconds`` since the epoch."""
    return datetime.fromtimestamp(seconds, timezone.utc)


def _stem(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def format_ticks(when: datetime, salt: int = 0) -> str:
    """Seven fractional digits, as operation-status bodies show them (``2020-03-26T13:06:27.3464161Z``).

    Python keeps microseconds; the seventh digit is taken from ``salt`` so it is stable per operation.
    """
    return f"{_stem(when)}.{when.microsecond:06d}{salt % 10}Z"


def format_nanos(when: datetime, salt: int = 0) -> str:
    """Nine fractional digits, as ``lastRunStatus`` shows them (``2020-09-08T04:29:55.838053665Z``)."""
    return f"{_stem(when)}.{when.microsecond:06d}{salt % 1000:03d}Z"
