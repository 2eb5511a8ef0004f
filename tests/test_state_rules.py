"""Each rule of `states.check()` on its own, with the sentence the person reads, and what a
transition records (as of an explicit moment)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from workflow.db import db
from workflow.kinds import Action, CallStatus
from workflow.models import AuditEvent
from workflow.states import TransitionError, allowed, check, transition
from workflow.submissions import Arrival, IncompleteError, save, submit

from . import factories

AT = datetime(2030, 10, 1, 12, 0)


def _ar(w):
    return factories.submission_of(w["call"], w["ar"].mission)


def _refused(submission, action, actor, message, at=AT):
    with pytest.raises(TransitionError) as caught:
        check(submission, action, actor, at)
    assert str(caught.value) == message
    assert not allowed(submission, action, actor, at)


def test_who_may_do_what(app):
    w = factories.world()
    sub = _ar(w)
    assert allowed(sub, Action.SAVE, w["ar"], AT) and allowed(sub, Action.SAVE, w["officer"], AT)
    _refused(sub, Action.SAVE, None, "You are not allowed to do this.")
    _refused(sub, Action.SAVE, w["br"], "You are not allowed to do this.")  # another mission's focal point
    _refused(sub, Action.SUBMIT, w["ar"], "This answer cannot be changed in its present state.")
    sub.state, sub.submitted_at = "submitted", AT
    _refused(sub, Action.ACCEPT, w["ar"], "You are not allowed to do this.")
    _refused(sub, Action.AMEND, w["officer"], "You are not allowed to do this.")
    assert allowed(sub, Action.ACCEPT, w["admin"], AT)


def test_the_answering_window_binds_missions_not_the_secretariat(app):
    w = factories.world()
    sub, call = _ar(w), w["call"]
    call.status = CallStatus.CLOSED
    _refused(sub, Action.SAVE, w["ar"], "This call is closed and no longer takes answers.")
    assert allowed(sub, Action.SAVE, w["officer"], AT)  # entering an answer received by fax
    call.status, call.accept_late = CallStatus.OPEN, False
    after = call.deadline + timedelta(seconds=1)
    _refused(sub, Action.SAVE, w["ar"], "The deadline has passed and this call does not take late answers.", at=after)
    assert allowed(sub, Action.SAVE, w["ar"], call.deadline)  # up to the deadline itself
    sub.deadline_override = call.deadline + timedelta(days=3)
    assert allowed(sub, Action.SAVE, w["ar"], after)  # an extension opens the window again
    call.accept_late = True
    sub.deadline_override = None
    assert allowed(sub, Action.SAVE, w["ar"], after)
    sub.withdrawn_at = AT
    _refused(sub, Action.SAVE, w["ar"], "This call is no longer addressed to your state.")


def test_amendments_only_where_the_call_allows_them(app):
    w = factories.world()
    sub = _ar(w)
    sub.state, sub.submitted_at = "submitted", AT
    assert allowed(sub, Action.AMEND, w["ar"], AT)
    w["call"].allow_amendments = False
    _refused(sub, Action.AMEND, w["ar"], "This call does not allow amendments.")


def test_a_transition_records_its_moment_its_states_and_the_comment(app):
    w = factories.world()
    sub = _ar(w)
    w["call"].accept_late = False
    with pytest.raises(TransitionError):  # checked as of the moment given, not of the clock
        transition(sub, Action.SAVE, w["ar"], at=w["call"].deadline + timedelta(days=1))
    w["call"].accept_late = True
    event = transition(sub, Action.SAVE, w["ar"], at=AT, detail={"provenance": "portal"})
    assert (sub.state, sub.last_activity_at) == ("draft", AT)
    assert (event.at, event.from_state, event.to_state, event.detail) == (AT, "not_started", "draft",
                                                                          {"provenance": "portal"})
    late = w["call"].deadline + timedelta(hours=1)
    transition(sub, Action.SUBMIT, w["ar"], at=late)
    assert (sub.submitted_at, sub.late) == (late, True)
    with pytest.raises(TransitionError, match=r"^Say what the mission should change\.$"):
        transition(sub, Action.RETURN, w["officer"], comment="   ", at=late)
    returned = transition(sub, Action.RETURN, w["officer"], comment="  Add the title.  ", at=late)
    assert sub.return_comment == "Add the title." and returned.detail == {"comment": "Add the title."}
    assert returned.actor_label == "officer@sec.example" and returned.call_id == w["call"].id


def test_submit_freezes_a_copy_with_its_provenance_and_says_what_is_missing(app):
    w = factories.world()
    sub = _ar(w)
    save(sub, factories.filled(w["call"]) | {"experts": {"experts": []}}, w["ar"], lock_version=0)
    with pytest.raises(IncompleteError) as caught:
        submit(sub, w["ar"])
    assert str(caught.value) == "Some answers need attention before this can be submitted."
    assert caught.value.problems and caught.value.problems[0].section == "experts"
    save(sub, factories.filled(w["call"]), w["officer"], lock_version=sub.lock_version)
    with pytest.raises(TransitionError, match=r"^Say how the answer was received\.$"):
        submit(sub, w["officer"], received=Arrival("pigeon"))
    version = submit(sub, w["officer"], received=Arrival("fax", "Note verbale 123"))
    sub.content["experts"]["experts"][0]["name"] = "Changed later"
    assert version.content["experts"]["experts"][0]["name"] == "Ana Souza"  # a frozen copy
    assert (version.provenance, version.provenance_note, version.submitted_by_id) == (
        "fax", "Note verbale 123", w["officer"].id)
    db.session.commit()
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="submit"))
    assert event.detail == {"provenance": "fax", "version": 1, "note": "Note verbale 123"}
