"""Checking a definition (a call, its sections) value by value: each problem is a sentence that
names the field (`sections[2].documents[0].max_mb: ...`) so an officer can find and fix it. Used by
calls.py and sections.py; nothing here is stored."""
from __future__ import annotations

from datetime import date, datetime
from difflib import get_close_matches
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

LANGUAGES = ("en", "es", "fr", "pt")
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "pt": "Português"}
EARLIEST = datetime(1990, 1, 1)
LATEST = datetime(2100, 12, 31, 23, 59)
MAX_REMINDER_DAYS = 365


class Problems(list):
    """The problems found so far, with one method per kind of value."""

    def mapping(self, where: str, value, known: tuple[str, ...], *, required: bool = False) -> dict:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.append(f"{where}: must be a mapping of {', '.join(known)}")
            return {}
        for key in value:
            if key not in known:
                near = get_close_matches(str(key), known, n=1)
                hint = f" (did you mean {near[0]}?)" if near else f" (known: {', '.join(known)})"
                self.append(f"{where}.{key}: unknown field{hint}" if where else f"{key}: unknown field{hint}")
        return value

    def text(self, where: str, value, *, required: bool = False, limit: int = 300) -> None:
        if value is None or value == "":
            if required:
                self.append(f"{where} is required")
            return
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.append(f"{where}: must be text")
        elif len(str(value)) > limit:
            self.append(f"{where}: at most {limit} characters")

    def translated(self, where: str, value, *, required: bool = False, limit: int = 300) -> None:
        """A text, or a text per language ({en: ..., es: ...})."""
        if isinstance(value, dict):
            if not value and required:
                self.append(f"{where} is required")
            for language, text in value.items():
                if language not in LANGUAGES:
                    self.append(f"{where}.{language}: not a language Missiva speaks ({', '.join(LANGUAGES)})")
                else:
                    self.text(f"{where}.{language}", text, limit=limit)
            if required and value and not any(isinstance(t, str) and t.strip() for t in value.values()):
                self.append(f"{where} is required")
        else:
            self.text(where, value, required=required, limit=limit)

    def whole(self, where: str, value, low: int, high: int, *, required: bool = False) -> None:
        if value is None and not required:
            return
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.append(f"{where}: a whole number from {low} to {high}")

    def flag(self, where: str, value) -> None:
        if value is not None and not isinstance(value, bool):
            self.append(f"{where}: true or false")

    def one_of(self, where: str, value, options: tuple[str, ...], *, required: bool = False) -> None:
        if value is None and not required:
            return
        if value not in options:
            self.append(f"{where}: one of {', '.join(options)}")

    def items(self, where: str, value, *, required: bool = True, limit: int = 200) -> list:
        """A non-empty list of mappings."""
        if not isinstance(value, list) or (required and not value):
            self.append(f"{where}: must be a non-empty list")
            return []
        if len(value) > limit:
            self.append(f"{where}: at most {limit} entries")
        good = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                good.append((f"{where}[{index}]", item))
            else:
                self.append(f"{where}[{index}]: must be a mapping")
        return good

    def calendar_date(self, where: str, value) -> None:
        if value in (None, ""):
            return
        try:
            moment = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            self.append(f"{where}: a date written as 2007-11-19")
            return
        if not EARLIEST.date() <= moment <= LATEST.date():
            self.append(f"{where}: between {EARLIEST:%Y} and {LATEST:%Y}")


def known_zone(zone) -> bool:
    """An IANA time zone this machine knows (America/New_York), given as text."""
    if not isinstance(zone, str):
        return False
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(zone)


@cache
def zone_names() -> tuple[str, ...]:
    """Every time zone a person may choose, sorted (read from disk once per process)."""
    return tuple(sorted(available_timezones()))


def in_window(moment: datetime) -> bool:
    """Deadlines and extensions stay within years a secretariat works in."""
    return EARLIEST <= moment <= LATEST
