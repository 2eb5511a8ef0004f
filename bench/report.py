"""4. The consolidated report for 193 full answers: build, DOCX, XLSX and PDF times in-process, the
peak memory of a real worker compiling it (beside the same worker's memory when idle), and the peak
of the child process that typesets the PDF (workflow/typeset.py)."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from bench.pages import _bulk_answers
from bench.stack import Stack, build_world, database


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class _Peaks(logging.Handler):
    """The typesetting process's peak, as workflow.typeset logs it once the PDF is written."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.peaks: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.peaks.append(getattr(record, "typeset_peak_kb", 0))


def run(kind: str, states: int = 193) -> dict:
    with database(kind) as (db_settings, folder):
        stack = Stack(db_settings, folder)
        try:
            app = stack.app()
            call_id = build_world(app, states)[0]
            _bulk_answers(app, [call_id])
            from workflow import jobs, report, report_render
            from workflow.db import db
            from workflow.models import Call, Report

            with app.app_context():
                call = db.session.get(Call, call_id)
                t = time.perf_counter()
                data = report.build(call, "submitted")
                build_s = time.perf_counter() - t
                t = time.perf_counter()
                docx_bytes = report_render.docx(data)
                docx_s = time.perf_counter() - t
                t = time.perf_counter()
                xlsx_bytes = report_render.xlsx(data)
                xlsx_s = time.perf_counter() - t
                typeset, logger = _Peaks(), logging.getLogger("workflow.typeset")
                level = logger.level
                logger.addHandler(typeset)
                logger.setLevel(logging.INFO)
                try:
                    t = time.perf_counter()
                    pdf_bytes = report_render.pdf(data)
                    pdf_s = time.perf_counter() - t
                finally:
                    logger.removeHandler(typeset)
                    logger.setLevel(level)
                typeset_kb = max(typeset.peaks, default=0)
            worker = stack.worker(pool="solo")
            time.sleep(1)
            idle_kb = _peak_kb(worker.pid)
            with app.app_context():
                row = Report(call_id=call_id, basis="submitted")
                db.session.add(row)
                db.session.flush()
                jobs.after_commit("report", row.id)
                db.session.commit()
                t = time.perf_counter()
                while db.session.get(Report, row.id).state not in ("done", "failed"):
                    db.session.rollback()
                    time.sleep(0.1)
                worker_s = time.perf_counter() - t
                state = db.session.get(Report, row.id).state
            peak_kb = _peak_kb(worker.pid)
        finally:
            stack.stop()
    return {"states": states, "experts": data["summary"]["experts"], "build_s": build_s, "docx_s": docx_s,
            "xlsx_s": xlsx_s, "pdf_s": pdf_s, "docx_kb": len(docx_bytes) // 1024, "xlsx_kb": len(xlsx_bytes) // 1024,
            "pdf_kb": len(pdf_bytes) // 1024,
            "worker_s": worker_s, "worker_state": state, "worker_idle_mb": idle_kb / 1024,
            "worker_peak_mb": peak_kb / 1024, "typeset_peak_mb": typeset_kb / 1024}


if __name__ == "__main__":
    print(run("sqlite", states=50))
