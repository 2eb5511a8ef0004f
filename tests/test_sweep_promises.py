"""What the README promises of the deadline sweep, each on its own: slots that had passed before a
call was opened are skipped, a call that takes no late answers stops chasing at its deadline,
`late` is marked once, and `close_at_deadline` closes the call after the last extended deadline."""
from __future__ import annotations

from datetime import timedelta

from workflow import clock, deadlines
from workflow.db import db
from workflow.models import AuditEvent, Call, OutboxMessage
from workflow.submissions import extend_deadline

from . import factories

DAY = timedelta(days=1)


def _sweep(moment):
    with clock.frozen_at(moment):
        result = deadlines.sweep()
        db.session.commit()
    return result


def _reminder_keys():
    return sorted(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.kind == "reminder")))


def test_slots_that_passed_before_the_call_opened_are_skipped(app):
    w = factories.world()
    call = w["call"]
    call.created_at = call.deadline - 5 * DAY  # opened after the 14- and 7-day slots
    db.session.commit()
    assert _sweep(call.deadline - 10 * DAY).reminders == 0
    assert _sweep(call.deadline - 3 * DAY).reminders == 0  # the 7-day slot is before the opening
    assert _sweep(call.deadline - 2 * DAY + timedelta(hours=1)).reminders == 3  # AR x2, BR
    assert all(":before-2:" in key for key in _reminder_keys())


def test_a_call_without_late_answers_stops_chasing_at_the_deadline(app):
    w = factories.world()
    call = w["call"]
    call.accept_late, call.created_at = False, call.deadline - 30 * DAY
    db.session.commit()
    assert _sweep(call.deadline + 1 * DAY + timedelta(hours=1)).reminders == 0  # the after-1 slot is not sent
    call.accept_late = True
    db.session.commit()
    assert _sweep(call.deadline + 1 * DAY + timedelta(hours=2)).reminders == 3


def test_late_is_marked_once_with_one_audit_event(app):
    w = factories.world()
    call = w["call"]
    before = _sweep(call.deadline - DAY)
    first = _sweep(call.deadline + timedelta(minutes=1))
    second = _sweep(call.deadline + 2 * DAY)
    assert before.marked_late == 0 and first.marked_late == 2 and second.marked_late == 0
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="marked_late")).all()
    assert len(events) == 2 and {e.actor_label for e in events} == {"system"}
    assert all(s.late for s in call.submissions)


def test_close_at_deadline_closes_after_the_last_extension(app):
    w = factories.world()
    call = w["call"]
    call.close_at_deadline = True
    ar = factories.submission_of(call, w["ar"])
    extend_deadline(ar, clock.to_zone(call.deadline + 3 * DAY, call.timezone).replace(tzinfo=None), w["officer"])
    db.session.commit()
    assert _sweep(call.deadline + DAY).closed == []
    assert db.session.get(Call, call.id).status == "open"
    assert _sweep(call.deadline + 3 * DAY + timedelta(minutes=1)).closed == [call.slug]
    assert db.session.get(Call, call.id).status == "closed"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="call_closed"))
    assert event.detail == {"reason": "deadline"}
    assert _sweep(call.deadline + 5 * DAY).closed == []  # a closed call is no longer swept
