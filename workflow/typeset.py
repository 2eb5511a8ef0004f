"""Documents and pictures typeset by Typst (the `typst` package carries the compiler: no program to
install) from a template in templates/documents/*.typ and the content as JSON: the report's PDF
(report.typ) and its charts on their own (chart.typ: SVG for the page, PNG for the DOCX), both
drawn by charts.typ.

What people typed reaches the template as data (`json("data.json")`), never as markup: a comment
reading `#set page(...)` or `*bold*` prints as typed and cannot change the layout. Text is shaped
(HarfBuzz's rules) with the system's fonts as fallback, so a name in Arabic or Chinese script
prints joined and in order where such a font is installed.

Typst holds the whole laid-out document in memory (about 2 MB a page of tables) and keeps its
caches after a compilation, so it runs in a child process (`python -m workflow.typeset`): the
worker that asks for a PDF stays at its own size, and all of that memory goes back to the system
when the file is written. The child's peak is logged."""
from __future__ import annotations

import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Literal, cast

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "documents"
PNG_PPI = 200  # a chart in a Word document, sharp when printed
log = logging.getLogger(__name__)


class TypesetError(RuntimeError):
    """Typst could not write the document (its message says why)."""


def pdf(template: str, data: dict, *, when: datetime | None = None, timeout: float = 600) -> bytes:
    """The PDF of templates/documents/`template` given `data` (read by the template as data.json);
    `when` is the document's date in its properties."""
    return _typeset(template, data, "pdf", str(int(when.timestamp())) if when else "", timeout)


def picture(data: dict, fmt: str) -> bytes:
    """A chart (workflow/report_charts.py) as "svg" or "png"."""
    return _typeset("chart.typ", data, fmt, "", 60)


def _typeset(template: str, data: dict, fmt: str, stamp: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="missiva-typeset-") as name:
        folder = Path(name)
        for source in TEMPLATES.glob("*.typ"):  # the template and what it imports
            shutil.copyfile(source, folder / source.name)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "workflow.typeset", str(folder), template, fmt, stamp],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise TypesetError(done.stderr.strip()[-2000:] or f"typst exited with {done.returncode}")
        produced = (folder / f"out.{fmt}").read_bytes()
        peak_kb = int(done.stdout.split()[-1]) if done.stdout.split() else 0
        log.info("typeset %s as %s: %d KB in %.2f s, the typesetting process's peak %d MB", template, fmt,
                 len(produced) // 1024, time.perf_counter() - started, peak_kb // 1024,
                 extra={"typeset_peak_kb": peak_kb})
        return produced


def _main(folder: str, template: str, fmt: str, stamp: str) -> None:
    import typst

    typst.compile(str(Path(folder) / template), output=str(Path(folder) / f"out.{fmt}"), root=folder,
                  format=cast(Literal["pdf", "svg", "png"], fmt), ppi=PNG_PPI if fmt == "png" else None,
                  timestamp=int(stamp) if stamp else None)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # its peak (KB), for the log line


if __name__ == "__main__":
    _main(*sys.argv[1:5])
