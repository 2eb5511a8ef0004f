"""The periodic work beat schedules. Each task is safe to run twice at the same moment."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from celery import shared_task

from workflow import deadlines, digests, documents, invitations, outbox, status
from workflow.db import db


def _moment(at: str | None) -> datetime | None:
    return datetime.fromisoformat(at) if at else None


@shared_task(name="missiva.sweep_deadlines", ignore_result=True)
def sweep_deadlines(at: str | None = None) -> dict:
    """`at` (ISO, naive UTC) lets an operator or a test sweep as of another moment."""
    result = asdict(deadlines.sweep(_moment(at)))
    status.sweep_done(result)
    db.session.commit()
    return result


@shared_task(name="missiva.heartbeat", bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Scheduled by beat, run by a worker: the status page knows both are alive."""
    status.heartbeat(self.request.hostname or "worker")
    db.session.commit()


@shared_task(name="missiva.requeue_mail", ignore_result=True)
def requeue_mail() -> int:
    """Hand over again mail whose hand-over was lost (broker down) or whose retry is due."""
    return outbox.requeue(outbox.overdue())


@shared_task(name="missiva.send_digests", ignore_result=True)
def send_digests(period: str = "daily", at: str | None = None) -> int:
    queued = digests.send(period, _moment(at))
    db.session.commit()
    return queued


@shared_task(name="missiva.housekeeping", ignore_result=True)
def housekeeping(at: str | None = None) -> dict:
    """Uploads no answer refers to, and records of sign-in links past their expiry."""
    moment = _moment(at)
    result = {"documents": documents.remove_orphans(moment), "links": invitations.forget_expired(moment)}
    db.session.commit()
    return result
