"""PDF documents typeset by Typst (the `typst` package carries the compiler: no program to install)
from a template in templates/documents/*.typ and the document's content as JSON.

What people typed reaches the template as data (`json("data.json")`), never as markup: a comment
reading `#set page(...)` or `*bold*` prints as typed and cannot change the layout. Pictures are
handed over as files beside the data. Text is shaped (HarfBuzz's rules) with the system's fonts as
fallback, so a name in Arabic or Chinese script prints joined and in order where such a font is
installed.

Typst holds the whole laid-out document in memory (about 2 MB a page of tables) and keeps its
caches after a compilation, so it runs in a child process (`python -m workflow.typeset`): the
worker that asks for a PDF stays at its own size, and all of that memory goes back to the system
when the document is written."""
from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "documents"
log = logging.getLogger(__name__)


class TypesetError(RuntimeError):
    """Typst could not write the document (its message says why)."""


def pdf(template: str, data: dict, files: dict[str, bytes] | None = None, *, when: datetime | None = None,
        timeout: float = 600) -> bytes:
    """The PDF of templates/documents/`template` given `data` (read by the template as data.json)
    and `files` (name: content) beside it; `when` is the document's date in its properties."""
    with tempfile.TemporaryDirectory(prefix="missiva-typeset-") as name:
        folder = Path(name)
        (folder / "main.typ").write_text((TEMPLATES / template).read_text(encoding="utf-8"), encoding="utf-8")
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        for file_name, content in (files or {}).items():
            (folder / file_name).write_bytes(content)
        stamp = str(int(when.timestamp())) if when else ""
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "workflow.typeset", str(folder), stamp], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise TypesetError(done.stderr.strip()[-2000:] or f"typst exited with {done.returncode}")
        produced = (folder / "out.pdf").read_bytes()
        peak_kb = int(done.stdout.split()[-1]) if done.stdout.split() else 0
        log.info("typeset %s: %d KB in %.2f s, the typesetting process's peak %d MB", template,
                 len(produced) // 1024, time.perf_counter() - started, peak_kb // 1024,
                 extra={"typeset_peak_kb": peak_kb})
        return produced


def _main(folder: str, stamp: str) -> None:
    import typst

    typst.compile(str(Path(folder) / "main.typ"), output=str(Path(folder) / "out.pdf"), root=folder,
                  format="pdf", timestamp=int(stamp) if stamp else None)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # its peak (KB), for the log line


if __name__ == "__main__":
    _main(*sys.argv[1:3])
