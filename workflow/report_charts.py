"""Charts for the report (matplotlib, no display): answers over time against the deadline, and
the member states x experience areas matrix. PNG for the DOCX, SVG for the page."""
from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot
from matplotlib.dates import date2num
from matplotlib.figure import Figure

INK, ACCENT, MUTED = "#1b1f24", "#0b5394", "#b3261e"


def _output(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()  # cheaper than bbox_inches="tight", which draws the figure twice
    figure.savefig(buffer, format=fmt, dpi=110 if fmt == "png" else 72)
    pyplot.close(figure)
    return buffer.getvalue()


def timeline(data: dict, labels: dict, fmt: str = "png") -> bytes:
    """Cumulative answers by day, with the deadline marked and the number addressed as a ceiling."""
    figure = pyplot.figure(figsize=(7, 3))
    axes = figure.add_subplot()
    points = data["timeline"]
    if points:
        days = date2num([date.fromisoformat(p["date"]) for p in points])
        axes.step(days, [p["count"] for p in points], where="post", color=ACCENT, linewidth=2)
        axes.plot(days, [p["count"] for p in points], "o", color=ACCENT, markersize=3)
    axes.axvline(date2num(date.fromisoformat(data["timeline_deadline"])), color=MUTED, linestyle="--", linewidth=1.5,
                 label=labels["deadline"])
    axes.axhline(data["summary"]["addressed"], color=INK, linestyle=":", linewidth=1, label=labels["addressed"])
    axes.set_ylim(0, data["summary"]["addressed"] + 1)
    axes.set_ylabel(labels["answers"])
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _output(figure, fmt)


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
