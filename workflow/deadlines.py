"""Deadline arithmetic and the sweep. The sweep is idempotent: run it twice at the same moment,
or from two beats at once, and nothing new happens (reminder keys are unique in the outbox).

A call's reminder schedule (`Call.reminders`):
    days_before: [14, 7, 2]   reminders this many days before the mission's deadline
    days_after: [1]           and after it, while the call still takes answers
    escalate_from: 2          from the 2nd reminder on, the Permanent Representative is written too
Only the latest slot that has come is sent: after an outage a mission gets one reminder, not three.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import audit, clock, jobs, notifications, outbox
from .db import db
from .models import Call, Mission, OutboxMessage, Report, Submission
from .states import State

UNANSWERED = (State.NOT_STARTED.value, State.DRAFT.value, State.RETURNED.value)


@dataclass(frozen=True)
class Slot:
    number: int  # 1-based, in time order
    name: str  # "before-14", "after-1"
    at: datetime


@dataclass
class SweepResult:
    reminders: int = 0
    marked_late: int = 0
    closed: list[str] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)


def slots(call: Call, deadline: datetime) -> list[Slot]:
    schedule = call.reminders or {}
    moments = [(f"before-{d}", deadline - timedelta(days=d)) for d in sorted(set(schedule.get("days_before", [])), reverse=True)]
    moments += [(f"after-{d}", deadline + timedelta(days=d)) for d in sorted(set(schedule.get("days_after", [])))]
    return [Slot(i, name, at) for i, (name, at) in enumerate(moments, start=1)]


def due_slot(call: Call, submission: Submission, at: datetime) -> Slot | None:
    """The latest reminder slot that has come for this submission (None before the first, or
    for slots that had already passed when the call was opened)."""
    due = [s for s in slots(call, submission.deadline) if call.created_at <= s.at <= at]
    return due[-1] if due else None


def next_slot(call: Call, submission: Submission, at: datetime) -> Slot | None:
    return next((s for s in slots(call, submission.deadline) if s.at > at), None)


def reminder_key(call: Call, submission: Submission, slot: Slot) -> str:
    return f"reminder:{call.id}:{submission.mission_id}:{slot.name}"


def sweep(at: datetime | None = None) -> SweepResult:
    """Queue due reminders, flag missions past their deadline as late, close calls whose policy
    says so. The caller commits."""
    at = at or clock.now()
    result = SweepResult()
    calls = db.session.scalars(db.select(Call).where(Call.status == "open")).all()
    for call in calls:
        submissions = db.session.scalars(
            db.select(Submission).where(Submission.call_id == call.id)
            .options(selectinload(Submission.mission).selectinload(Mission.focal_points))
        ).all()
        sent = {key.rsplit(":", 1)[0] for key in outbox.existing_keys(f"reminder:{call.id}:")}
        for submission in submissions:
            if submission.state not in UNANSWERED:
                continue
            if submission.is_past_deadline(at) and not submission.late:
                submission.late = True
                audit.record("marked_late", None, submission=submission, at=at,
                             detail={"deadline": submission.deadline.isoformat()})
                result.marked_late += 1
            if submission.is_past_deadline(at) and not call.accept_late:
                continue  # a call that takes no late answers is not chased after its deadline
            slot = due_slot(call, submission, at)
            if slot is None:
                continue
            key = reminder_key(call, submission, slot)
            if key in sent:
                continue
            escalate = slot.number >= int(call.reminders.get("escalate_from", 99) or 99)
            result.reminders += notifications.queue_for(submission, "reminder", key, escalate=escalate, at=at)
        last_deadline = max([call.deadline] + [s.deadline for s in submissions])
        if call.close_at_deadline and at > last_deadline:
            call.status = "closed"
            audit.record("call_closed", None, call=call, at=at, detail={"reason": "deadline"})
            result.closed.append(call.slug)
    result.reports = schedule_reports(at)
    return result


def schedule_reports(at: datetime) -> list[int]:
    """Once a call's deadline is some hours past, compile its report once, automatically (it is
    mailed to the heads of the secretariat when ready)."""
    hours = current_app.config["REPORT_AFTER_DEADLINE_HOURS"]
    if hours is None or hours < 0:
        return []
    done = select(Report.call_id).where(Report.automatic.is_(True))
    due = db.session.scalars(db.select(Call).where(Call.deadline <= at - timedelta(hours=hours),
                                                   Call.status != "draft", Call.id.not_in(done))).all()
    queued = []
    for call in due:
        row = Report(call=call, basis="submitted", automatic=True)
        db.session.add(row)
        db.session.flush()
        audit.record("report_scheduled", None, call=call, at=at, detail={"report": row.id})
        jobs.after_commit("report", row.id)
        queued.append(row.id)
    return queued


def reminder_status(call: Call, at: datetime | None = None) -> dict[int, dict]:
    """Per mission: reminders sent, the last one, and the next due — for the status board."""
    at = at or clock.now()
    rows = db.session.execute(
        db.select(OutboxMessage.mission_id, OutboxMessage.key, OutboxMessage.sent_at, OutboxMessage.state)
        .where(OutboxMessage.call_id == call.id, OutboxMessage.kind == "reminder")
    ).all()
    status: dict[int, dict] = {}
    for mission_id, key, sent_at, state in rows:
        entry = status.setdefault(mission_id, {"slots": set(), "last": None, "failed": 0})
        entry["slots"].add(key.rsplit(":", 1)[0])
        if sent_at and (entry["last"] is None or sent_at > entry["last"]):
            entry["last"] = sent_at
        entry["failed"] += state == "failed"
    out = {}
    for submission in call.submissions:
        entry = status.get(submission.mission_id, {"slots": set(), "last": None, "failed": 0})
        upcoming = next_slot(call, submission, at) if submission.state in UNANSWERED else None
        out[submission.id] = {"sent": len(entry["slots"]), "last": entry["last"], "failed": entry["failed"],
                              "next": upcoming.at if upcoming else None}
    return out
