"""The one source of "now". Every deadline decision asks this module, so tests can move time.

Times are naive UTC datetimes throughout the database; zones only appear when showing them.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

# A frozen "now" belongs to the context that froze it (a test, a sweep run as of a moment), never
# to the other threads or requests of the process.
_frozen: ContextVar[datetime | None] = ContextVar("missiva_frozen_now", default=None)


def now() -> datetime:
    """The current moment as a naive UTC datetime."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return datetime.now(UTC).replace(tzinfo=None)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (naive UTC) in this context, or release it with None."""
    _frozen.set(moment)


@contextmanager
def frozen_at(moment: datetime):
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)


def to_zone(moment: datetime, zone: str) -> datetime:
    """A naive UTC moment shown in an IANA zone (in UTC at the very edges of the calendar, where
    the zone's offset would leave it: a stored extension of year 1 must not break a page)."""
    try:
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    except OverflowError:
        return moment.replace(tzinfo=UTC)


def zone_label(zone: str, language: str) -> str:
    """A zone in words, as a reader says it: "New York time", "hora de Nueva York", "UTC"."""
    from babel.dates import get_timezone_location
    from flask_babel import force_locale, gettext

    if zone in ("UTC", "Etc/UTC", "GMT"):
        return "UTC"
    try:
        city = get_timezone_location(zone, locale=language, return_city=True)
    except LookupError:
        city = zone
    city = city.rsplit("/", 1)[-1].replace("_", " ")
    with force_locale(language):
        return gettext("%(city)s time", city=city)


@lru_cache(maxsize=4096)  # a pure function of its arguments; a sweep writes the same deadline thousands of times
def shown(moment: datetime, zone: str, language: str, *, reader_zone: str | None = None,
          short: bool = False) -> str:
    """The one way a moment is written for people, on pages, in mail and in documents: the date
    and the time in `zone`, in `language`, with the zone named in words and no seconds —
    "29 de octubre de 2030, 23:59 (hora de Nueva York)"; `short` for tables. With `reader_zone`
    the reader's own time follows where it differs: "… (New York time; 22:59 Port of Spain time)"."""
    from babel.dates import format_date, format_time

    local = to_zone(moment, zone)
    when = (f"{format_date(local, 'short' if short else 'long', locale=language)}, "
            f"{format_time(local, 'short', locale=language)}")
    label = zone_label(getattr(local.tzinfo, "key", "UTC"), language)
    if reader_zone and reader_zone != zone:
        own = to_zone(moment, reader_zone)
        if own.utcoffset() != local.utcoffset():
            mine = format_time(own, "short", locale=language)
            if own.date() != local.date():
                mine = f"{format_date(own, 'short' if short else 'medium', locale=language)}, {mine}"
            label = f"{label}; {mine} {zone_label(getattr(own.tzinfo, 'key', 'UTC'), language)}"
    return f"{when} ({label})"


def from_zone(local: datetime, zone: str) -> datetime:
    """A wall-clock time in `zone` as the naive UTC moment it names."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)
