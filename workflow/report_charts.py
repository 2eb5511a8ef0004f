"""The report's charts as data: answers over time against the deadline, and the member states
presenting on each experience area. Typst draws them (templates/documents/charts.typ): inside the
report's PDF, and on their own (workflow.typeset.picture) as SVG for the page and PNG for the DOCX.
Positions are fractions of the plotting area; every label is already in the report's language."""
from __future__ import annotations

import math
from datetime import date, timedelta

from babel.dates import format_date

from .i18n import colon

TIMELINE_SIZE = (16.0, 6.5)  # cm


def _axis_days(data: dict) -> tuple[date, date]:
    """From the first invitation (or the call's opening) to the later of the deadline and the last
    answer, with a day of margin each side."""
    start = date.fromisoformat(data.get("timeline_start") or data["timeline_deadline"])
    end = date.fromisoformat(data.get("timeline_end") or data["timeline_deadline"])
    return start - timedelta(days=1), max(end, start) + timedelta(days=1)


def _step(top: float, most: int) -> int:
    """A round step (1, 2, 5, 10, 20, 50...) giving at most `most` ticks up to `top`."""
    rough = max(1.0, top / most)
    power = 10 ** math.floor(math.log10(rough))
    return int(next(f * power for f in (1, 2, 5, 10) if f * power >= rough))


def _count_ticks(top: int, most: int = 7) -> list[list]:
    step = _step(top, most)
    return [[value / top, str(value)] for value in range(0, top + 1, step)]


def _day_ticks(first: date, last: date, language: str) -> list[list]:
    """Days a week apart (or months, or years, for a long span) in the language, at most 8."""
    span = (last - first).days or 1
    if span <= 75:
        every = next(d for d in (1, 2, 7, 14) if span / d <= 8)
        days = [first + timedelta(days=n) for n in range(1, span, every)]
        pattern = "d MMM"
    else:
        months = next((m for m in (1, 2, 3, 6, 12, 24, 60) if span / 30.4 / m <= 8),
                      12 * math.ceil(span / 365.25 / 8))  # a deadline typed decades ahead
        month = date(first.year, first.month, 1)
        days = []
        while month <= last:
            if month > first and (month.year * 12 + month.month - 1) % months == 0:
                days.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        pattern = "MMM y"
    return [[(day - first).days / span, format_date(day, pattern, locale=language)] for day in days]


def timeline(data: dict, labels: dict) -> dict:
    """Cumulative answers by day, with the deadline marked and the number addressed as a ceiling."""
    first, last = _axis_days(data)
    span = (last - first).days or 1
    addressed = data["summary"]["addressed"]
    top = addressed + max(1, addressed // 10)

    def at(iso: str) -> float:
        return (date.fromisoformat(iso) - first).days / span

    return {"kind": "timeline", "width": TIMELINE_SIZE[0], "height": TIMELINE_SIZE[1],
            "x_ticks": _day_ticks(first, last, data["call"]["language"]), "y_ticks": _count_ticks(top),
            "x_title": "", "y_title": labels["answers"],
            "steps": [[at(p["date"]), p["count"] / top] for p in data["timeline"]],
            "deadline": at(data["timeline_deadline"]), "ceiling": addressed / top,
            "legend": {"deadline": labels["deadline"], "addressed": labels["addressed"]}}


def timeline_description(data: dict, labels: dict) -> str:
    """The chart in words, for its alt text."""
    answered = data["timeline"][-1]["count"] if data["timeline"] else 0
    first, last = _axis_days(data)
    language = data["call"]["language"]

    def day(value: date) -> str:
        return format_date(value, "long", locale=language)

    return (f"{colon(labels['timeline'], language)} {answered} / {data['summary']['addressed']}, "
            f"{day(first + timedelta(days=1))} – {day(last - timedelta(days=1))}. "
            f"{colon(labels['deadline'], language)} {day(date.fromisoformat(data['timeline_deadline']))}.")


def presenting(section: dict) -> list[int]:
    """How many member states would present on each experience area, in the areas' order."""
    return [sum(1 for row in section["rows"] if row["areas"][a["key"]]["present"]) for a in section["areas"]]


def areas(section: dict, labels: dict) -> dict:
    """One bar an area (numbered as in the report's table and list): the member states whose
    experts would like to present on it, out of those that answered."""
    counts, top = presenting(section), max(1, len(section["rows"]))
    return {"kind": "areas", "width": 14.0, "height": 1.6 + 0.7 * len(counts),
            "x_ticks": _count_ticks(top, 6), "x_title": labels["states_presenting"], "y_title": "",
            "y_ticks": [[1 - (i + 0.5) / len(counts), str(i + 1)] for i in range(len(counts))],
            "bars": [[count / top, str(count)] for count in counts]}


def areas_description(section: dict, labels: dict, language: str) -> str:
    """The bar chart in words, for its alt text."""
    counted = zip(section["areas"], presenting(section), strict=True)
    return f"{colon(labels['states_presenting'], language)} " + "; ".join(
        f"{index}. {area['label']}: {count}" for index, (area, count) in enumerate(counted, start=1))
