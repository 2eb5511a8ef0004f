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
    """A naive UTC moment shown in an IANA zone."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def from_zone(local: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` as the naive UTC moment it names."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)
