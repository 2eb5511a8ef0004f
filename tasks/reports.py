"""Compiling a consolidated report in the background: build the data once, render every format,
keep the files, record progress for the page that waits on it."""
from __future__ import annotations

from pathlib import Path

from celery import shared_task
from flask import current_app

from workflow import clock, report, report_render
from workflow.db import db
from workflow.models import Report

FORMATS = {"docx": report_render.docx, "xlsx": report_render.xlsx, "csv.zip": report_render.csv_zip}


def folder() -> Path:
    path = Path(current_app.config["REPORT_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@shared_task(name="missiva.compile_report", ignore_result=True)
def compile_report(report_id: int) -> str:
    row = db.session.get(Report, report_id)
    if row is None or row.state not in ("queued", "failed"):
        return "skipped"
    row.state, row.started_at, row.progress, row.error = "running", clock.now(), 5, None
    db.session.commit()

    def progress(percent: int) -> None:
        row.progress = min(percent, 95)
        db.session.commit()

    try:
        data = report.build(row.call, row.basis, progress=progress)
        files = {}
        for extension, render in FORMATS.items():
            name = f"{row.call.slug}-report-{row.id}.{extension}"
            (folder() / name).write_bytes(render(data))
            files[extension] = name
    except Exception as exc:  # recorded for the secretariat, who can compile again
        db.session.rollback()
        row.state, row.error, row.finished_at = "failed", f"{type(exc).__name__}: {exc}"[:2000], clock.now()
        db.session.commit()
        raise
    row.data, row.files, row.state, row.progress, row.finished_at = data, files, "done", 100, clock.now()
    if row.automatic:
        from workflow import notifications

        notifications.report_ready(row)
    db.session.commit()
    return "done"


def enqueue(report_id: int, countdown: float = 0) -> None:
    compile_report.apply_async((report_id,), countdown=countdown or None, retry=False)
