"""Charts for the report (matplotlib, no display): answers over time against the deadline, and
the member states x experience areas matrix. PNG for the DOCX, SVG for the page."""
from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

INK, ACCENT, MUTED = "#1b1f24", "#0b5394", "#b3261e"


def _output(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 72, bbox_inches="tight")
    pyplot.close(figure)
    return buffer.getvalue()


def timeline(data: dict, labels: dict, fmt: str = "png") -> bytes:
    """Cumulative answers by day, with the deadline marked and the number addressed as a ceiling."""
    figure = pyplot.figure(figsize=(7, 3))
    axes = figure.add_subplot()
    points = data["timeline"]
    if points:
        days = [date.fromisoformat(p["date"]) for p in points]
        axes.step(days, [p["count"] for p in points], where="post", color=ACCENT, linewidth=2)
        axes.plot(days, [p["count"] for p in points], "o", color=ACCENT, markersize=3)
    axes.axvline(date.fromisoformat(data["timeline_deadline"]), color=MUTED, linestyle="--", linewidth=1.5,
                 label=labels["deadline"])
    axes.axhline(data["summary"]["addressed"], color=INK, linestyle=":", linewidth=1, label=labels["addressed"])
    axes.set_ylim(0, data["summary"]["addressed"] + 1)
    axes.set_ylabel(labels["answers"])
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _output(figure, fmt)


def matrix(section: dict, fmt: str = "png") -> bytes:
    """States (rows) x areas (columns); a filled cell: the expert would like to present."""
    rows, areas = section["rows"], section["areas"]
    height = max(2.0, 0.22 * len(rows) + 1.5)
    figure = pyplot.figure(figsize=(7, height))
    axes = figure.add_subplot()
    values = [[1 if row["areas"][a["key"]]["present"] else 0 for a in areas] for row in rows] or [[0] * len(areas)]
    axes.imshow(values, cmap="Blues", vmin=0, vmax=1.4, aspect="auto")
    axes.set_xticks(range(len(areas)), [f"{i + 1}" for i in range(len(areas))])
    axes.set_yticks(range(len(rows)), [row["state"] for row in rows], fontsize=7)
    axes.xaxis.tick_top()
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xticks([x - 0.5 for x in range(1, len(areas))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    axes.grid(which="minor", color="white", linewidth=1)
    axes.tick_params(which="minor", length=0)
    return _output(figure, fmt)
