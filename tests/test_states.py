"""The state machine: every forbidden transition is refused and leaves no trace."""
from __future__ import annotations

from datetime import datetime

import pytest

from workflow import clock
from workflow.calls import blank_content
from workflow.db import db
from workflow.models import AuditEvent
from workflow.states import Action, State, TransitionError, transition
from workflow.submissions import IncompleteError, amend, save, submit

from . import factories
from .factories import filled

# The whole table, written out: the state each (state, action) leads to, or None when refused.
# (A rule change must change this table too: it is not read from RULES.)
TABLE = {
    ("not_started", "save"): "draft", ("not_started", "submit"): None, ("not_started", "amend"): None,
    ("not_started", "return"): None, ("not_started", "accept"): None,
    ("draft", "save"): "draft", ("draft", "submit"): "submitted", ("draft", "amend"): None,
    ("draft", "return"): None, ("draft", "accept"): None,
    ("submitted", "save"): None, ("submitted", "submit"): None, ("submitted", "amend"): "draft",
    ("submitted", "return"): "returned", ("submitted", "accept"): "accepted",
    ("returned", "save"): "draft", ("returned", "submit"): None, ("returned", "amend"): None,
    ("returned", "return"): None, ("returned", "accept"): None,
    ("accepted", "save"): None, ("accepted", "submit"): None, ("accepted", "amend"): None,
    ("accepted", "return"): None, ("accepted", "accept"): None,
}


def test_only_listed_transitions_are_allowed(app, database):
    """All 25 (state, action) pairs: the listed ones move, the others raise and write nothing."""
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    sub.submitted_at = clock.now()
    assert len(TABLE) == len(State) * len(Action) == 25
    for (state, action), target in TABLE.items():
        sub.state = state
        actor = w["officer"] if action in ("return", "accept") else w["ar"]
        before = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
        if target is not None:
            transition(sub, Action(action), actor, comment="fix it")
            assert sub.state == target, (state, action)
            assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == before + 1
            continue
        with pytest.raises(TransitionError):
            transition(sub, Action(action), actor, comment="fix it")
        assert sub.state == state, (state, action)
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == before


def test_missions_cannot_review_and_secretariat_cannot_amend_for_them(app):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    save(sub, filled(w["call"]), w["ar"], lock_version=0)
    submit(sub, w["ar"])
    for action in (Action.ACCEPT, Action.RETURN):
        with pytest.raises(TransitionError):
            transition(sub, action, w["ar"], comment="self-accept")
    with pytest.raises(TransitionError):
        amend(sub, w["officer"])
    with pytest.raises(TransitionError):  # another mission's focal point
        transition(sub, Action.AMEND, w["br"])
    with pytest.raises(TransitionError):  # a return needs a comment
        transition(sub, Action.RETURN, w["officer"], comment="  ")
    assert sub.state == "submitted"


def test_deadline_late_flag_and_closed_calls(app):
    w = factories.world()
    call = w["call"]
    sub = factories.submission_of(call, w["ar"])
    after = call.deadline.replace(year=call.deadline.year + 1)
    with clock.frozen_at(after):
        save(sub, filled(call), w["ar"], lock_version=0)
        version = submit(sub, w["ar"])
    assert sub.late and version.late

    call.accept_late = False
    other = factories.submission_of(call, w["br"])
    with clock.frozen_at(after), pytest.raises(TransitionError, match="deadline has passed"):
        save(other, filled(call), w["br"], lock_version=0)
    # An extension for this mission reopens its window, and only its window.
    other.deadline_override = after.replace(month=12, day=31)
    with clock.frozen_at(after):
        save(other, filled(call), w["br"], lock_version=0)
        submit(other, w["br"])
    assert not other.late

    call.status = "closed"
    sub.state, sub.submitted_at = "returned", after
    with pytest.raises(TransitionError, match="closed"):
        save(sub, filled(call), w["ar"], lock_version=sub.lock_version)
    # The secretariat can still record an answer that arrived by fax.
    save(sub, filled(call), w["officer"], lock_version=sub.lock_version)


def test_amendment_needs_permission_and_keeps_the_version_seen(app):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    save(sub, filled(w["call"]), w["ar"], lock_version=0)
    submit(sub, w["ar"])
    w["call"].allow_amendments = False
    with pytest.raises(TransitionError, match="amendments"):
        amend(sub, w["ar"])
    w["call"].allow_amendments = True
    amend(sub, w["ar"])
    changed = filled(w["call"])
    changed["experts"]["experts"][0]["name"] = "Ana Souza Lima"
    save(sub, changed, w["ar"], lock_version=sub.lock_version)
    submit(sub, w["ar"])
    db.session.flush()
    assert [v.content["experts"]["experts"][0]["name"] for v in sub.versions] == ["Ana Souza", "Ana Souza Lima"]


def test_incomplete_answer_cannot_be_submitted(app):
    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    save(sub, blank_content(w["call"]), w["ar"], lock_version=0)
    with pytest.raises(IncompleteError) as caught:
        submit(sub, w["ar"])
    assert [p.path for p in caught.value.problems] == [()]  # at least one expert
    assert sub.state == "draft" and not sub.versions


def test_stale_save_is_refused(app):
    from workflow.submissions import ConflictError

    w = factories.world()
    sub = factories.submission_of(w["call"], w["ar"])
    save(sub, filled(w["call"]), w["ar"], lock_version=0)
    with pytest.raises(ConflictError):
        save(sub, blank_content(w["call"]), w["ar2"], lock_version=0)
    assert sub.content["experts"]["experts"][0]["name"] == "Ana Souza"


def test_clock_moves(app):
    moment = datetime(2007, 10, 29, 12, 0)
    with clock.frozen_at(moment):
        assert clock.now() == moment
    assert clock.now() != moment
