"""The one source of "now". Every deadline decision asks this module, so tests can move time.

Times are naive UTC datetimes throughout the database; zones only appear when showing them.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment as a naive UTC datetime."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (naive UTC), or release it with None."""
    global _frozen
    _frozen = moment


@contextmanager
def frozen_at(moment: datetime):
    previous = _frozen
    set_now(moment)
    try:
        yield moment
    finally:
        set_now(previous)


def to_zone(moment: datetime, zone: str) -> datetime:
    """A naive UTC moment shown in an IANA zone (in UTC at the very edges of the calendar, where
    the zone's offset would leave it: a stored extension of year 1 must not break a page)."""
    try:
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    except OverflowError:
        return moment.replace(tzinfo=UTC)


def from_zone(local: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` as the naive UTC moment it names."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)
