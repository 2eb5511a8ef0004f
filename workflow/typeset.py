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
when the file is written. The child's peak is logged.

Small documents (a receipt, a chart) go to one typesetting process that the asking process keeps
(`python -m workflow.typeset --serve`), with a Typst compiler per template that has found its
fonts once: a new process for each would cost ten times the CPU of the typesetting itself (about
65 ms against 6 for a receipt), and a deadline rush is 193 receipts."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
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


def pdf(template: str, data: dict, *, when: datetime | None = None, timeout: float = 600,
        small: bool = False) -> bytes:
    """The PDF of templates/documents/`template` given `data` (read by the template as data.json);
    `when` is the document's date in its properties. `small`: a page or two (a receipt), for
    the kept typesetting process."""
    stamp = str(int(when.timestamp())) if when else ""
    if small:
        return _kept.typeset(template, data, "pdf", stamp, timeout)
    return _typeset(template, data, "pdf", stamp, timeout)


def picture(data: dict, fmt: str) -> bytes:
    """A chart (workflow/report_charts.py) as "svg" or "png"."""
    return _kept.typeset("chart.typ", data, fmt, "", 60)


def _as_json(data: dict) -> bytes:
    """`data` as the template reads it (data.json): one line, UTF-8."""
    return json.dumps(data, ensure_ascii=False).encode()


def _copy_templates(folder: Path) -> None:
    for source in TEMPLATES.glob("*.typ"):  # the template and what it imports
        shutil.copyfile(source, folder / source.name)


def _typeset(template: str, data: dict, fmt: str, stamp: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="missiva-typeset-") as name:
        folder = Path(name)
        _copy_templates(folder)
        (folder / "data.json").write_bytes(_as_json(data))
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


class _Gone(Exception):
    """The kept typesetting process ended (worth one more try with a new one) or did not answer
    in time (not: the same document would take as long again)."""

    def __init__(self, why: str, *, again: bool = True):
        super().__init__(why)
        self.again = again


class _Kept:
    """The typesetting process this process keeps for small documents. One request at a time: a
    line of JSON (template, format, date), the data as the next line, written as it comes to
    data.json; a line of JSON (the size, or Typst's error) and the document's bytes back. It
    is started on first use, in each process that uses it (a forked process starts its own),
    ended when its parent's end closes its input, and started again after a crash, a timeout or
    RENEW documents (its caches stay small)."""

    RENEW = 500

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None  # where it reads the templates and the data, ours to remove
        self.owner = 0
        self.served = 0

    def typeset(self, template: str, data: dict, fmt: str, stamp: str, timeout: float) -> bytes:
        request = b"%s\n%s\n" % (json.dumps({"template": template, "fmt": fmt, "stamp": stamp}).encode(),
                                  _as_json(data))
        with self.lock:
            for attempt in (1, 2):
                try:
                    header, produced = self._exchange(request, timeout)
                    break
                except _Gone as exc:
                    self._stop()
                    if attempt == 2 or not exc.again:
                        raise TypesetError(f"the typesetting process {exc}") from exc
            self.served += 1
            if self.served >= self.RENEW:
                self._stop()
        if "error" in header:
            raise TypesetError(header["error"][-2000:])
        return produced

    def _exchange(self, request: bytes, timeout: float) -> tuple[dict, bytes]:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(request)
            process.stdin.flush()
        except OSError as exc:
            raise _Gone(f"could not be given the document ({exc})") from exc
        reader = _Reader(process.stdout.fileno(), time.monotonic() + timeout)
        try:
            header = json.loads(reader.line())
        except ValueError as exc:
            raise _Gone("answered something else") from exc
        return header, reader.exactly(header.get("size", 0))

    def _started(self) -> subprocess.Popen:
        if self.process is not None and self.owner == os.getpid() and self.process.poll() is None:
            return self.process
        if self.owner != os.getpid() and self.process is not None:
            # The parent's, inherited through a fork: left running for the parent, with this
            # process's copies of its pipes closed (so it still ends with the parent).
            _close(self.process)
            self.process, self.folder = None, None
        self._stop()
        self.folder = Path(tempfile.mkdtemp(prefix="missiva-typeset-"))
        _copy_templates(self.folder)
        self.process = subprocess.Popen([sys.executable, "-m", "workflow.typeset", "--serve", str(self.folder)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # its errors: ours
        self.owner, self.served = os.getpid(), 0
        return self.process

    def _stop(self) -> None:
        process, self.process = self.process, None
        folder, self.folder = self.folder, None
        if process is not None:
            process.kill()
            process.wait()
            _close(process)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _close(process: subprocess.Popen) -> None:
    """Close our ends of its pipes; what could not be written to it any more is dropped."""
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):  # a failed flush still closes the pipe
                pipe.close()


class _Reader:
    """Reads the kept process's answer from its output, giving up at `deadline`."""

    def __init__(self, fd: int, deadline: float):
        self.fd, self.deadline, self.buffer = fd, deadline, b""

    def _more(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            if not selector.select(max(0.0, self.deadline - time.monotonic())):
                raise _Gone("did not answer in time", again=False)
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            raise _Gone("ended")
        self.buffer += chunk

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            self._more()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._more()
        return self.buffer[:size]


_kept = _Kept()


def _serve(folder: Path) -> None:
    """The kept typesetting process: requests from its parent until its input closes (its parent
    ended or let it go) or it is told to stop; it then removes its folder."""
    import typst

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # as when its process group is stopped
    try:
        compilers: dict[str, typst.Compiler] = {}
        for line in sys.stdin.buffer:
            request = json.loads(line)
            template = request["template"]
            (folder / "data.json").write_bytes(sys.stdin.buffer.readline().rstrip(b"\n"))
            header: dict[str, int | str]
            try:
                if template not in compilers:
                    compilers[template] = typst.Compiler(str(folder / template), root=str(folder))
                written = compilers[template].compile(**_options(request["fmt"], request["stamp"]))
                if not isinstance(written, bytes):  # a picture of several pages
                    raise ValueError(f"{template} gave {len(written or [])} pictures, not one")
                produced, header = written, {"size": len(written)}
            except (RuntimeError, ValueError) as exc:  # Typst's errors
                produced, header = b"", {"error": str(exc)}
            sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + produced)
            sys.stdout.buffer.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _options(fmt: str, stamp: str) -> dict:
    """What Typst is told besides the template, for the one-off and the kept process alike."""
    return {"format": cast(Literal["pdf", "svg", "png"], fmt), "ppi": PNG_PPI if fmt == "png" else None,
            "timestamp": int(stamp) if stamp else None}


def _main(folder: str, template: str, fmt: str, stamp: str) -> None:
    import typst

    typst.compile(str(Path(folder) / template), output=str(Path(folder) / f"out.{fmt}"), root=folder,
                  **_options(fmt, stamp))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # its peak (KB), for the log line


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        _serve(Path(sys.argv[2]))
    else:
        _main(*sys.argv[1:5])
