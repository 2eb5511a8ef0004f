"""Deadline arithmetic and the sweep. The sweep is idempotent: run it twice at the same moment,
or from two beats at once, and nothing new happens (reminder keys are unique in the outbox).

A call's reminder schedule (`Call.reminders`):
    days_before: [14, 7, 2]   reminders this many days before the mission's deadline
    days_after: [1]           and after it, while the call still takes answers
    escalate_from: 2          from the 2nd reminder on, the Permanent Representative is written too
Only the latest slot that has come is sent: after an outage a mission gets one reminder, not three.

Each open call carries when the sweep next has something to do for it (`Call.next_sweep_at`: a
reminder slot, a deadline passing). A sweep looks only at the calls whose moment has come, so one
with nothing due costs one index probe however many calls are open. Whatever can give the sweep
new work sooner — a new or changed deadline, schedule or policy, an addressee added or given back
its answer — sets the moment back to "now" (`_look_again`, on every flush).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from flask import current_app
from sqlalchemy import String, and_, cast, event, exists, func, inspect, literal, or_, select, update
from sqlalchemy.orm import Session, defer, selectinload

from . import audit, clock, notifications, outbox, report
from .checks import MAX_REMINDER_DAYS
from .db import db
from .kinds import CallStatus, MailState, State
from .models import SWEEP_NOW, Call, Mission, OutboxMessage, Report, Submission
from .states import EDITABLE

UNANSWERED = tuple(sorted(state.value for state in EDITABLE))
NEVER = datetime(9999, 12, 31)  # nothing more will come for the call unless it is changed
# What, changed, can give the sweep work for a call sooner than it planned.
CALL_TERMS = ("deadline", "reminders", "accept_late", "close_at_deadline", "status", "created_at")
SUBMISSION_TERMS = ("state", "deadline_override", "withdrawn_at")
log = logging.getLogger(__name__)


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
    failed: list[str] = field(default_factory=list)  # calls the sweep could not process


def _days(schedule: dict, name: str) -> list[int]:
    """A list of whole days from the schedule; entries out of 0-365 are not reminder days (a
    definition stored before they were checked cannot break the sweep or the board)."""
    days = schedule.get(name) if isinstance(schedule, dict) else None
    if not isinstance(days, list):
        return []
    return [d for d in days if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_REMINDER_DAYS]


def slots(call: Call, deadline: datetime) -> list[Slot]:
    schedule = call.reminders or {}
    moments = [(f"before-{d}", -d) for d in sorted(set(_days(schedule, "days_before")), reverse=True)]
    moments += [(f"after-{d}", d) for d in sorted(set(_days(schedule, "days_after")))]
    found = []
    for name, offset in moments:
        try:
            found.append((name, deadline + timedelta(days=offset)))
        except OverflowError:  # a deadline at the edge of the calendar
            continue
    return [Slot(i, name, at) for i, (name, at) in enumerate(found, start=1)]


def due_slot(call: Call, submission: Submission, at: datetime) -> Slot | None:
    """The latest reminder slot that has come for this submission (None before the first, or
    for slots that had already passed when the call was opened)."""
    due = [s for s in slots(call, submission.deadline) if call.created_at <= s.at <= at]
    return due[-1] if due else None


class Addressee(Protocol):
    """What the reminder schedule reads of a submission (the status board passes its own rows)."""

    @property
    def id(self) -> int: ...
    @property
    def mission_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def deadline(self) -> datetime: ...


def next_slot(call: Call, submission: Addressee, at: datetime) -> Slot | None:
    return next((s for s in slots(call, submission.deadline) if s.at > at), None)


def reminder_key(call: Call, submission: Submission, slot: Slot) -> str:
    return f"reminder:{call.id}:{submission.mission_id}:{slot.name}"


def sweep(at: datetime | None = None) -> SweepResult:
    """Queue due reminders, flag missions past their deadline as late, close calls whose policy
    says so, and schedule reports. Each call is swept on its own (in a savepoint): a call that
    cannot be processed is left as it was, its problem recorded on it for the secretariat, and
    every other call carries on. The caller commits."""
    at = at or clock.now()
    result = SweepResult()
    due = db.select(Call).where(Call.status == CallStatus.OPEN, Call.next_sweep_at <= at).order_by(Call.id)
    missions: dict[int, Mission] = {}  # the same missions answer every call: loaded once a sweep
    for call in db.session.scalars(due).all():
        _guarded(call, at, result, partial(_sweep_call, call, at, missions))
    result.reports = schedule_reports(at)
    return result


def _guarded(call: Call, at: datetime, result: SweepResult, work: Callable[[], SweepResult]) -> None:
    """Run one call's part of the sweep; on any failure undo just that part and record why."""
    try:
        with db.session.begin_nested():
            swept = work()
    except Exception as exc:  # one call's bad data must not stop the others
        log.exception("the deadline sweep could not process call %s", call.id)
        call.sweep_problem, call.sweep_problem_at = f"{type(exc).__name__}: {exc}"[:2000], at
        result.failed.append(call.slug)
        return
    if call.sweep_problem is not None:
        call.sweep_problem = call.sweep_problem_at = None
    result.reminders += swept.reminders
    result.marked_late += swept.marked_late
    result.closed += swept.closed


def _candidates(call: Call, at: datetime):
    """The submissions of this call the sweep may have to act on, chosen in the database: those
    to mark late, those with a deadline of their own, and those the call's latest due reminder has
    not reached. A quiet sweep (nothing due) loads none of them."""
    deadline = func.coalesce(Submission.deadline_override, call.deadline)
    wanted = [and_(Submission.late.is_(False), deadline < at), Submission.deadline_override.is_not(None)]
    due = [s for s in slots(call, call.deadline) if call.created_at <= s.at <= at]
    if due and (call.accept_late or at <= call.deadline):
        prefix = literal(f"reminder:{call.id}:") + cast(Submission.mission_id, String) + literal(f":{due[-1].name}:")
        reminded = exists().where(OutboxMessage.call_id == call.id, OutboxMessage.mission_id == Submission.mission_id,
                                  OutboxMessage.kind == "reminder", OutboxMessage.key.startswith(prefix))
        wanted.append(and_(Submission.deadline_override.is_(None), ~reminded))
    return db.select(Submission).where(
        Submission.call_id == call.id, Submission.withdrawn_at.is_(None), Submission.state.in_(UNANSWERED),
        or_(*wanted)).options(defer(Submission.content))  # the answers: the sweep has no use for them


def _load_missions(submissions: Sequence[Submission], missions: dict[int, Mission]) -> None:
    """Load the candidates' missions with their focal points, those this sweep has not loaded yet,
    in one query; `submission.mission` then comes from the session without one."""
    missing = {s.mission_id for s in submissions} - missions.keys()
    if missing:
        missions.update((m.id, m) for m in db.session.scalars(
            db.select(Mission).where(Mission.id.in_(missing)).options(selectinload(Mission.focal_points))))


def _chase(call: Call, submissions: Sequence[Submission], sent: set[str], at: datetime, result: SweepResult) -> None:
    """Mark late who is late, and queue the due reminder each submission has not had."""
    escalate_from = call.reminders.get("escalate_from")  # None: the representative is never written
    due_by_deadline: dict[datetime, Slot | None] = {}  # most share the call's deadline
    for submission in submissions:
        deadline = submission.deadline
        if at > deadline and not submission.late:
            submission.late = True
            audit.record("marked_late", None, submission=submission, at=at,
                         detail={"deadline": deadline.isoformat()})
            result.marked_late += 1
        if at > deadline and not call.accept_late:
            continue  # a call that takes no late answers is not chased after its deadline
        if deadline not in due_by_deadline:
            due_by_deadline[deadline] = due_slot(call, submission, at)
        slot = due_by_deadline[deadline]
        if slot is None:
            continue
        key = reminder_key(call, submission, slot)
        if key in sent:
            continue
        escalate = escalate_from is not None and slot.number >= int(escalate_from)
        notifications.queue_for(submission, "reminder", key, escalate=escalate, at=at)


def _sweep_call(call: Call, at: datetime, missions: dict[int, Mission]) -> SweepResult:
    result = SweepResult()
    submissions = db.session.scalars(_candidates(call, at)).all()
    _load_missions(submissions, missions)
    sent = {key.rsplit(":", 1)[0] for key in db.session.scalars(db.select(OutboxMessage.key).where(
        OutboxMessage.call_id == call.id, OutboxMessage.kind == "reminder",
        OutboxMessage.mission_id.in_([s.mission_id for s in submissions])))} if submissions else set()
    with outbox.batch() as reminders:  # one INSERT for the call's reminders
        _chase(call, submissions, sent, at, result)
    result.reminders = reminders.inserted
    closing = None
    if call.close_at_deadline:
        extended = db.session.scalar(db.select(func.max(Submission.deadline_override)).where(
            Submission.call_id == call.id, Submission.withdrawn_at.is_(None)))
        closing = max(call.deadline, extended or call.deadline)
        if at > closing:
            call.status = CallStatus.CLOSED
            audit.record("call_closed", None, call=call, at=at, detail={"reason": "deadline"})
            result.closed.append(call.slug)
    extensions = {s.deadline_override for s in submissions if s.deadline_override is not None}
    call.next_sweep_at = next_sweep(call, at, extensions, closing)
    return result


def next_sweep(call: Call, at: datetime, extensions: set[datetime], closing: datetime | None) -> datetime:
    """The first moment after `at` at which the sweep has something to do for this call, if
    nothing about it changes: a reminder slot, or a deadline (the call's, an extension, the
    closing) passing. A deadline is work just after it, so one not yet behind `at` counts."""
    moments = [] if closing is None or closing < at else [closing]
    for deadline in {call.deadline, *extensions}:
        moments += [s.at for s in slots(call, deadline) if s.at > at and s.at >= call.created_at]
        if deadline >= at:
            moments.append(deadline)
    return min(moments, default=NEVER)


@event.listens_for(Session, "before_flush")
def _look_again(session: Session, _context, _instances) -> None:
    """A change that can give the sweep work sooner than a call's planned moment (a new deadline
    or schedule, an extension, an addressee added, reinstated or given back its answer) makes the
    next sweep look at that call."""
    calls: set[int] = set()
    for thing in (*session.new, *session.dirty):
        if isinstance(thing, Call) and thing not in session.new and _changed(thing, CALL_TERMS):
            thing.next_sweep_at = SWEEP_NOW
        elif isinstance(thing, Submission) and (thing.state or State.NOT_STARTED) in UNANSWERED and (
                thing in session.new or _changed(thing, SUBMISSION_TERMS)):
            call = thing.call if "call" not in inspect(thing).unloaded else None
            if call is not None and call not in session.new:
                call.next_sweep_at = SWEEP_NOW
            elif call is None and thing.call_id is not None:
                calls.add(thing.call_id)
    if calls:
        session.execute(update(Call).where(Call.id.in_(calls), Call.next_sweep_at != SWEEP_NOW)
                        .values(next_sweep_at=SWEEP_NOW))


def _changed(thing, names: tuple[str, ...]) -> bool:
    state = inspect(thing)
    return any(state.attrs[name].history.has_changes() for name in names)


def schedule_reports(at: datetime) -> list[int]:
    """Once a call's deadline is some hours past, compile its report once, automatically (it is
    mailed to the heads of the secretariat when ready)."""
    hours = current_app.config["REPORT_AFTER_DEADLINE_HOURS"]
    if hours is None or hours < 0:
        return []
    done = select(Report.call_id).where(Report.automatic.is_(True))
    due = db.session.scalars(db.select(Call).where(Call.deadline <= at - timedelta(hours=hours),
                                                   Call.status != CallStatus.DRAFT, Call.id.not_in(done))).all()
    return [report.request(call, "submitted", automatic=True, at=at).id for call in due]


def reminder_status(call: Call, at: datetime | None = None,
                    submissions: Sequence[Addressee] | None = None) -> dict[int, dict]:
    """Per mission: reminders sent, the last one, and the next due — for the status board (which
    passes the call's submissions it has loaded)."""
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
        entry["failed"] += state == MailState.FAILED
    out = {}
    upcoming: dict[datetime, datetime | None] = {}  # by deadline: most share the call's
    everyone: Sequence[Addressee] = call.submissions if submissions is None else submissions
    for submission in everyone:
        entry = status.get(submission.mission_id, {"slots": set(), "last": None, "failed": 0})
        following = None
        if submission.state in UNANSWERED:
            if submission.deadline not in upcoming:
                slot = next_slot(call, submission, at)
                upcoming[submission.deadline] = slot.at if slot else None
            following = upcoming[submission.deadline]
        out[submission.id] = {"sent": len(entry["slots"]), "last": entry["last"], "failed": entry["failed"],
                              "next": following}
    return out
