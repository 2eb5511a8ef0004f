"""Charts for the report (matplotlib, no display): answers over time against the deadline, and
the member states presenting on each experience area. PNG for the DOCX, SVG for the page and the PDF."""
from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib
from babel.dates import format_date

matplotlib.use("Agg")
from matplotlib import pyplot
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .i18n import colon

INK, ACCENT, MUTED = "#1b1f24", "#0b5394", "#b3261e"


def _output(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()  # cheaper than bbox_inches="tight", which draws the figure twice
    figure.savefig(buffer, format=fmt, dpi=110 if fmt == "png" else 72)
    pyplot.close(figure)
    return buffer.getvalue()


def _axis_days(data: dict) -> tuple[date, date]:
    """From the first invitation (or the call's opening) to the later of the deadline and the last
    answer, with a day of margin each side."""
    start = date.fromisoformat(data.get("timeline_start") or data["timeline_deadline"])
    end = date.fromisoformat(data.get("timeline_end") or data["timeline_deadline"])
    return start - timedelta(days=1), max(end, start) + timedelta(days=1)


def timeline(data: dict, labels: dict, fmt: str = "png") -> bytes:
    """Cumulative answers by day, with the deadline marked and the number addressed as a ceiling."""
    figure = pyplot.figure(figsize=(7, 3))
    axes = figure.add_subplot()
    points = data["timeline"]
    first, last = _axis_days(data)
    if points:
        days = [date.fromisoformat(p["date"]) for p in points] + [last]
        counts = [p["count"] for p in points]
        axes.step(date2num(days), [*counts, counts[-1]], where="post", color=ACCENT, linewidth=2)
        axes.plot(date2num(days[:-1]), counts, "o", color=ACCENT, markersize=4)
    axes.axvline(date2num(date.fromisoformat(data["timeline_deadline"])), color=MUTED, linestyle="--",
                 linewidth=1.5, label=labels["deadline"])
    addressed = data["summary"]["addressed"]
    axes.axhline(addressed, color=INK, linestyle=":", linewidth=1, label=labels["addressed"])
    axes.set_xlim(date2num(first), date2num(last))
    axes.set_ylim(0, addressed + max(1, addressed // 10))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    language, pattern = data["call"]["language"], "d MMM" if (last - first).days < 180 else "MMM y"
    axes.xaxis.set_major_formatter(FuncFormatter(
        lambda value, _position: format_date(num2date(value).date(), pattern, locale=language)))
    axes.tick_params(labelsize=9)
    axes.set_ylabel(labels["answers"], fontsize=9)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _output(figure, fmt)


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


def areas(section: dict, labels: dict, fmt: str = "png") -> bytes:
    """One bar an area (numbered as in the report's table and list): the member states whose
    experts would like to present on it, out of those that answered."""
    counts, answered = presenting(section), len(section["rows"])
    numbers = [str(i + 1) for i in range(len(counts))]
    figure = pyplot.figure(figsize=(7, 0.9 + 0.38 * len(counts)))
    axes = figure.add_subplot()
    positions = range(len(counts))
    axes.barh(positions, counts, color=ACCENT, height=0.6)
    axes.set_yticks(positions, numbers)
    axes.invert_yaxis()  # area 1 on top, as in the list
    axes.set_xlim(0, max(1, answered))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, count in zip(positions, counts, strict=True):
        axes.annotate(str(count), (count, position), xytext=(4, 0), textcoords="offset points", va="center",
                      fontsize=8, color=INK)
    axes.tick_params(labelsize=9)
    axes.set_xlabel(labels["states_presenting"], fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    return _output(figure, fmt)


def areas_description(section: dict, labels: dict, language: str) -> str:
    """The bar chart in words, for its alt text."""
    counted = zip(section["areas"], presenting(section), strict=True)
    return f"{colon(labels['states_presenting'], language)} " + "; ".join(
        f"{index}. {area['label']}: {count}" for index, (area, count) in enumerate(counted, start=1))
