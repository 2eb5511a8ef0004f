"""Charts for the report (matplotlib, no display): answers over time against the deadline, and
the member states x experience areas matrix. PNG for the DOCX, SVG for the page."""
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


def matrix(section: dict, fmt: str = "png") -> bytes:
    """A filled cell: that state's expert would like to present on that area. States run down
    the side for a short list, and along the bottom (in small type) for a long one."""
    rows, areas = section["rows"], section["areas"]
    values = [[1 if row["areas"][a["key"]]["present"] else 0 for a in areas] for row in rows] or [[0] * len(areas)]
    names, numbers = [row["state"] for row in rows], [str(i + 1) for i in range(len(areas))]
    wide = len(rows) > 40
    if wide:
        values = [list(column) for column in zip(*values, strict=True)]
        figure = pyplot.figure(figsize=(10, 1 + 0.3 * len(areas)))
    else:
        figure = pyplot.figure(figsize=(7, max(2.0, 0.22 * len(rows) + 1.5)))
    axes = figure.add_subplot()
    axes.imshow(values, cmap="Blues", vmin=0, vmax=1.4, aspect="auto", interpolation="nearest")
    if wide:
        axes.set_yticks(range(len(areas)), numbers)
        axes.set_xticks(range(len(rows)), names, fontsize=4, rotation=90)
    else:
        axes.set_xticks(range(len(areas)), numbers)
        axes.set_yticks(range(len(rows)), names, fontsize=7)
        axes.xaxis.tick_top()
    for spine in axes.spines.values():
        spine.set_visible(False)
    return _output(figure, fmt)
