"""How Missiva itself is doing, for the head of the secretariat and for a monitoring system: when
the deadline sweep last ran and what it did, whether beat and a worker are alive (beat schedules a
heartbeat that a worker records), whether the broker answers, mail waiting or failed, the disk the
uploads take and the last report compiled on schedule.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from . import clock, outbox
from .db import db
from .kinds import MailState
from .models import OutboxMessage, Report, SiteSetting

HEARTBEAT = "status_heartbeat"
SWEEP = "status_sweep"


def _store(key: str, value: dict) -> None:
    """Keep the latest `value` under `key`, whoever writes at the same moment."""
    row = db.session.get(SiteSetting, key)
    if row is not None:
        row.value = value
        return
    try:
        with db.session.begin_nested():
            db.session.add(SiteSetting(key=key, value=value))
    except IntegrityError:  # another worker wrote it first
        db.session.execute(update(SiteSetting).where(SiteSetting.key == key).values(value=value))


def _beat_limit() -> timedelta:
    return timedelta(seconds=3 * float(current_app.config["HEARTBEAT_INTERVAL_SECONDS"]))


def heartbeat(worker: str, at: datetime | None = None) -> None:
    """A worker ran the heartbeat beat scheduled. `since`: when this unbroken run of heartbeats
    began (a system just started has had no time for its first sweep yet)."""
    at = at or clock.now()
    last, value = _read(HEARTBEAT)
    since = value.get("since") if last is not None and at - last <= _beat_limit() else None
    _store(HEARTBEAT, {"at": at.isoformat(), "worker": worker, "since": since or at.isoformat()})


def sweep_done(result: dict, at: datetime | None = None) -> None:
    _store(SWEEP, {"at": (at or clock.now()).isoformat(), "result": result})


def _read(key: str) -> tuple[datetime | None, dict]:
    row = db.session.get(SiteSetting, key)
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    try:
        return datetime.fromisoformat(value["at"]), value
    except (KeyError, TypeError, ValueError):
        return None, value


def _broker_problem() -> str | None:
    celery = current_app.extensions.get("celery")
    if celery is None:
        return "no broker configured"
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises the transport's own errors
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _disk(folder: str) -> tuple[int, int]:
    total = files = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += (Path(root) / name).stat().st_size
                files += 1
            except OSError:
                continue
    return total, files


def snapshot(at: datetime | None = None) -> dict:
    """Everything the status page shows, as plain values (the JSON endpoint returns it as is)."""
    at = at or clock.now()
    config = current_app.config
    beat_at, beat = _read(HEARTBEAT)
    alive = beat_at is not None and at - beat_at <= _beat_limit()
    sweep_at, sweep = _read(SWEEP)
    sweep_limit = timedelta(seconds=3 * float(config["SWEEP_INTERVAL_SECONDS"]))
    try:
        running_since = datetime.fromisoformat(beat["since"]) if alive else None
    except (KeyError, TypeError, ValueError):
        running_since = None
    # Swept lately, or just started: beat has had no time for its first sweep yet.
    swept = (sweep_at is not None and at - sweep_at <= sweep_limit) or \
        (running_since is not None and at - running_since <= sweep_limit)
    counts = dict(db.session.execute(db.select(OutboxMessage.state, func.count())
                                     .where(OutboxMessage.state.in_([MailState.PENDING.value,
                                                                     MailState.FAILED.value]))
                                     .group_by(OutboxMessage.state)).all())
    report = db.session.scalar(db.select(Report).where(Report.automatic.is_(True))
                               .order_by(Report.requested_at.desc()).limit(1))
    used, files = _disk(config["UPLOAD_FOLDER"])
    broker = _broker_problem()
    interrupted = len(outbox.stuck(at))
    checks: dict[str, dict] = {
        "workers": {"ok": alive,
                    "last_heartbeat": beat_at.isoformat() if beat_at else None, "worker": beat.get("worker")},
        "sweep": {"ok": swept,
                  "last_run": sweep_at.isoformat() if sweep_at else None, "result": sweep.get("result") or {}},
        "broker": {"ok": broker is None, "problem": broker},
        "mail": {"ok": not counts.get(MailState.FAILED.value) and not interrupted,
                 "pending": counts.get(MailState.PENDING.value, 0), "failed": counts.get(MailState.FAILED.value, 0),
                 "interrupted": interrupted},
        "uploads": {"ok": True, "bytes": used, "files": files},
        "scheduled_report": {"ok": report is None or report.state != "failed",
                             "id": report.id if report else None, "state": report.state if report else None,
                             "at": (report.finished_at or report.requested_at).isoformat() if report else None},
    }
    return {"ok": all(c["ok"] for c in checks.values()), "at": at.isoformat(), **checks}
