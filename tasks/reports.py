"""Compiling a consolidated report in the background: build the data once, render every format,
keep the files, record progress for the page that waits on it."""
from __future__ import annotations

from celery import shared_task

from workflow import clock, notifications, report, report_render
from workflow.db import db
from workflow.kinds import ReportState

FORMATS = {"pdf": report_render.pdf, "docx": report_render.docx, "xlsx": report_render.xlsx,
           "csv.zip": report_render.csv_zip}


@shared_task(name="missiva.compile_report", ignore_result=True)
def compile_report(report_id: int) -> str:
    row = report.claim(report_id)
    if row is None:  # done, running in another worker, or gone
        return "skipped"

    def progress(percent: int) -> None:
        row.progress = min(percent, 95)
        db.session.commit()

    try:
        data = report.build(row.call, row.basis, language=row.language, progress=progress)
        stem = f"{row.call.slug}-report-{row.id}"
        # Rendering takes seconds (the PDF of a large call, tens): no transaction stays open meanwhile,
        # so on SQLite the web pages and the sweep can write while the worker draws.
        db.session.commit()
        files = {}
        for extension, render in FORMATS.items():
            (report.folder() / f"{stem}.{extension}").write_bytes(render(data))
            files[extension] = f"{stem}.{extension}"
    except Exception as exc:  # recorded for the secretariat, who can compile again
        db.session.rollback()
        row.state, row.error, row.finished_at = ReportState.FAILED, f"{type(exc).__name__}: {exc}"[:2000], clock.now()
        db.session.commit()
        raise
    row.data, row.files, row.state, row.progress, row.finished_at = data, files, ReportState.DONE, 100, clock.now()
    if row.automatic:
        notifications.report_ready(row)
    db.session.commit()
    return "done"


def enqueue(report_id: int, countdown: float = 0) -> None:
    compile_report.apply_async((report_id,), countdown=countdown or None, retry=False)
