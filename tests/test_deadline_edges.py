"""The sweep, the report schedule and extensions at their edges, swept as of an explicit moment
(not a frozen clock), so every decision is seen to use the moment it was given."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from workflow import clock, deadlines
from workflow.calls import address
from workflow.db import db
from workflow.kinds import CallStatus
from workflow.models import AuditEvent, Call, OutboxMessage, Report
from workflow.submissions import ExtensionError, extend_deadline, save, submit

from . import factories

DAY = timedelta(days=1)


def _world(**call):
    w = factories.world()
    for name, value in call.items():
        setattr(w["call"], name, value)
    w["call"].created_at = w["call"].deadline - 30 * DAY
    db.session.commit()
    return w


def _reminders(mission=None) -> list[str]:
    query = db.select(OutboxMessage.key).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.key)
    if mission is not None:
        query = query.where(OutboxMessage.mission_id == mission.id)
    return list(db.session.scalars(query))


def _sweep(at):
    result = deadlines.sweep(at)
    db.session.commit()
    return result


def test_a_slot_is_due_at_its_moment_and_only_then(app):
    w = _world()
    slot = w["call"].deadline - 14 * DAY
    assert _sweep(slot - timedelta(seconds=1)).reminders == 0
    assert _sweep(slot).reminders == 3  # AR x2, BR
    body = db.session.scalar(db.select(OutboxMessage.body_text).where(OutboxMessage.kind == "reminder"))
    assert "PM (New York time), in 14 days." in body  # counted from the sweep's moment
    sub = factories.submission_of(w["call"], w["br"].mission)
    assert deadlines.next_slot(w["call"], sub, slot).name == "before-7"  # the slot at this very moment is past
    w["call"].created_at = slot  # opened at the slot's moment: it counts
    assert deadlines.due_slot(w["call"], sub, slot).name == "before-14"


def test_late_is_marked_as_of_the_sweep_moment_with_its_deadline(app):
    w = _world()
    deadline = w["call"].deadline
    assert _sweep(deadline).marked_late == 0  # at the deadline itself: still on time
    moment = deadline + timedelta(minutes=5)
    assert _sweep(moment).marked_late == 2
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="marked_late")).all()
    assert {(e.at, e.detail["deadline"]) for e in events} == {(moment, deadline.isoformat())}


def test_one_mission_skipped_does_not_stop_the_next(app):
    """AR answered and BR has an extension with no slot due yet; MX, after both, is reminded."""
    w = _world(accept_late=False)
    mx = factories.mission("MX")
    factories.user("focal@mx.example", mission=mx)
    address(w["call"], ["MX"])
    ar = factories.submission_of(w["call"], w["ar"].mission)
    br = factories.submission_of(w["call"], w["br"].mission)
    save(ar, factories.filled(w["call"]), w["ar"], lock_version=0)
    submit(ar, w["ar"])
    mx_sub = factories.submission_of(w["call"], mx)
    br.deadline_override = w["call"].deadline + 60 * DAY
    db.session.commit()
    assert _sweep(w["call"].deadline - 2 * DAY).reminders == 1
    assert [k.split(":")[2] for k in _reminders()] == [str(mx.id)]
    # after the deadline, in a call without late answers: BR (past) is not chased, MX (extended) is
    br.deadline_override, mx_sub.deadline_override = None, w["call"].deadline + 60 * DAY
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    assert _sweep(mx_sub.deadline - 14 * DAY).reminders == 1 and _reminders(mx) != []


def test_a_focal_point_added_after_a_slot_waits_for_the_next_one(app):
    w = _world()
    slot = w["call"].deadline - 14 * DAY
    _sweep(slot)
    factories.user("third@ar.example", mission=w["ar"].mission)
    db.session.commit()
    assert _sweep(slot + timedelta(hours=1)).reminders == 0
    assert _sweep(w["call"].deadline - 7 * DAY).reminders == 4  # now AR has three focal points


def test_escalation_writes_the_representative_from_the_given_reminder_only(app):
    w = _world()
    w["br"].mission.representative_email = "embajador@br.example"
    w["call"].reminders = {"days_before": [14, 7], "days_after": [], "escalate_from": None}
    db.session.commit()
    _sweep(w["call"].deadline - 7 * DAY)
    assert not [k for k in _reminders() if "embajador" in k]
    w["call"].reminders = {"days_before": [14, 7], "days_after": [], "escalate_from": 2}
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    _sweep(w["call"].deadline - 14 * DAY)
    assert not [k for k in _reminders() if "embajador" in k]
    _sweep(w["call"].deadline - 7 * DAY)
    assert [k for k in _reminders() if "embajador" in k] == [
        f"reminder:{w['call'].id}:{w['br'].mission_id}:before-7:embajador@br.example"]


def test_results_of_several_calls_add_up(app):
    w = _world()
    other = factories.call_from_file(addressed=["AR", "BR"], slug="ciber-vi", reference="CIBER-VI",
                                     deadline="2030-10-29 23:59", policy={"close_at_deadline": True})
    other.created_at = other.deadline - 30 * DAY
    db.session.commit()
    result = _sweep(w["call"].deadline - 14 * DAY)
    assert result.reminders == 6 and result.failed == []
    closing = _sweep(w["call"].deadline + DAY)
    assert closing.marked_late == 4 and closing.closed == ["ciber-vi"]


def test_closing_waits_until_after_the_last_deadline_and_is_audited_on_the_call(app):
    w = _world(close_at_deadline=True)
    deadline = w["call"].deadline
    assert _sweep(deadline).closed == []
    moment = deadline + timedelta(seconds=1)
    assert _sweep(moment).closed == [w["call"].slug]
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="call_closed"))
    assert (event.call_id, event.at, event.actor_label) == (w["call"].id, moment, "system")


def test_a_failing_call_is_logged_recorded_in_full_and_cleared_when_mended(app, caplog):
    w = _world()
    w["call"].reminders = {"days_before": [14], "escalate_from": "x" * 3000}
    db.session.commit()
    moment = w["call"].deadline - 14 * DAY
    with caplog.at_level(logging.ERROR, logger="workflow.deadlines"):
        assert _sweep(moment).failed == [w["call"].slug]
    assert f"the deadline sweep could not process call {w['call'].id}" in caplog.text
    call = db.session.get(Call, w["call"].id)
    assert call.sweep_problem.startswith("ValueError: invalid literal for int()") and len(call.sweep_problem) <= 2000
    assert call.sweep_problem_at == moment
    call.reminders = {"days_before": [14], "escalate_from": 1}
    db.session.commit()
    assert _sweep(moment).failed == []
    call = db.session.get(Call, w["call"].id)
    assert call.sweep_problem is None and call.sweep_problem_at is None


@pytest.mark.parametrize("schedule,names", [
    ({"days_before": [0, 365, 366, True, "3", -1], "days_after": [0]}, ["before-365", "before-0", "after-0"]),
    (["not", "a", "mapping"], []),
    ({"days_before": "14"}, []),
])
def test_only_whole_days_from_0_to_365_are_reminder_days(app, schedule, names):
    w = _world()
    w["call"].reminders = schedule
    assert [s.name for s in deadlines.slots(w["call"], w["call"].deadline)] == names


def test_slots_beyond_the_calendar_are_left_out_not_the_others(app):
    w = _world()
    w["call"].reminders = {"days_before": [14, 2], "days_after": [1]}
    assert [s.name for s in deadlines.slots(w["call"], datetime(1, 1, 10))] == ["before-2", "after-1"]
    assert [s.number for s in deadlines.slots(w["call"], datetime(1, 1, 10))] == [1, 2]


def test_the_report_is_scheduled_once_the_hours_after_the_deadline_have_passed(app):
    w = _world()
    app.config["REPORT_AFTER_DEADLINE_HOURS"] = 24
    deadline = w["call"].deadline
    assert deadlines.schedule_reports(deadline + timedelta(hours=23, minutes=59)) == []
    draft = factories.call_from_file(addressed=["AR"], slug="draft-call", reference="D", status="draft",
                                     deadline="2030-10-29 23:59")
    moment = deadline + timedelta(hours=24)
    [report_id] = deadlines.schedule_reports(moment)
    row = db.session.get(Report, report_id)
    assert (row.call_id, row.basis, row.automatic, row.requested_at) == (w["call"].id, "submitted", True, moment)
    assert deadlines.schedule_reports(moment + DAY) == []  # once
    assert draft.status == CallStatus.DRAFT


@pytest.mark.parametrize("hours", [None, -1])
def test_no_report_is_scheduled_when_the_secretariat_says_never(app, hours):
    w = _world()
    app.config["REPORT_AFTER_DEADLINE_HOURS"] = hours
    assert deadlines.schedule_reports(w["call"].deadline + 400 * DAY) == []


def test_an_extension_right_at_the_call_deadline_is_refused_a_year_later_is_taken(app):
    w = _world()
    sub = factories.submission_of(w["call"], w["ar"].mission)
    call = w["call"]

    def local(moment):
        return clock.to_zone(moment, call.timezone).replace(tzinfo=None)

    with pytest.raises(ExtensionError, match=r"^The new deadline must fall after the call's deadline and at most a year later\.$"):
        extend_deadline(sub, local(call.deadline), w["officer"])
    with pytest.raises(ExtensionError):
        extend_deadline(sub, local(call.deadline + timedelta(days=366, minutes=1)), w["officer"])
    extend_deadline(sub, local(call.deadline + timedelta(days=366)), w["officer"])
    assert sub.deadline_override == call.deadline + timedelta(days=366)
    extend_deadline(sub, None, w["officer"])
    assert sub.deadline_override is None
    db.session.commit()
    details = [e.detail for e in db.session.scalars(db.select(AuditEvent).filter_by(action="deadline_extended")
                                                    .order_by(AuditEvent.id))]
    assert details == [{"from": None, "to": (call.deadline + timedelta(days=366)).isoformat()},
                       {"from": (call.deadline + timedelta(days=366)).isoformat(), "to": None}]


def test_a_withdrawn_state_is_neither_reminded_nor_marked_late(app):
    w = _world()
    br = factories.submission_of(w["call"], w["br"].mission)
    br.withdrawn_at = w["call"].created_at
    db.session.commit()
    assert _sweep(w["call"].deadline - 14 * DAY).reminders == 2  # AR's two focal points only
    assert _sweep(w["call"].deadline + DAY).marked_late == 1 and not br.late


def test_each_call_gets_its_own_automatic_report_and_zero_hours_means_at_the_deadline(app):
    w = _world()
    app.config["REPORT_AFTER_DEADLINE_HOURS"] = 0
    later = factories.call_from_file(addressed=["AR"], slug="later", reference="L", deadline="2030-12-01 12:00")
    assert len(deadlines.schedule_reports(w["call"].deadline)) == 1
    assert len(deadlines.schedule_reports(later.deadline)) == 1  # the first call's report does not stop it


def test_a_call_reminds_only_its_own_addressees(app):
    w = _world()
    mx = factories.mission("MX")
    factories.user("focal@mx.example", mission=mx)
    other = factories.call_from_file(addressed=["MX"], slug="other", reference="O", deadline="2030-10-29 23:59")
    other.created_at = other.deadline - 30 * DAY
    db.session.commit()
    _sweep(w["call"].deadline - 14 * DAY)
    pairs = {tuple(k.split(":")[1:3]) for k in _reminders()}
    assert pairs == {(str(w["call"].id), str(w["ar"].mission_id)), (str(w["call"].id), str(w["br"].mission_id)),
                     (str(other.id), str(mx.id))}
